//! Runs an execution's steps — in order, or by `nextStep`, `isEnd`, aws:branch and `onFailure` in
//! Auto mode, one StartStep signal at a time in Interactive mode — each attempt with the
//! permissions of the principal the execution acts as. Waits are measured on the emulator's clock.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::actions;
use super::interpolate::Variables;
use super::launch;
use super::outputs;
use super::parent;
use super::step_run::{Done, StepRun};
use crate::state::State;
use crate::world::execution::{ChildKey, Execution, Failure, Status};
use crate::world::World;

/// How long a cancellation path (`onCancel: step:<name>`) may run.
const CANCEL_PATH_LIMIT: Duration = Duration::from_secs(120);

/// Runs the execution `key` in the background; when it ends, queued executions of its account
/// may start.
pub fn spawn(state: Arc<State>, key: ChildKey) {
    tokio::spawn(async move {
        let is_parent = {
            let mut world = state.world();
            execution(&mut world, &key).is_some_and(|e| e.is_parent())
        };
        if is_parent {
            parent::run_parent(&state, &key).await;
        } else {
            run(&state, &key).await;
        }
        let mut world = state.world();
        launch::admit_queued(&state, &mut world, &key.account);
    });
}

fn execution<'w>(world: &'w mut World, key: &ChildKey) -> Option<&'w mut Execution> {
    world
        .region_mut(&key.account, &key.region)
        .executions
        .get_mut(&key.id)
}

/// Ends the execution. A run that went on past a failed critical step ends Failed.
fn finish(state: &State, key: &ChildKey, status: Status) {
    let now = state.clock.now();
    let mut world = state.world();
    if let Some(exec) = execution(&mut world, key) {
        exec.status = if status == Status::Success && exec.failed_critical {
            Status::Failed
        } else {
            status
        };
        exec.end = Some(now);
    }
}

/// How a step ended.
enum StepEnd {
    Success { next: Option<String> },
    Failed(Failure),
    Cancelled,
    Gone,
}

/// What an Interactive execution is told to do next.
enum Instruction {
    Step(usize),
    Complete,
    Cancel,
    Gone,
}

async fn run(state: &Arc<State>, key: &ChildKey) {
    let interactive = {
        let mut world = state.world();
        let Some(exec) = execution(&mut world, key) else {
            return;
        };
        if exec.mode != "Interactive" {
            exec.status = Status::InProgress;
        }
        exec.mode == "Interactive"
    };
    let mut index = 0;
    // Set while a cancellation path runs, to its time limit.
    let mut cancel_path: Option<SystemTime> = None;
    loop {
        if interactive {
            match instruction(state, key).await {
                Instruction::Step(i) => index = i,
                Instruction::Complete => return finish(state, key, Status::Success),
                Instruction::Cancel => return finish(state, key, Status::Cancelled),
                Instruction::Gone => return,
            }
        }
        let end = run_step(state, key, index, cancel_path).await;
        let declaration = {
            let mut world = state.world();
            let Some(exec) = execution(&mut world, key) else {
                return;
            };
            if interactive {
                exec.stop_step_requested = false;
                if !exec.cancel_requested {
                    exec.status = Status::Waiting;
                }
                continue;
            }
            exec.steps[index].declaration.clone()
        };
        let field = |name: &str| declaration.get(name).and_then(Value::as_str);
        let is_end = declaration.get("isEnd").and_then(Value::as_bool) == Some(true);
        let following = match end {
            StepEnd::Gone => return,
            StepEnd::Cancelled => match field("onCancel").and_then(|c| c.strip_prefix("step:")) {
                Some(target) if cancel_path.is_none() => {
                    let Some(next) = take_cancel_path(state, key) else {
                        return finish(state, key, Status::Cancelled);
                    };
                    cancel_path = Some(next);
                    Some(target.to_owned())
                }
                _ => return finish(state, key, Status::Cancelled),
            },
            StepEnd::Success { next } => {
                if is_end {
                    return finish_path(state, key, cancel_path);
                }
                next.or_else(|| field("nextStep").map(str::to_owned))
            }
            StepEnd::Failed(failure) => {
                let on_failure = field("onFailure").unwrap_or("Abort");
                let critical = declaration
                    .get("isCritical")
                    .and_then(Value::as_bool)
                    .unwrap_or(on_failure != "Continue");
                if on_failure == "Continue" || on_failure.starts_with("step:") {
                    if critical {
                        mark_critical_failure(state, key, index, &failure);
                    }
                    if is_end {
                        return finish_path(state, key, cancel_path);
                    }
                    on_failure
                        .strip_prefix("step:")
                        .map(str::to_owned)
                        .or_else(|| field("nextStep").map(str::to_owned))
                } else {
                    abort(state, key, index, &failure);
                    let status = match (cancel_path, failure.kind) {
                        (Some(_), _) => Status::Cancelled,
                        (None, "TimedOut") => Status::TimedOut,
                        (None, _) => Status::Failed,
                    };
                    return finish(state, key, status);
                }
            }
        };
        let next = {
            let mut world = state.world();
            let Some(exec) = execution(&mut world, key) else {
                return;
            };
            match following {
                Some(name) => match exec.steps.iter().position(|s| s.name == name) {
                    Some(i) => Ok(Some(i)),
                    None => Err(format!(
                        "Step {} names the next step {name}, which the runbook does not have.",
                        exec.steps[index].name
                    )),
                },
                None => Ok((index + 1 < exec.steps.len()).then_some(index + 1)),
            }
        };
        match next {
            Ok(Some(i)) => index = i,
            Ok(None) => return finish_path(state, key, cancel_path),
            Err(message) => {
                {
                    let mut world = state.world();
                    if let Some(exec) = execution(&mut world, key) {
                        exec.failure_message = Some(message);
                    }
                }
                return finish(state, key, Status::Failed);
            }
        }
    }
}

