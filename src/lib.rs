//! rswitch: discover AWS profiles, resolve their role chains hop by hop, and hand the
//! resulting credentials over to shells, commands and the clipboard.
//!
//! The binary (`src/main.rs`) only parses arguments and dispatches; everything testable
//! lives here so that `tests/` can drive it directly.
#![forbid(unsafe_code)]
// The docs are for working on rswitch: they link to crate-private items freely.
#![allow(rustdoc::private_intra_doc_links)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod arn;
pub(crate) mod aws_query;
pub mod cache;
pub mod cli;
pub(crate) mod clipboard;
pub mod commands;
pub mod config;
pub mod console;
pub mod creds;
pub mod doctor;
pub mod env;
pub(crate) mod error;
pub mod export;
pub mod fake_aws;
pub mod nesting;
pub mod platform;
pub(crate) mod prompt;
pub(crate) mod report;
pub mod resolve;
pub mod serve;
pub mod settings;
pub mod shell;
pub mod sso;
pub mod sts;
pub mod text;
pub(crate) mod tty;
pub mod tui;
