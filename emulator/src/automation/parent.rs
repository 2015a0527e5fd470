//! Runs a parent execution: starts its children (one per target, or per account and Region) as
//! the rate control allows, follows them to their end, and passes a cancel on to them.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::launch::{self, Launch};
use super::targets::resolve_count;
use crate::iam::{authorize, trusts, Refusal, TrustRequest};
use crate::identity::Principal;
use crate::state::State;
use crate::world::execution::{ChildKey, ChildSpec, Execution, Failure, Status};
use crate::world::World;
use crate::AwsError;

/// The role in the parent's account that assumes the execution roles.
const ADMINISTRATION_ROLE: &str = "AWS-SystemsManager-AutomationAdministrationRole";

fn parent_mut<'w>(world: &'w mut World, key: &ChildKey) -> Option<&'w mut Execution> {
    world
        .region_mut(&key.account, &key.region)
        .executions
        .get_mut(&key.id)
}

fn child<'w>(world: &'w World, key: &ChildKey) -> Option<&'w Execution> {
    world
        .region(&key.account, &key.region)?
        .executions
        .get(&key.id)
}

/// Runs a parent: dispatches children (one at first, then more, up to MaxConcurrency), follows
/// them to their end, stops dispatching past MaxErrors, and passes a cancel on to them.
pub async fn run_parent(state: &Arc<State>, key: &ChildKey) {
    // Concurrency grows from one child, then two more, then exponentially.
    let mut ramp = 1usize;
    loop {
        {
            let mut world = state.world();
            let now = state.clock.now();
            match tick(state, &mut world, key, now, &mut ramp) {
                Some(()) => {}
                None => return,
            }
        }
        tokio::time::sleep(
            state
                .clock
                .real_duration(Duration::from_secs(1))
                .min(Duration::from_millis(20)),
        )
        .await;
    }
}

/// One look at the parent; `None` once it has finished.
fn tick(
    state: &Arc<State>,
    world: &mut World,
    key: &ChildKey,
    now: SystemTime,
    ramp: &mut usize,
) -> Option<()> {
    // What the children have come to.
    let parent = parent_mut(world, key)?;
    let children: Vec<(usize, ChildKey)> = parent
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.status.is_terminal())
        .filter_map(|(i, s)| s.child.clone().map(|c| (i, c)))
        .collect();
    let cancel = parent.cancel_requested;
    let mut seen = Vec::new();
    for (index, child_key) in children {
        let Some(child) = child(world, &child_key) else {
            continue;
        };
        seen.push((
            index,
            child.status,
            child.end,
            child.failure_message.clone(),
        ));
        if cancel && !child.status.is_terminal() {
            if let Some(child) = parent_mut(world, &child_key) {
                child.cancel_requested = true;
                if child.admitted {
                    child.status = Status::Cancelling;
                }
            }
        }
    }
    let parent = parent_mut(world, key)?;
    for (index, status, end, failure) in seen {
        let step = &mut parent.steps[index];
        if status.is_terminal() {
            step.status = status;
            step.end = end.or(Some(now));
            step.outputs
                .insert("Status".into(), vec![status.name().to_owned()]);
            if status == Status::Success {
                *ramp = (*ramp * 2 + 1).max(3);
            } else {
                step.failure = Some(Failure {
                    stage: "Execution",
                    kind: "Verification",
                    message: failure.unwrap_or_else(|| {
                        format!("The child automation ended {}.", status.name())
                    }),
                });
            }
        } else {
            step.status = if status == Status::Waiting {
                Status::Waiting
            } else {
                Status::InProgress
            };
        }
    }

    let total = parent.steps.len();
    let running = parent
        .steps
        .iter()
        .filter(|s| s.child.is_some() && !s.status.is_terminal())
        .count();
    let errors = parent
        .steps
        .iter()
        .filter(|s| {
            matches!(
                s.status,
                Status::Failed | Status::TimedOut | Status::Cancelled
            )
        })
        .count();
    let (max_concurrency, max_errors) = parent.rate_limits.clone();
    let concurrency = resolve_count(&max_concurrency, total, 1);
    let threshold = max_errors.as_deref().map(|e| resolve_count(e, total, 0));
    let exceeded = threshold.is_some_and(|t| errors > t);
    let waiting: Vec<usize> = parent
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.status == Status::Pending && s.child.is_none())
        .map(|(i, _)| i)
        .collect();

    if cancel || exceeded || waiting.is_empty() {
        if running > 0 {
            return Some(());
        }
        let status = if cancel {
            Status::Cancelled
        } else if errors > 0 {
            Status::Failed
        } else {
            Status::Success
        };
        if status == Status::Failed {
            parent.failure_message = Some(if exceeded {
                format!("{errors} of {total} child automations failed, more than the error threshold ({}); the remaining targets were not run.", max_errors.unwrap_or_default())
            } else {
                format!("{errors} of {total} child automations failed.")
            });
        }
        parent.status = status;
        parent.end = Some(now);
        return None;
    }

    parent.status = Status::InProgress;
    let room = concurrency.min(*ramp).saturating_sub(running);
    let parent = parent.clone();
    for index in waiting.into_iter().take(room) {
        let started = start_child(state, world, &parent, index);
        let step = parent_mut(world, key).map(|p| &mut p.steps[index])?;
        step.start = Some(now);
        match started {
            Ok(child) => {
                step.status = Status::InProgress;
                step.outputs
                    .insert("ExecutionId".into(), vec![child.id.clone()]);
                step.child = Some(child);
            }
            Err(message) => {
                step.status = Status::Failed;
                step.end = Some(now);
                step.failure = Some(Failure {
                    stage: "Execution",
                    kind: "Verification",
                    message,
                });
            }
        }
    }
    Some(())
}

