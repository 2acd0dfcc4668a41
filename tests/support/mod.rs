//! The end-to-end harness shared by the integration tests and `examples/testkit.rs`.
//!
//! It owns everything a test needs around the real binary: a moto server holding the
//! two-account world ([`world`]), an IMDSv2 endpoint serving a real moto session, a
//! fault-injecting proxy in front of moto ([`proxy`]), a temporary HOME with AWS
//! files and a clean environment ([`home`]), and a real terminal for what reads
//! `/dev/tty` ([`tty`], tmux), and a private X server and Wayland compositor for the
//! system clipboard ([`xvfb`], [`wayland`]). It never mocks the SDK: rswitch talks HTTP
//! to moto, directly or through the proxy.
//!
//! Python tools come from the venv that `tests/run.sh` installs (`RSWITCH_TEST_VENV`, or
//! `target/test-venv`). Without it every test that needs moto fails loudly.
#![allow(dead_code, unused_imports)]

pub mod home;
pub mod moto;
pub mod profiles;
pub mod proxy;
pub mod sso_portal;
pub mod tmux_server;
pub mod tty;
pub mod wayland;
pub mod world;
pub mod xvfb;

pub use home::Home;
pub use moto::Moto;
pub use profiles::world_home;
pub use proxy::{Fault, Proxy};
pub use tmux_server::TmuxServer;
pub use tty::Tty;
pub use wayland::Sway;
pub use world::{Stack, World, shared};
pub use xvfb::Xvfb;

use std::path::PathBuf;
use std::sync::OnceLock;

/// One tokio runtime for every server of this test binary (IMDS, proxies). Tests stay
/// synchronous; the servers run on its worker.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("harness")
            .enable_all()
            .build()
            .expect("harness: cannot build the tokio runtime")
    })
}

/// The directory holding this module's Python scripts.
pub fn support_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support")
}

/// The Python venv with moto, the AWS CLI and awsume; panics (never skips) when missing.
pub fn venv() -> PathBuf {
    let venv = std::env::var_os("RSWITCH_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-venv"));
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "the test venv is missing: no {}.\nRun `bash tests/run.sh` once (it installs moto, \
         awscli and awsume into target/test-venv and runs the tests), or point \
         RSWITCH_TEST_VENV at a venv holding moto[server]==5.2.5, awscli==1.46.3 and awsume==4.5.4.",
        python.display()
    );
    venv
}

/// A program from the venv's `bin/` (e.g. `aws`, `awsume`, `python`).
pub fn venv_bin(name: &str) -> PathBuf {
    venv().join("bin").join(name)
}
