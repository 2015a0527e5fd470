//! One attempt at one step, as the actions see it: its inputs, its deadline, the execution it
//! belongs to, waits on the emulator's clock, and AWS calls as the principal the execution acts as.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::outputs::{self, Outputs};
use crate::identity::Principal;
use crate::state::State;
use crate::world::execution::{ChildKey, Execution, Failure};

/// How often a waiting step looks again, in emulated time.
const POLL: Duration = Duration::from_secs(2);

/// One attempt at one step.
pub struct StepRun<'a> {
    pub state: &'a Arc<State>,
    pub key: &'a ChildKey,
    pub acting_as: &'a Principal,
    /// The step's place in the execution.
    pub index: usize,
    /// The step as declared, and its inputs resolved.
    pub declaration: &'a Value,
    pub inputs: &'a Value,
    /// When the step times out.
    pub deadline: Option<SystemTime>,
}

/// A step's result: its outputs, and for aws:branch the step chosen.
#[derive(Debug, Default)]
pub struct Done {
    pub outputs: Outputs,
    pub next: Option<String>,
}

impl From<Outputs> for Done {
    fn from(outputs: Outputs) -> Self {
        Self {
            outputs,
            next: None,
        }
    }
}

impl StepRun<'_> {
    /// Runs `f` on the execution, if it still exists.
    pub fn with_execution<R>(&self, f: impl FnOnce(&mut Execution) -> R) -> Option<R> {
        let mut world = self.state.world();
        world
            .region_mut(&self.key.account, &self.key.region)
            .executions
            .get_mut(&self.key.id)
            .map(f)
    }

    /// Calls an AWS API as the principal the execution acts as.
    pub fn call(
        &self,
        service: &str,
        api: &str,
        parameters: &Map<String, Value>,
    ) -> Result<Value, Failure> {
        super::aws_call::call(
            self.state,
            self.key,
            self.acting_as,
            service,
            api,
            parameters,
        )
    }

    /// Waits until `until` (when given) or until `done` finds what it waits for. A cancel (or a
    /// StopStep) ends the wait as Cancelled; the step's deadline as TimedOut.
    pub async fn wait_until<T>(
        &self,
        until: Option<SystemTime>,
        done: impl Fn(&Execution) -> Option<T>,
    ) -> Result<Option<T>, Failure> {
        loop {
            let found = self.with_execution(|exec| {
                if exec.cancel_requested || exec.stop_step_requested {
                    return Err(Failure::cancelled());
                }
                Ok(done(exec))
            });
            match found {
                None => return Err(Failure::cancelled()),
                Some(Err(cancelled)) => return Err(cancelled),
                Some(Ok(Some(found))) => return Ok(Some(found)),
                Some(Ok(None)) => {}
            }
            let now = self.state.clock.now();
            if until.is_some_and(|u| now >= u) {
                return Ok(None);
            }
            if self.deadline.is_some_and(|d| now >= d) {
                return Err(Failure::timed_out("Step timed out."));
            }
            let next = [until, self.deadline]
                .into_iter()
                .flatten()
                .filter_map(|t| t.duration_since(now).ok())
                .min()
                .unwrap_or(POLL)
                .min(POLL);
            // Short real-time naps keep cancels and signals prompt at any time scale.
            tokio::time::sleep(
                self.state
                    .clock
                    .real_duration(next)
                    .clamp(Duration::from_millis(1), Duration::from_millis(50)),
            )
            .await;
        }
    }

    /// Waits one poll interval of emulated time.
    pub async fn pause_for_poll(&self) -> Result<(), Failure> {
        let until = self.state.clock.now() + POLL;
        self.wait_until(Some(until), |_| None::<()>)
            .await
            .map(|_| ())
    }

    pub fn input(&self, name: &str) -> Option<&Value> {
        self.inputs.get(name)
    }

    pub fn text_input(&self, name: &str) -> Option<&str> {
        self.inputs.get(name).and_then(Value::as_str)
    }

    pub fn flag(&self, name: &str) -> bool {
        match self.inputs.get(name) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

/// A list input: a JSON list of strings, or one string.
pub fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().map(outputs::text).collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}
