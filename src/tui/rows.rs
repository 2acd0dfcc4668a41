//! What the TUI knows about a profile before anything is resolved: the catalogue's rows
//! (the same model `list` prints).

use crate::resolve::Catalog;
pub use crate::resolve::row::{PlannedHop, ProfileRow, arn_account};

/// Rows for every profile of the catalogue, in name order.
pub fn profile_rows(catalog: &Catalog) -> Vec<ProfileRow> {
    catalog.rows()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_from_arn() {
        assert_eq!(
            arn_account("arn:aws:iam::123456789012:role/Admin").as_deref(),
            Some("123456789012")
        );
        assert_eq!(arn_account("not-an-arn"), None);
        assert_eq!(arn_account("arn:aws:iam:::role/x"), None);
    }
}