/// The end of the steps: Success, or Cancelled when a cancellation path was running.
fn finish_path(state: &State, key: &ChildKey, cancel_path: Option<SystemTime>) {
    finish(
        state,
        key,
        if cancel_path.is_some() {
            Status::Cancelled
        } else {
            Status::Success
        },
    );
}

/// Lets a cancellation path run: the cancel is taken, the execution stays Cancelling; returns the
/// path's time limit.
fn take_cancel_path(state: &State, key: &ChildKey) -> Option<SystemTime> {
    let mut world = state.world();
    let exec = execution(&mut world, key)?;
    exec.cancel_requested = false;
    exec.status = Status::Cancelling;
    Some(state.clock.now() + CANCEL_PATH_LIMIT)
}

fn mark_critical_failure(state: &State, key: &ChildKey, index: usize, failure: &Failure) {
    let mut world = state.world();
    if let Some(exec) = execution(&mut world, key) {
        exec.failed_critical = true;
        if exec.failure_message.is_none() {
            exec.failure_message = Some(format!(
                "Step fails when it is executing {}. {}",
                exec.steps[index].name, failure.message
            ));
        }
    }
}

fn abort(state: &State, key: &ChildKey, index: usize, failure: &Failure) {
    let mut world = state.world();
    if let Some(exec) = execution(&mut world, key) {
        exec.failure_message = Some(format!(
            "Step fails when it is executing {}. {}",
            exec.steps[index].name, failure.message
        ));
    }
}

