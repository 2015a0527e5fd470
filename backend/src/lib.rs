//! The portal's one path to AWS: SDK clients built either for the real services (the standard
//! credential chain) or for the embedded emulator (its URL and fixed credentials). Nothing above this
//! crate knows which.

pub mod call_metrics;
mod clients;
mod identity;
pub mod watch;

pub use clients::{Backend, BackendError, BackendKind};
pub use identity::CallerIdentity;
