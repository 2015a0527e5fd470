//! Pieces several pages share.

mod runbook_details;
mod status_badge;

pub use runbook_details::RunbookDetailsView;
pub use status_badge::StatusBadge;
