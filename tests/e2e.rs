//! End-to-end tests: the real `rswitch` binary against moto on loopback, through the
//! fault-injecting proxy where a test needs it. Run them with `bash tests/run.sh`
//! (it installs the Python side and exports RSWITCH_TEST_VENV).
//!
//! `moto_facts` checks the harness itself with aws-sdk-sts; the other modules hold the
//! CLI contract of `list`, `whoami` and `check`, the hand-over commands (`handover`,
//! `handover_cache`, `handover_mfa`), `doctor` and `lint`; `account_aliases` the names from IAM aliases; `sso` (with `sso_refresh`, the renewal of
//! a login, `sso_login`, `sso_login_ui` and `sso_interop`, `rswitch login` and its interop with the AWS CLI, and `sso_sync`) and `web_identity` the base sources that need a login or a token file; `tui` drives the interactive view in a
//! tmux pane (`tmux` holds that harness); `console` and `console_handover` sign in to the demo world's
//! console (its federation endpoint in process); `clipboard` copies through OSC 52 in a tmux pane
//! and through the X11 clipboard of a private Xvfb.

mod support;

#[path = "e2e/account_aliases.rs"]
mod account_aliases;
#[path = "e2e/binary.rs"]
mod binary;
#[path = "e2e/clipboard.rs"]
mod clipboard;
#[path = "e2e/console.rs"]
mod console;
#[path = "e2e/console_handover.rs"]
mod console_handover;
#[path = "e2e/contract.rs"]
mod contract;
#[path = "e2e/denials.rs"]
mod denials;
#[path = "e2e/doctor.rs"]
mod doctor;
#[path = "e2e/faults.rs"]
mod faults;
#[path = "e2e/handover.rs"]
mod handover;
#[path = "e2e/handover_cache.rs"]
mod handover_cache;
#[path = "e2e/handover_mfa.rs"]
mod handover_mfa;
#[path = "e2e/moto_facts.rs"]
mod moto_facts;
#[path = "e2e/refused.rs"]
mod refused;
#[path = "e2e/resolve_ok.rs"]
mod resolve_ok;
#[path = "e2e/sso.rs"]
mod sso;
#[path = "e2e/sso_interop.rs"]
mod sso_interop;
#[path = "e2e/sso_login.rs"]
mod sso_login;
#[path = "e2e/sso_login_ui.rs"]
mod sso_login_ui;
#[path = "e2e/sso_refresh.rs"]
mod sso_refresh;
#[path = "e2e/sso_sync.rs"]
mod sso_sync;
#[path = "e2e/tmux.rs"]
mod tmux;
#[path = "e2e/tui.rs"]
mod tui;
#[path = "e2e/web_identity.rs"]
mod web_identity;
