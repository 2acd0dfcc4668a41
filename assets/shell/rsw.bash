# rswitch integration for bash. Install: eval "$(rswitch init bash)" in ~/.bashrc
# `rsw PROFILE` switches this shell to PROFILE's credentials; nothing changes unless
# rswitch succeeds.
rsw() {
    local __rsw_out
    __rsw_out="$(command rswitch export --format env "$@")" || return
    eval "$__rsw_out"
}

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
