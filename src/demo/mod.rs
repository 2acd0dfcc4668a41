//! The built-in demo world: a loopback STS-compatible endpoint and IMDS, and a config
//! that exercises every outcome, so `rswitch demo` needs no AWS account.

pub mod imds;
pub mod policy;
pub mod sigv4;
pub mod world;
