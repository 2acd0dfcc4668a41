# rswitch integration for tcsh and csh. Install: rswitch init tcsh > ~/.rswitch.tcsh once,
# then `source ~/.rswitch.tcsh` in ~/.tcshrc.
# `rsw PROFILE` switches this shell to PROFILE's credentials; rswitch prints nothing on
# stdout when it fails, so nothing changes then.
alias rsw 'eval "`rswitch export --format tcsh -- \!:1`"'
# Profile names from `rswitch list --names`.
complete rsw 'p/1/`rswitch list --names`/'
