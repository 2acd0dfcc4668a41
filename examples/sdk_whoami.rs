//! Who aws-config's default credential chain says the caller is, as any Rust program built
//! on the AWS SDK would see it: environment, profile, web identity, container endpoint,
//! IMDS, in that order. The tests run it inside `rswitch shell` and `rswitch exec`.
//!
//!   cargo run --example sdk_whoami -- [--repeat N] [--interval SECS]
//!
//! Makes `N` (default 1) GetCallerIdentity calls with one client, `SECS` apart, so a
//! long-lived program's credential refreshes are exercised; prints each caller's ARN on
//! its own line, and on the first failure the error on stderr with exit status 1.

use aws_config::BehaviorVersion;
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

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (repeat, interval) = (arg("--repeat", 1), arg("--interval", 0));
    let config = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let client = aws_sdk_sts::Client::new(&config);
    for i in 0..repeat {
        if i > 0 {
            tokio::time::sleep(Duration::from_secs(interval)).await;
        }
        match client.get_caller_identity().send().await {
            Ok(out) => println!("{}", out.arn().unwrap_or("(no arn)")),
            Err(e) => {
                eprintln!(
                    "sdk_whoami: {}",
                    aws_smithy_types::error::display::DisplayErrorContext(&e)
                );
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
