//! An emulator of the parts of AWS that Runbook Portal talks to — SSM (documents and the Automation
//! engine), IAM, STS and EC2 — speaking the real wire protocols, so that the official SDKs and the AWS
//! CLI drive it unchanged. It knows nothing of the portal.

mod automation;
mod clock;
mod error;
mod fault_control;
mod faults;
mod host_check;
mod iam;
mod identity;
mod metrics;
mod pagination;
mod policy;
pub mod protocol;
mod runbook;
mod scope;
mod server;
mod services;
mod state;
#[cfg(test)]
mod wire_properties;
mod world;

pub use clock::Clock;
pub use error::AwsError;
pub use faults::{parse_file as parse_faults_file, FaultKind, FaultRule};
pub use identity::Principal;
pub use server::{Emulator, EmulatorConfig, EmulatorError, Limits, RunningEmulator};
pub use world::seed::SeedError;
