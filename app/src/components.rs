//! Pieces several pages share.

mod clock;
mod runbook_details;
mod status_badge;

pub use clock::clock;
pub use runbook_details::RunbookDetailsView;
pub use status_badge::StatusBadge;
