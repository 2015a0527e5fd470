//! The portal's people: local accounts (argon2id password hashes) kept in the SQLite database in
//! the data directory, and the throttle that slows down and locks out password guessing.

mod database;
mod password;
mod started;
mod throttle;
mod users;

pub use database::open;
pub use password::random_password;
pub use started::StartedExecutions;
pub use throttle::{Attempt, SignInThrottle, ThrottleLimits};
pub use users::{AccountError, User, Users, ADMINS};
