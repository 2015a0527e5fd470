//! Pieces several pages share.

mod clock;
mod listing;
mod moment;
mod runbook_details;
mod server_form;
mod star_toggle;
mod status_badge;

pub use clock::clock;
pub use listing::listing;
pub use moment::Moment;
pub use runbook_details::RunbookDetailsView;
pub use server_form::{Fields, ServerForm};
pub use star_toggle::StarToggle;
pub use status_badge::StatusBadge;
