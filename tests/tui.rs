//! The interactive view, headless: snapshots of the pure views on ratatui's TestBackend,
//! state transitions fed actions and keys, and the runtime driven on a test screen with a
//! resolver that answers from plain `Resolution` values.

#[path = "tui/fixtures.rs"]
mod fixtures;
#[path = "tui/overlays.rs"]
mod overlays;
#[path = "tui/resolver.rs"]
mod resolver;
#[path = "tui/runtime.rs"]
mod runtime;
#[path = "tui/state.rs"]
mod state;
#[path = "tui/views.rs"]
mod views;