/// Waits for a StartStep signal, StopAutomationExecution Type=Complete, or a cancel.
async fn instruction(state: &State, key: &ChildKey) -> Instruction {
    loop {
        {
            let mut world = state.world();
            let Some(exec) = execution(&mut world, key) else {
                return Instruction::Gone;
            };
            if exec.cancel_requested {
                return Instruction::Cancel;
            }
            if exec.complete_requested {
                return Instruction::Complete;
            }
            if let Some(index) = exec.start_step_requested.take() {
                return Instruction::Step(index);
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs step `index`: resolves its inputs, makes up to `maxAttempts` attempts within its
/// timeout, and records the outcome.
async fn run_step(
    state: &Arc<State>,
    key: &ChildKey,
    index: usize,
    limit: Option<SystemTime>,
) -> StepEnd {
    let now = state.clock.now();
    let begun = {
        let mut world = state.world();
        let Some(exec) = execution(&mut world, key) else {
            return StepEnd::Gone;
        };
        if exec.cancel_requested {
            return StepEnd::Cancelled;
        }
        let variables = Variables {
            parameters: &exec.parameters,
            outputs: &exec.step_values,
            lists: &exec.list_parameters,
            execution_id: &exec.id,
            account: &key.account,
            region: &key.region,
            now: now.into(),
        };
        let step = &exec.steps[index];
        let resolved = variables.apply(step.declaration.get("inputs").unwrap_or(&Value::Null));
        let declaration = step.declaration.clone();
        let acting_as = exec.acting_as.clone();
        if exec.status != Status::Cancelling {
            exec.status = Status::InProgress;
        }
        let step = &mut exec.steps[index];
        step.status = Status::InProgress;
        step.start = Some(now);
        step.end = None;
        step.failure = None;
        step.outputs.clear();
        match resolved {
            Ok(inputs) => {
                step.inputs = inputs
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect())
                    .unwrap_or_default();
                Ok((declaration, inputs, acting_as))
            }
            Err(message) => Err(Failure::inputs(message)),
        }
    };
    let outcome = match begun {
        Ok((declaration, inputs, acting_as)) => {
            attempts(state, key, index, &declaration, &inputs, &acting_as, limit).await
        }
        Err(failure) => Err(failure),
    };
    record(state, key, index, outcome)
}

async fn attempts(
    state: &Arc<State>,
    key: &ChildKey,
    index: usize,
    declaration: &Value,
    inputs: &Value,
    acting_as: &crate::identity::Principal,
    limit: Option<SystemTime>,
) -> Result<Done, Failure> {
    let action = declaration
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let max_attempts = declaration
        .get("maxAttempts")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .max(1);
    let timeout = declaration
        .get("timeoutSeconds")
        .and_then(Value::as_u64)
        .map(Duration::from_secs)
        .or_else(|| actions::default_timeout(action));
    let mut attempt = 1;
    loop {
        let deadline = [timeout.map(|t| state.clock.now() + t), limit]
            .into_iter()
            .flatten()
            .min();
        let run = StepRun {
            state,
            key,
            acting_as,
            index,
            declaration,
            inputs,
            deadline,
        };
        match actions::perform(&run, action).await {
            Err(failure) if !failure.is_cancel() && attempt < max_attempts => attempt += 1,
            Err(mut failure) if attempt > 1 => {
                let name = declaration
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if !failure.is_cancel() {
                    failure.message = format!(
                        "Step {name} failed maximum allowed times. {}",
                        failure.message
                    );
                }
                return Err(failure);
            }
            other => return other,
        }
    }
}

/// Writes a step's outcome into the execution; its outputs become `{{ step.Output }}` values.
fn record(state: &State, key: &ChildKey, index: usize, outcome: Result<Done, Failure>) -> StepEnd {
    let now = state.clock.now();
    let mut world = state.world();
    let Some(exec) = execution(&mut world, key) else {
        return StepEnd::Gone;
    };
    let step = &mut exec.steps[index];
    step.end = Some(now);
    match outcome {
        Ok(done) => {
            step.status = Status::Success;
            step.outputs = done.outputs;
            if let Some(next) = &done.next {
                step.valid_next_steps = vec![next.clone()];
            }
            let name = step.name.clone();
            let declaration = step.declaration.clone();
            for (output, values) in step.outputs.clone() {
                let reference = format!("{name}.{output}");
                if outputs::is_list(&declaration, &output) {
                    exec.list_parameters.insert(reference.clone());
                }
                exec.step_values.insert(reference, values);
            }
            StepEnd::Success { next: done.next }
        }
        Err(failure) if failure.is_cancel() => {
            step.status = Status::Cancelled;
            StepEnd::Cancelled
        }
        Err(failure) => {
            step.status = if failure.kind == "TimedOut" {
                Status::TimedOut
            } else {
                Status::Failed
            };
            step.failure = Some(failure.clone());
            StepEnd::Failed(failure)
        }
    }
}
