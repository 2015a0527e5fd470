//! SSM Automation: executions of runbooks, their validation at start, and the engine that runs
//! their steps with the service role's permissions. The engine calls AWS APIs through
//! [`State::call_api`](crate::state::State::call_api), never the API layer itself.

pub mod actions;
pub mod aws_call;
pub mod engine;
pub mod interpolate;
pub mod launch;
pub mod outputs;
pub mod parameters;
pub mod parent;
pub mod step_run;
pub mod targets;
