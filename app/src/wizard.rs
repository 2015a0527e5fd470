//! The Execute automation wizard: its state, request and CLI equivalents (the domain's), and the
//! server functions that check the form while it is filled in, start a run and make the link to
//! share.

pub mod live_check;
pub mod preview;
pub mod start;

pub use domain::wizard::*;
