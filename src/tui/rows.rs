//! What the TUI knows about a profile before anything is resolved: the catalogue's rows
//! (the same model `list` prints).

use crate::resolve::Catalog;
pub use crate::resolve::row::ProfileRow;

/// Rows for every profile of the catalogue, in name order.
pub fn profile_rows(catalog: &Catalog) -> Vec<ProfileRow> {
    catalog.rows()
}
