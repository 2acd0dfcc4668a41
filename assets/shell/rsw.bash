# rswitch integration for bash. Install: eval "$(rswitch init bash)" in ~/.bashrc
# `rsw PROFILE` switches this shell to PROFILE's credentials; nothing changes unless
# rswitch succeeds.
rsw() {
    local __rsw_out
    __rsw_out="$(command rswitch export --format env "$@")" || return
    eval "$__rsw_out"
}

# Before each prompt: when the credentials `rsw` exported are due for renewal
# (RSWITCH_RENEW_AT, seconds since the epoch, has passed), export RSWITCH_PROFILE's again.
# When nothing is due no process is spawned (the clock is EPOCHSECONDS, or the printf
# builtin before bash 5). A failed renewal keeps the old values, prints one line,
# retries a minute later, and leaves $? as it was for the prompt.
__rsw_renew() {
    local __rsw_status=$? __rsw_now __rsw_out
    if [[ -n ${RSWITCH_PROFILE-} && -n ${RSWITCH_RENEW_AT-} && $RSWITCH_RENEW_AT != *[!0-9]* \
          && ${#RSWITCH_RENEW_AT} -le 18 && -z ${RSWITCH_SERVED-} ]]; then
        __rsw_now=${EPOCHSECONDS-}
        [ -n "$__rsw_now" ] || printf -v __rsw_now '%(%s)T' -1
        if (( __rsw_now >= RSWITCH_RENEW_AT && __rsw_now >= ${__rsw_retry_at:-0} )); then
            if __rsw_out="$(command rswitch export --format env -- "$RSWITCH_PROFILE" 2>/dev/null </dev/null)"; then
                eval "$__rsw_out"
                __rsw_retry_at=0
            else
                __rsw_retry_at=$((__rsw_now + 60))
                printf 'rsw: could not renew the credentials of %q; keeping the old ones (see: rswitch whoami %q)\n' "$RSWITCH_PROFILE" "$RSWITCH_PROFILE" >&2
            fi
        fi
    fi
    return $__rsw_status
}
case ";${PROMPT_COMMAND-};" in
    *";__rsw_renew;"*) ;;
    *) PROMPT_COMMAND="__rsw_renew${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
esac

# Completes profile names from `rswitch list --names` (one per line). The names are
# matched as plain text, never expanded (compgen -W would expand them).
_rsw_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}" name
    COMPREPLY=()
    [ "$COMP_CWORD" -eq 1 ] || return 0
    while IFS= read -r name; do
        case "$name" in
            "$cur"*) COMPREPLY+=("$(printf '%q' "$name")") ;;
        esac
    done < <(command rswitch list --names 2>/dev/null)
}
complete -F _rsw_complete rsw
