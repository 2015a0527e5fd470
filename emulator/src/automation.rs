//! SSM Automation: executions of runbooks, their validation at start, and the engine that runs
//! their steps with the service role's permissions.

pub mod engine;
pub mod execution;
pub mod interpolate;
pub mod parameters;
