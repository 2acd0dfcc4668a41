# rswitch integration for nushell. Install: save it once and source it from config.nu:
#   rswitch init nu | save -f ($nu.default-config-dir | path join rswitch.nu)
#   source ($nu.default-config-dir | path join rswitch.nu)
# `rsw PROFILE` switches this shell to PROFILE's credentials; nothing changes unless
# rswitch succeeds. `rswitch export --format nushell` prints {"set": {…}, "unset": […]}.
# Profile names from `rswitch list --names` (one per line).
def __rsw_profiles [] {
    ^rswitch list --names | complete | get stdout | lines
}

def --env rsw [profile: string@__rsw_profiles] {
    let r = (^rswitch export --format nushell -- $profile | complete)
    if $r.exit_code != 0 {
        print -e -n $r.stderr
        return
    }
    if ($r.stdout | str trim) == '' { return }
    let doc = ($r.stdout | from json)
    hide-env -i ...$doc.unset
    load-env $doc.set
}
