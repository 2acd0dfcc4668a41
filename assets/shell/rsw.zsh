# rswitch integration for zsh. Install: eval "$(rswitch init zsh)" in ~/.zshrc, after compinit.
# `rsw PROFILE` switches this shell to PROFILE's credentials; nothing changes unless
# rswitch succeeds.
rsw() {
    local __rsw_out
    __rsw_out="$(command rswitch export --format env "$@")" || return
    eval "$__rsw_out"
}

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
