# rswitch integration for fish. Install: rswitch init fish | source  (in config.fish)
# `rsw PROFILE` switches this shell to PROFILE's credentials; nothing changes unless
# rswitch succeeds.
function rsw --description 'Switch this shell to an AWS profile with rswitch'
    set -l __rsw_out (command rswitch export --format fish $argv | string collect)
    set -l __rsw_status $pipestatus[1]
    if test $__rsw_status -ne 0
        return $__rsw_status
    end
    eval $__rsw_out
end

# Profile names from `rswitch list --names` (one per line); fish escapes them itself.
complete --command rsw --no-files --condition 'test (count (commandline -opc)) -eq 1' \
    --arguments '(command rswitch list --names 2>/dev/null)'
