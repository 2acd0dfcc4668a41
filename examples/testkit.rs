//! Starts the end-to-end test world for benchmarks and manual runs: moto with the
//! two-account world, an IMDS endpoint, and a proxy with the given latency in front of
//! moto; writes the standard profiles (plus `fan-NN` profiles sharing one hop) into a
//! temporary HOME, prints where everything is as one JSON object on stdout, and stays up
//! until interrupted (Ctrl-C or SIGTERM), then cleans up.
//!
//!   cargo run --example testkit -- [--latency-ms 50] [--fanout 20]
//!
//! `testkit clipboard-get` instead prints the system clipboard's text (arboard, on the
//! display of its environment) and exits 0, or says why there is none on stderr and exits 1:
//! the clipboard tests read what `rswitch copy` left there with it.
//!
//! Needs the venv from `bash tests/run.sh` (or RSWITCH_TEST_VENV).

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::time::Duration;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number, not {v:?}"))
        })
        .unwrap_or(default)
}

fn clipboard_get() -> i32 {
    let text = arboard::Clipboard::new().and_then(|mut cb| cb.get_text());
    match text {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
                Ok(()) => 0,
                Err(_) => 1,
            }
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("clipboard-get") {
        std::process::exit(clipboard_get());
    }
    let (latency, fanout) = (arg("--latency-ms", 0), arg("--fanout", 20));
    let stack = support::Stack::start();
    let proxy = support::Proxy::start(stack.endpoint());
    proxy.set_latency(Duration::from_millis(latency));
    let home = support::world_home(&stack, &proxy.url());
    let mut config = std::fs::read_to_string(home.config_path()).expect("config");
    for i in 0..fanout {
        config += &format!(
            "[profile fan-{i:02}]\nrole_arn = {}\nsource_profile = switch-to\n\
             role_session_name = fan-{i:02}\nregion = eu-west-1\nendpoint_url = {}\n\n",
            stack.world.roles.deploy,
            proxy.url()
        );
    }
    home.config(&config);
    let env: serde_json::Map<String, serde_json::Value> =
        home.env().into_iter().map(|(k, v)| (k, v.into())).collect();
    let out = serde_json::json!({
        "moto": stack.endpoint(),
        "proxy": proxy.url(),
        "imds": stack.imds_url(),
        "latency_ms": latency,
        "home": home.path(),
        "config": home.config_path(),
        "credentials": home.credentials_path(),
        "env": env,
        "unset": support::home::CLEARED_VARS,
        "world": {
            "alice": stack.world.alice.arn,
            "roles": {
                "switch_to": stack.world.roles.switch_to,
                "deploy": stack.world.roles.deploy,
            },
        },
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{out}")
        .and_then(|()| stdout.flush())
        .expect("stdout");
    drop(stdout);
    support::runtime().block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    });
    eprintln!("testkit: requests seen by the proxy: {:?}", proxy.counts());
}
