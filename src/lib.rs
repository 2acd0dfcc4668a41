//! rswitch: discover AWS profiles, resolve their role chains hop by hop, and hand the
//! resulting credentials over to shells, commands and the clipboard.
//!
//! The binary (`src/main.rs`) only parses arguments and dispatches; everything testable
//! lives here so that `tests/` can drive it directly.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod aws_query;
pub mod cache;
pub mod cli;
pub mod clipboard;
pub mod commands;
pub mod config;
pub mod console;
pub mod creds;
pub mod demo;
pub mod doctor;
pub mod env;
pub mod error;
pub mod export;
pub mod loopback;
pub mod nesting;
pub mod prompt;
pub mod report;
pub mod resolve;
pub mod serve;
pub mod shell;
pub mod sso;
pub mod sts;
pub mod text;
pub mod tui;
