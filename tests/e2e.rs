//! End-to-end tests: the real `rswitch` binary against moto on loopback, through the
//! fault-injecting proxy where a test needs it. Run them with `bash tests/run.sh`.

mod support;

#[path = "e2e/moto_facts.rs"]
mod moto_facts;
