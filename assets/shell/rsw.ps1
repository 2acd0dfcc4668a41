# rswitch integration for PowerShell. Install (in $PROFILE):
#   rswitch init powershell | Out-String | Invoke-Expression
# `rsw PROFILE` switches this session to PROFILE's credentials; nothing changes unless
# rswitch succeeds.
function rsw {
    param(
        [Parameter(Position = 0)][string]$Name,
        [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest
    )
    $rswArgs = @()
    if ($Name) { $rswArgs += $Name }
    if ($Rest) { $rswArgs += $Rest }
    $rswOut = & rswitch export --format powershell @rswArgs
    if ($LASTEXITCODE -ne 0) { return }
    Invoke-Expression (@($rswOut) -join "`n")
}

# Completes profile names from `rswitch list --names` (one per line), single-quoted.
Register-ArgumentCompleter -CommandName rsw -ParameterName Name -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    $word = $wordToComplete.Trim("'", '"')
    & rswitch list --names 2>$null | Where-Object { $_.StartsWith($word) } | ForEach-Object {
        $quoted = "'" + ($_ -replace "['\u2018\u2019\u201A\u201B]", '$0$0') + "'"
        [System.Management.Automation.CompletionResult]::new($quoted, $_, 'ParameterValue', $_)
    }
}
