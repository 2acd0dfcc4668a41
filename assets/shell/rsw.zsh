# rswitch integration for zsh. Install: eval "$(rswitch init zsh)" in ~/.zshrc, after compinit.
# `rsw PROFILE` switches this shell to PROFILE's credentials; nothing changes unless
# rswitch succeeds.
rsw() {
    local __rsw_out
    __rsw_out="$(command rswitch export --format env "$@")" || return
    eval "$__rsw_out"
}

# Before each prompt: when the credentials `rsw` exported are due for renewal
# (RSWITCH_RENEW_AT, seconds since the epoch, has passed), export RSWITCH_PROFILE's again.
# When nothing is due no process is spawned (the clock is zsh/datetime's EPOCHSECONDS).
# A failed renewal keeps the old values, prints one line and retries a minute later.
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
__rsw_renew() {
    local __rsw_out
    [[ -n ${RSWITCH_PROFILE-} && -n ${RSWITCH_RENEW_AT-} && -z ${RSWITCH_SERVED-} ]] || return 0
    [[ $RSWITCH_RENEW_AT == <-> && -n ${EPOCHSECONDS-} ]] || return 0
    (( EPOCHSECONDS >= RSWITCH_RENEW_AT && EPOCHSECONDS >= ${__rsw_retry_at:-0} )) || return 0
    if __rsw_out="$(command rswitch export --format env -- "$RSWITCH_PROFILE" 2>/dev/null </dev/null)"; then
        eval "$__rsw_out"
        __rsw_retry_at=0
    else
        __rsw_retry_at=$(( EPOCHSECONDS + 60 ))
        print -r -- "rsw: could not renew the credentials of ${(q)RSWITCH_PROFILE}; keeping the old ones (see: rswitch whoami ${(q)RSWITCH_PROFILE})" >&2
    fi
    return 0
}
autoload -Uz add-zsh-hook && add-zsh-hook precmd __rsw_renew

# Completes profile names from `rswitch list --names` (one per line); compadd quotes them.
_rsw() {
    (( CURRENT == 2 )) || return 1
    local -a names
    names=("${(@f)$(command rswitch list --names 2>/dev/null)}")
    compadd -a names
}
if (( $+functions[compdef] )); then
    compdef _rsw rsw
fi