/// Starts the child of `parent`'s step `index`.
fn start_child(
    state: &Arc<State>,
    world: &mut World,
    parent: &Execution,
    index: usize,
) -> Result<ChildKey, String> {
    let home_account = &parent.caller.account;
    let home_region = parent.home_region.as_str();
    let owned_here = world
        .region(home_account, home_region)
        .is_some_and(|r| r.documents.contains_key(&parent.document_name));
    let common = Launch {
        document_name: parent.document_name.clone(),
        document_version: Some(parent.document_version.to_string()),
        parameters: parent.parameters.clone(),
        parent: Some(parent.id.clone()),
        tags: parent.tags.clone(),
        ..Launch::default()
    };
    let describe = |e: AwsError| format!("{}: {}", e.code, e.message);
    match parent.steps[index].child_spec.as_ref() {
        Some(ChildSpec::Target { parameters, target }) => {
            let id = launch::launch(
                state,
                world,
                &parent.caller,
                home_region,
                Launch {
                    parameters: parameters.clone(),
                    target: Some(target.clone()),
                    ..common
                },
            )
            .map_err(describe)?;
            Ok(ChildKey {
                account: home_account.clone(),
                region: home_region.to_owned(),
                id,
            })
        }
        Some(ChildSpec::Location {
            account,
            region,
            execution_role_name,
            targeting,
        }) => {
            // As in AWS, the administration role of the parent's account assumes each
            // location's execution role.
            let role_arn = format!("arn:aws:iam::{account}:role/{execution_role_name}");
            let administration = world.role(home_account, ADMINISTRATION_ROLE).ok_or_else(|| {
                format!(
                    "Multi-account runs need the role {ADMINISTRATION_ROLE} in account {home_account}; it does not exist."
                )
            })?;
            let administrator_arn = administration.arn();
            let administrator = Principal::role_session(
                &administration.id,
                home_account,
                &administration.name,
                &administrator_arn,
                &parent.id,
            );
            authorize(
                world,
                &administrator,
                "sts:AssumeRole",
                &role_arn,
                Refusal::Query,
            )
            .map_err(describe)?;
            let role = world.role(account, execution_role_name).ok_or_else(|| {
                format!("The execution role {role_arn} does not exist in account {account}.")
            })?;
            let trusted = trusts(
                role,
                &TrustRequest {
                    principal: ("AWS", &administrator_arn),
                    source_account: None,
                    source_arn: None,
                },
            );
            if !trusted {
                return Err(format!(
                    "The execution role {role_arn} does not trust {administrator_arn}, so it cannot be assumed."
                ));
            }
            let session =
                Principal::role_session(&role.id, account, &role.name, &role_arn, &parent.id);
            let document_name = if owned_here && account != home_account {
                format!(
                    "arn:aws:ssm:{home_region}:{home_account}:document/{}",
                    parent.document_name
                )
            } else {
                parent.document_name.clone()
            };
            let id = launch::launch(
                state,
                world,
                &session,
                region,
                Launch {
                    document_name,
                    targeting: targeting.clone(),
                    ..common
                },
            )
            .map_err(describe)?;
            Ok(ChildKey {
                account: account.clone(),
                region: region.clone(),
                id,
            })
        }
        None => Err("This step starts no child automation.".into()),
    }
}
