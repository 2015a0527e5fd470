//! An emulator of the parts of AWS that Runbook Portal talks to — SSM (documents and the Automation
//! engine), IAM, STS and EC2 — speaking the real wire protocols, so that the official SDKs and the AWS
//! CLI drive it unchanged. It knows nothing of the portal.

mod clock;
mod error;
mod identity;
mod metrics;
pub mod protocol;
mod seed;
mod server;
mod services;

pub use clock::Clock;
pub use error::AwsError;
pub use identity::Principal;
pub use seed::SeedError;
pub use server::{Emulator, EmulatorConfig, RunningEmulator};
