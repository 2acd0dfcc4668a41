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

# Before each prompt: when the credentials `rsw` exported are due for renewal
# (RSWITCH_RENEW_AT, seconds since the epoch, has passed), export RSWITCH_PROFILE's again.
# When nothing is due no process is spawned: the clock is read with builtins (the
# modification time of / plus its age). A failed renewal keeps the old values, prints one
# line and retries a minute later.
function __rsw_renew --on-event fish_prompt
    set -q RSWITCH_PROFILE; and set -q RSWITCH_RENEW_AT; and not set -q RSWITCH_SERVED; or return 0
    string match -qr '^[0-9]+$' -- $RSWITCH_RENEW_AT; or return 0
    set -l __rsw_now (math (path mtime /) + (path mtime --relative /))
    test $__rsw_now -ge $RSWITCH_RENEW_AT; or return 0
    set -q __rsw_retry_at; and test $__rsw_now -lt $__rsw_retry_at; and return 0
    set -l __rsw_out (command rswitch export --format fish -- $RSWITCH_PROFILE 2>/dev/null </dev/null | string collect)
    if test $pipestatus[1] -eq 0
        eval $__rsw_out
        set -e __rsw_retry_at
    else
        set -g __rsw_retry_at (math $__rsw_now + 60)
        printf 'rsw: could not renew the credentials of %s; keeping the old ones (see: rswitch whoami %s)\n' (string escape -- $RSWITCH_PROFILE) (string escape -- $RSWITCH_PROFILE) >&2
    end
end

# Profile names from `rswitch list --names` (one per line); fish escapes them itself.
complete --command rsw --no-files --condition 'test (count (commandline -opc)) -eq 1' \
    --arguments '(command rswitch list --names 2>/dev/null)'
