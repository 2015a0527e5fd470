//! Runs an execution's steps in order (or by `nextStep` / `isEnd` / `onFailure`), each with the
//! permissions of the principal the execution acts as. Waits are measured on the emulator's clock.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::execution::{Execution, Failure, Status};
use super::interpolate::Variables;
use crate::identity::Principal;
use crate::protocol::query::QueryParams;
use crate::protocol::RequestContext;
use crate::server::State;
use crate::services::ec2;
use crate::world::{InstanceState, World};

/// How often a waiting step looks again, in emulated time.
const POLL: Duration = Duration::from_secs(2);
/// aws:approve's default timeout (7 days).
const APPROVAL_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);
/// aws:changeInstanceState's default timeout.
const CHANGE_STATE_TIMEOUT: Duration = Duration::from_secs(3600);

/// Where an execution lives.
#[derive(Debug, Clone)]
pub struct Key {
    pub account: String,
    pub region: String,
    pub id: String,
}

pub fn spawn(state: Arc<State>, key: Key) {
    tokio::spawn(async move { run(&state, &key).await });
}

fn execution<'w>(world: &'w mut World, key: &Key) -> Option<&'w mut Execution> {
    world
        .region_mut(&key.account, &key.region)
        .executions
        .get_mut(&key.id)
}

fn finish(execution: &mut Execution, status: Status, now: SystemTime) {
    execution.status = status;
    execution.end = Some(now);
}

fn step_index(execution: &Execution, name: &str) -> Option<usize> {
    execution.steps.iter().position(|s| s.name == name)
}

async fn run(state: &State, key: &Key) {
    let mut index = 0;
    loop {
        let now = state.clock.now();
        // Begin the step: resolve its inputs and mark it running.
        let begun = {
            let mut world = state.world();
            let Some(exec) = execution(&mut world, key) else {
                return;
            };
            if exec.cancel_requested {
                finish(exec, Status::Cancelled, now);
                return;
            }
            let Some(step) = exec.steps.get(index) else {
                finish(exec, Status::Success, now);
                return;
            };
            let variables = Variables {
                parameters: &exec.parameters,
                lists: &exec.list_parameters,
                execution_id: &exec.id,
                account: &key.account,
                region: &key.region,
                now: now.into(),
            };
            let resolved = variables.apply(step.declaration.get("inputs").unwrap_or(&Value::Null));
            let action = step.action.clone();
            let timeout = step
                .declaration
                .get("timeoutSeconds")
                .and_then(Value::as_u64)
                .map(Duration::from_secs);
            let acting_as = exec.acting_as.clone();
            exec.status = Status::InProgress;
            let step = &mut exec.steps[index];
            step.status = Status::InProgress;
            step.start = Some(now);
            match resolved {
                Ok(inputs) => {
                    step.inputs = inputs
                        .as_object()
                        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect())
                        .unwrap_or_default();
                    Ok((action, inputs, acting_as, timeout))
                }
                Err(message) => Err(Failure {
                    stage: "Inputs",
                    kind: "Verification",
                    message,
                }),
            }
        };
        let outcome = match begun {
            Ok((action, inputs, acting_as, timeout)) => {
                perform(state, key, &action, &inputs, &acting_as, timeout).await
            }
            Err(failure) => Err(failure),
        };

        // Record the outcome and choose the next step.
        let now = state.clock.now();
        let mut world = state.world();
        let Some(exec) = execution(&mut world, key) else {
            return;
        };
        let declaration = exec.steps[index].declaration.clone();
        let step = &mut exec.steps[index];
        step.end = Some(now);
        match outcome {
            Ok(outputs) => {
                step.status = Status::Success;
                step.outputs = outputs;
            }
            Err(failure) if failure.kind == "Cancelled" => {
                step.status = Status::Cancelled;
                finish(exec, Status::Cancelled, now);
                return;
            }
            Err(failure) => {
                step.status = if failure.kind == "TimedOut" {
                    Status::TimedOut
                } else {
                    Status::Failed
                };
                let message = failure.message.clone();
                step.failure = Some(failure);
                match declaration
                    .get("onFailure")
                    .and_then(Value::as_str)
                    .unwrap_or("Abort")
                {
                    "Continue" => {}
                    target if target.starts_with("step:") => match step_index(exec, &target[5..]) {
                        Some(next) => {
                            index = next;
                            continue;
                        }
                        None => return finish(exec, Status::Failed, now),
                    },
                    _ => {
                        let name = exec.steps[index].name.clone();
                        exec.failure_message =
                            Some(format!("Step fails when it is executing {name}. {message}"));
                        let status = exec.steps[index].status;
                        finish(
                            exec,
                            if status == Status::TimedOut {
                                Status::TimedOut
                            } else {
                                Status::Failed
                            },
                            now,
                        );
                        return;
                    }
                }
            }
        }
        if declaration
            .get("isEnd")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            finish(exec, Status::Success, now);
            return;
        }
        index = match declaration.get("nextStep").and_then(Value::as_str) {
            Some(next) => match step_index(exec, next) {
                Some(i) => i,
                None => return finish(exec, Status::Failed, now),
            },
            None => index + 1,
        };
    }
}

