//! SSM Automation: executions of runbooks, their validation at start, and the engine that runs
//! their steps with the service role's permissions.

pub mod actions;
pub mod aws_call;
pub mod dispatch;
pub mod engine;
pub mod execution;
pub mod interpolate;
pub mod launch;
pub mod outputs;
pub mod parameters;
