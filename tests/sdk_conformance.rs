//! SDK conformance: the real `rswitch` binary against what the AWS SDKs do.
//!
//! `assume_role` runs the SDK's assume-role chain cases through `whoami` and a loopback STS.
//! `imds_endpoint` checks the SDK's IMDS endpoint cases against the endpoint `whoami` uses.
//! `provider_cases` replays the SDK's profile-provider and default-chain cases (their
//! recorded HTTP traffic from loopback, `traffic`).
//! Every case passes or is in the one table of `not_passing`, with its reason.
//! `login` replays the SDK's login-provider cases against `login_session` profiles.
//! `endpoints` pins the STS, SSO and IMDS endpoints each hop uses (FIPS, dual-stack,
//! partitions, `ignore_configured_endpoint_urls`, the IMDS endpoint mode per profile).
//! Tests that must not reach any network run the binary in its own network namespace
//! (`unshare -rn`): there is no route anywhere, so the endpoint chosen is read from
//! `whoami --json` and from the error, never from a call to AWS.

mod support;

#[path = "sdk_conformance/assume_role.rs"]
mod assume_role;
#[path = "sdk_conformance/endpoints.rs"]
mod endpoints;
#[path = "sdk_conformance/fake_sts.rs"]
mod fake_sts;
#[path = "sdk_conformance/imds_endpoint.rs"]
mod imds_endpoint;
#[path = "sdk_conformance/login.rs"]
mod login;
#[path = "sdk_conformance/not_passing.rs"]
mod not_passing;
#[path = "sdk_conformance/provider_cases.rs"]
mod provider_cases;
#[path = "sdk_conformance/traffic.rs"]
mod traffic;