type Outputs = std::collections::BTreeMap<String, Vec<String>>;

async fn perform(
    state: &State,
    key: &Key,
    action: &str,
    inputs: &Value,
    acting_as: &Principal,
    timeout: Option<Duration>,
) -> Result<Outputs, Failure> {
    match action {
        "aws:sleep" => {
            let duration = sleep_duration(inputs, state.clock.now())?;
            wait_until(state, key, state.clock.now() + duration, None, |_| None::<()>).await?;
            Ok(Outputs::new())
        }
        "aws:pause" => {
            {
                let mut world = state.world();
                if let Some(exec) = execution(&mut world, key) {
                    exec.status = Status::Waiting;
                    exec.resume_requested = false;
                }
            }
            wait_until(state, key, SystemTime::UNIX_EPOCH, None, |exec| {
                exec.resume_requested.then_some(())
            })
            .await?;
            let mut world = state.world();
            if let Some(exec) = execution(&mut world, key) {
                exec.status = Status::InProgress;
            }
            Ok(Outputs::new())
        }
        "aws:changeInstanceState" => change_instance_state(state, key, inputs, acting_as).await,
        "aws:createTags" => create_tags(state, key, inputs, acting_as),
        "aws:approve" => approve(state, key, inputs, timeout.unwrap_or(APPROVAL_TIMEOUT)).await,
        other => Err(Failure {
            stage: "Execution",
            kind: "Verification",
            message: format!(
                "The emulator does not perform {other}: it cannot run this action faithfully, so the step fails rather than pretend."
            ),
        }),
    }
}

/// `Duration` (ISO 8601, e.g. PT10M) or `Timestamp`.
fn sleep_duration(inputs: &Value, now: SystemTime) -> Result<Duration, Failure> {
    let invalid = |message: String| Failure {
        stage: "Inputs",
        kind: "Verification",
        message,
    };
    if let Some(text) = inputs.get("Duration").and_then(Value::as_str) {
        return parse_iso_duration(text).ok_or_else(|| {
            invalid(format!(
                "Duration {text} is not an ISO 8601 duration such as PT10M."
            ))
        });
    }
    if let Some(text) = inputs.get("Timestamp").and_then(Value::as_str) {
        let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                invalid(format!(
                    "Timestamp {text} is not a time such as 2020-01-01T01:00:00Z."
                ))
            })?;
        return Ok(SystemTime::from(at).duration_since(now).unwrap_or_default());
    }
    Err(invalid("aws:sleep needs a Duration or a Timestamp.".into()))
}

fn parse_iso_duration(text: &str) -> Option<Duration> {
    let rest = text.strip_prefix("PT")?;
    let mut total = 0u64;
    let mut number = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'H' | 'M' | 'S' => {
                let n: u64 = number.parse().ok()?;
                total += n * match c {
                    'H' => 3600,
                    'M' => 60,
                    _ => 1,
                };
                number.clear();
            }
            _ => return None,
        }
    }
    (number.is_empty() && total <= 604_799).then(|| Duration::from_secs(total))
}

