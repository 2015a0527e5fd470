//! Pieces several pages share.

#[cfg(feature = "hydrate")]
mod clipboard;
mod clock;
mod form_post;
mod listing;
mod moment;
mod runbook_details;
mod server_form;
mod star_toggle;
mod status_badge;

#[cfg(feature = "hydrate")]
pub use clipboard::copy_text;
pub use clock::clock;
pub use form_post::FormPost;
#[cfg(feature = "hydrate")]
pub use form_post::{post, send};
pub use listing::listing;
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub use moment::read_times_on_the_browsers_clock;
pub use moment::Moment;
pub use runbook_details::RunbookDetailsView;
pub use server_form::{Fields, ServerForm};
pub use star_toggle::{stars, RunbookStar, StarToggle};
pub use status_badge::StatusBadge;
