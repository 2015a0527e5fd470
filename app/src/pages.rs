//! One page per route.

mod automation_home;
mod not_found;

pub use automation_home::AutomationHome;
pub use not_found::NotFound;