/// Waits until `deadline` (if in the future), or until `done` finds what it waits for; a cancel
/// ends the wait. `timeout`, when given, fails the step as TimedOut.
async fn wait_until<T>(
    state: &State,
    key: &Key,
    deadline: SystemTime,
    timeout: Option<SystemTime>,
    done: impl Fn(&Execution) -> Option<T>,
) -> Result<Option<T>, Failure> {
    loop {
        {
            let mut world = state.world();
            let Some(exec) = execution(&mut world, key) else {
                return Err(cancelled());
            };
            if exec.cancel_requested {
                return Err(cancelled());
            }
            if let Some(found) = done(exec) {
                return Ok(Some(found));
            }
        }
        let now = state.clock.now();
        if deadline > SystemTime::UNIX_EPOCH && now >= deadline {
            return Ok(None);
        }
        if timeout.is_some_and(|t| now >= t) {
            return Err(Failure {
                stage: "Execution",
                kind: "TimedOut",
                message: "Step timed out.".into(),
            });
        }
        // Short real-time naps keep cancels and signals prompt at any time scale.
        let step = if deadline > now {
            deadline.duration_since(now).unwrap_or_default().min(POLL)
        } else {
            POLL
        };
        tokio::time::sleep(
            state
                .clock
                .real_duration(step)
                .min(Duration::from_millis(50)),
        )
        .await;
    }
}

fn cancelled() -> Failure {
    Failure {
        stage: "Execution",
        kind: "Cancelled",
        message: "The execution was cancelled.".into(),
    }
}

async fn change_instance_state(
    state: &State,
    key: &Key,
    inputs: &Value,
    acting_as: &Principal,
) -> Result<Outputs, Failure> {
    let failure = |message: String| Failure {
        stage: "Execution",
        kind: "Verification",
        message,
    };
    let ids = string_list(inputs.get("InstanceIds"));
    if ids.is_empty() {
        return Err(failure(
            "InstanceIds must list at least one instance.".into(),
        ));
    }
    let desired = inputs
        .get("DesiredState")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (operation, target) = match desired {
        "running" => ("StartInstances", InstanceState::Running),
        "stopped" => ("StopInstances", InstanceState::Stopped),
        "terminated" => ("TerminateInstances", InstanceState::Terminated),
        other => {
            return Err(failure(format!(
                "DesiredState {other:?} is not valid: use running, stopped or terminated."
            )))
        }
    };
    let flag = |name: &str| match inputs.get(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    let call = |operation: &str, extra: &[(String, String)]| {
        let mut pairs: Vec<(String, String)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (format!("InstanceId.{}", i + 1), id.clone()))
            .collect();
        pairs.extend_from_slice(extra);
        call_ec2(state, key, acting_as, operation, pairs)
    };
    if !flag("CheckStateOnly") {
        let force = if flag("Force") && operation == "StopInstances" {
            vec![("Force".to_owned(), "true".to_owned())]
        } else {
            Vec::new()
        };
        call(operation, &force)?;
    }
    let timeout = state.clock.now() + CHANGE_STATE_TIMEOUT;
    loop {
        call("DescribeInstances", &[])?;
        let reached = {
            let now = state.clock.now();
            let world = state.world();
            world.region(&key.account, &key.region).is_some_and(|r| {
                ids.iter()
                    .all(|id| r.instances.get(id).is_some_and(|i| i.state(now) == target))
            })
        };
        if reached {
            let mut outputs = Outputs::new();
            outputs.insert("InstanceStates".into(), vec![desired.to_owned(); ids.len()]);
            return Ok(outputs);
        }
        let next = state.clock.now() + POLL;
        wait_until(state, key, next, Some(timeout), |_| None::<()>).await?;
    }
}

