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

# Before each prompt: when the credentials `rsw` exported are due for renewal
# (RSWITCH_RENEW_AT, seconds since the epoch, has passed), export RSWITCH_PROFILE's again.
# When nothing is due no process is spawned (.NET's clock). A failed renewal keeps the old
# values, prints one line and retries a minute later.
function global:__rsw_renew {
    if (-not $Env:RSWITCH_PROFILE -or -not $Env:RSWITCH_RENEW_AT -or $Env:RSWITCH_SERVED) { return }
    $due = 0L
    if (-not [long]::TryParse($Env:RSWITCH_RENEW_AT, [ref]$due)) { return }
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    if ($now -lt $due -or $now -lt $global:__rswRetryAt) { return }
    $out = & rswitch export --format powershell -- $Env:RSWITCH_PROFILE 2>$null
    if ($LASTEXITCODE -eq 0) {
        Invoke-Expression (@($out) -join "`n")
        $global:__rswRetryAt = 0L
    } else {
        $global:__rswRetryAt = $now + 60
        [Console]::Error.WriteLine("rsw: could not renew the credentials of '$($Env:RSWITCH_PROFILE)'; keeping the old ones (see: rswitch whoami)")
    }
}
$global:__rswRetryAt = 0L
if (-not $global:__rswPrompt) {
    $global:__rswPrompt = $function:prompt
    function global:prompt {
        try { __rsw_renew } catch { }
        & $global:__rswPrompt
    }
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
