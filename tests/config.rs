//! The profile-file reader and linter: agreement with the AWS SDK (suite and generated
//! files), table tests over inline INI, and lint rules.

#[path = "config/agreement.rs"]
mod agreement;
#[path = "config/lint_table.rs"]
mod lint_table;
#[path = "config/parse_table.rs"]
mod parse_table;
#[path = "config/sdk.rs"]
mod sdk;