/// Waits for `MinRequiredApprovals` Approve signals from listed approvers; one Reject fails the step.
async fn approve(
    state: &State,
    key: &Key,
    inputs: &Value,
    timeout: Duration,
) -> Result<Outputs, Failure> {
    let approvers = string_list(inputs.get("Approvers"));
    let needed = match inputs.get("MinRequiredApprovals") {
        None => 1,
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(_) => 0,
    };
    if approvers.is_empty()
        || approvers.len() > 10
        || needed == 0
        || needed > approvers.len() as u64
    {
        return Err(Failure {
            stage: "Inputs",
            kind: "Verification",
            message: format!(
                "aws:approve needs 1 to 10 Approvers and MinRequiredApprovals between 1 and their number (got {} and {needed}).",
                approvers.len()
            ),
        });
    }
    {
        let mut world = state.world();
        if let Some(exec) = execution(&mut world, key) {
            exec.status = Status::Waiting;
            exec.decisions.clear();
        }
    }
    let deadline = state.clock.now() + timeout;
    let verdict = wait_until(state, key, SystemTime::UNIX_EPOCH, Some(deadline), |exec| {
        if let Some(rejection) = exec.decisions.iter().find(|d| !d.approved) {
            return Some(Err(rejection.clone()));
        }
        let approvals = exec.decisions.iter().filter(|d| d.approved).count() as u64;
        (approvals >= needed).then(|| Ok(exec.decisions.clone()))
    })
    .await?;
    {
        let mut world = state.world();
        if let Some(exec) = execution(&mut world, key) {
            exec.status = Status::InProgress;
        }
    }
    let decisions_json = |decisions: &[super::execution::Decision]| {
        serde_json::to_string(
            &decisions
                .iter()
                .map(|d| serde_json::json!({"Approver": d.approver, "Decision": if d.approved { "Approved" } else { "Rejected" }, "Comment": d.comment}))
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default()
    };
    match verdict {
        Some(Ok(decisions)) => {
            let mut outputs = Outputs::new();
            outputs.insert("ApprovalStatus".into(), vec!["Approved".into()]);
            outputs.insert("ApproverDecisions".into(), vec![decisions_json(&decisions)]);
            Ok(outputs)
        }
        Some(Err(rejection)) => Err(Failure {
            stage: "Execution",
            kind: "Verification",
            message: format!(
                "Step was rejected by {}{}.",
                rejection.approver,
                rejection
                    .comment
                    .map(|c| format!(" with comment: {c}"))
                    .unwrap_or_default()
            ),
        }),
        None => Err(Failure {
            stage: "Execution",
            kind: "TimedOut",
            message: "Step timed out while waiting for approval.".into(),
        }),
    }
}

/// Calls an EC2 operation as `acting_as`, failing the step in boto3's words when EC2 refuses.
fn call_ec2(
    state: &State,
    key: &Key,
    acting_as: &Principal,
    operation: &str,
    pairs: Vec<(String, String)>,
) -> Result<(), Failure> {
    let ctx = RequestContext {
        request_id: uuid::Uuid::new_v4().to_string(),
        signing_service: Some("ec2".into()),
        region: key.region.clone(),
        caller: acting_as.clone(),
    };
    ec2::handle(state, &ctx, operation, &QueryParams::from_pairs(pairs))
        .map(|_| ())
        .map_err(|e| Failure {
            stage: "Execution",
            kind: "Verification",
            message: format!(
                "An error occurred ({}) when calling the {operation} operation: {}",
                e.code, e.message
            ),
        })
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

fn create_tags(
    state: &State,
    key: &Key,
    inputs: &Value,
    acting_as: &Principal,
) -> Result<Outputs, Failure> {
    let resources = string_list(inputs.get("ResourceIds"));
    let mut pairs: Vec<(String, String)> = resources
        .iter()
        .enumerate()
        .map(|(i, id)| (format!("ResourceId.{}", i + 1), id.clone()))
        .collect();
    for (i, tag) in inputs
        .get("Tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for field in ["Key", "Value"] {
            let text = tag.get(field).and_then(Value::as_str).unwrap_or_default();
            pairs.push((format!("Tag.{}.{field}", i + 1), text.to_owned()));
        }
    }
    call_ec2(state, key, acting_as, "CreateTags", pairs)?;
    Ok(Outputs::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations_parse_within_the_limit() {
        assert_eq!(parse_iso_duration("PT10M"), Some(Duration::from_secs(600)));
        assert_eq!(
            parse_iso_duration("PT1H2M3S"),
            Some(Duration::from_secs(3723))
        );
        assert_eq!(parse_iso_duration("PT5"), None);
        assert_eq!(parse_iso_duration("P1D"), None);
        assert_eq!(parse_iso_duration("PT168H"), None);
    }
}
