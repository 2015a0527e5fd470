//! Parents of child executions: rate control (one child per target, dispatched under
//! MaxConcurrency and stopped past MaxErrors) and multi-account and Region runs (one child per
//! account and Region, each acting as that account's execution role).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::execution::{
    ChildKey, ChildSpec, Execution, Failure, ResolvedTargets, Status, Step, Targeting,
};
use super::launch::{self, invalid_parameters, Launch};
use super::parameters::Values;
use crate::iam::{authorize, trusts, Refusal, TrustRequest};
use crate::server::State;
use crate::services::sts::session_principal;
use crate::world::{InstanceState, RegionState, World};
use crate::AwsError;

/// The execution role a multi-account run assumes in each target account unless told otherwise.
const DEFAULT_EXECUTION_ROLE: &str = "AWS-SystemsManager-AutomationExecutionRole";
/// The role in the parent's account that assumes the execution roles.
const ADMINISTRATION_ROLE: &str = "AWS-SystemsManager-AutomationAdministrationRole";

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    pub key: String,
    #[serde(default)]
    pub values: Vec<String>,
}

/// Targets and rate control, as StartAutomationExecution (or a TargetLocation) gives them.
#[derive(Debug, Clone, Default)]
pub struct TargetRequest {
    pub parameter_name: Option<String>,
    pub targets: Vec<Target>,
    pub target_maps: Vec<BTreeMap<String, Vec<String>>>,
    pub max_concurrency: Option<String>,
    pub max_errors: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetLocation {
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_location_max_concurrency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_location_max_errors: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_role_name: Option<String>,
}

/// A parent's steps, what it reports of its targets, and its rate control.
pub struct Plan {
    pub steps: Vec<Step>,
    pub targeting: Targeting,
    pub max_concurrency: String,
    pub max_errors: Option<String>,
}

fn validation(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("ValidationException", message)
}

fn invalid_target(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidTarget", message)
}

/// Checks MaxConcurrency and MaxErrors against the patterns of the API model.
pub fn check_rate(max_concurrency: Option<&str>, max_errors: Option<&str>) -> Result<(), AwsError> {
    if let Some(value) = max_concurrency {
        if !is_count_or_percent(value, false) {
            return Err(validation(format!(
                "MaxConcurrency {value:?} is not valid: give a number of targets (1 or more) or a percentage (1% to 100%)."
            )));
        }
    }
    if let Some(value) = max_errors {
        if !is_count_or_percent(value, true) {
            return Err(validation(format!(
                "MaxErrors {value:?} is not valid: give a number of errors (0 or more) or a percentage (0% to 100%)."
            )));
        }
    }
    Ok(())
}

fn is_count_or_percent(value: &str, zero_ok: bool) -> bool {
    let (digits, percent) = match value.strip_suffix('%') {
        Some(d) => (d, true),
        None => (value, false),
    };
    let Ok(n) = digits.parse::<u64>() else {
        return false;
    };
    !digits.is_empty()
        && value.len() <= 7
        && (digits == "0" || !digits.starts_with('0'))
        && (zero_ok || n > 0)
        && (!percent || n <= 100)
}

/// `value` (a number or a percentage of `total`) as a number; percentages round up, at least 1
/// for concurrency.
fn resolve_count(value: &str, total: usize, at_least: usize) -> usize {
    match value.strip_suffix('%') {
        Some(p) => {
            let p: usize = p.parse().unwrap_or(100);
            (total * p).div_ceil(100).max(at_least)
        }
        None => value.parse().unwrap_or(at_least),
    }
}

/// Resolves a rate-control request into one parent step per target.
pub fn target_steps(
    request: &TargetRequest,
    parameters: &Values,
    region: Option<&RegionState>,
    now: SystemTime,
) -> Result<Plan, AwsError> {
    check_rate(
        request.max_concurrency.as_deref(),
        request.max_errors.as_deref(),
    )?;
    if !request.targets.is_empty() && !request.target_maps.is_empty() {
        return Err(validation("Targets and TargetMaps can't be used together."));
    }
    if request.targets.len() > 1 {
        return Err(validation(
            "Only one resource group or tag can be specified at a time.",
        ));
    }
    if let Some(target) = request.targets.iter().find(|t| t.values.len() > 50) {
        return Err(validation(format!(
            "Target {} has {} values; a target takes at most 50 (use a tag to reach more).",
            target.key,
            target.values.len()
        )));
    }
    let mut steps = Vec::new();
    let mut resolved = Vec::new();
    if let Some(target) = request.targets.first() {
        let Some(parameter) = &request.parameter_name else {
            return Err(invalid_parameters(
                "TargetParameterName is required when Targets is specified.",
            ));
        };
        resolved = resolve_target(target, region, now)?;
        for value in &resolved {
            let mut child = parameters.clone();
            child.insert(parameter.clone(), vec![value.clone()]);
            let mut step = Step::pending(value, "aws:executeAutomation");
            step.inputs
                .insert(parameter.clone(), Value::String(value.clone()).to_string());
            step.dispatch = Some(ChildSpec::Target {
                parameters: child,
                target: value.clone(),
            });
            steps.push(step);
        }
    }
    for map in &request.target_maps {
        let mut child = parameters.clone();
        child.extend(map.clone());
        let name: Vec<String> = map.values().flatten().cloned().collect();
        let name = name.join(",");
        let mut step = Step::pending(&name, "aws:executeAutomation");
        step.inputs = map
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::to_string(v).unwrap_or_default()))
            .collect();
        step.dispatch = Some(ChildSpec::Target {
            parameters: child,
            target: name,
        });
        steps.push(step);
    }
    if steps.is_empty() {
        return Err(invalid_target(
            "The targets resolve to no resources: check the tag or the parameter values.",
        ));
    }
    Ok(Plan {
        steps,
        targeting: Targeting {
            target_parameter_name: request.parameter_name.clone(),
            targets: request
                .targets
                .iter()
                .filter_map(|t| serde_json::to_value(t).ok())
                .collect(),
            target_maps: request
                .target_maps
                .iter()
                .filter_map(|m| serde_json::to_value(m).ok())
                .collect(),
            max_concurrency: Some(
                request
                    .max_concurrency
                    .clone()
                    .unwrap_or_else(|| "10".into()),
            ),
            max_errors: request.max_errors.clone(),
            resolved_targets: ResolvedTargets {
                parameter_values: resolved,
                truncated: false,
            },
        },
        max_concurrency: request
            .max_concurrency
            .clone()
            .unwrap_or_else(|| "10".into()),
        max_errors: request.max_errors.clone(),
    })
}

fn resolve_target(
    target: &Target,
    region: Option<&RegionState>,
    now: SystemTime,
) -> Result<Vec<String>, AwsError> {
    let live_instances = || {
        region
            .into_iter()
            .flat_map(|r| r.instances.values())
            .filter(move |i| i.state(now) != InstanceState::Terminated)
    };
    match target.key.as_str() {
        "ParameterValues" => Ok(target.values.clone()),
        "AWS::EC2::Instance" if target.values == ["*"] => {
            Ok(live_instances().map(|i| i.id.clone()).collect())
        }
        "AWS::EC2::Instance" => Err(invalid_target(
            "Target AWS::EC2::Instance takes the single value * (every instance).",
        )),
        "ResourceGroup" => Err(invalid_target(format!(
            "Resource group {} does not exist: the emulator has no resource groups; target by tag instead.",
            target.values.join(",")
        ))),
        key => match key.strip_prefix("tag:") {
            Some(tag) if !tag.is_empty() => Ok(live_instances()
                .filter(|i| {
                    i.tags.get(tag).is_some_and(|v| {
                        target.values.is_empty() || target.values.iter().any(|w| w == v)
                    })
                })
                .map(|i| i.id.clone())
                .collect()),
            _ => Err(invalid_target(format!(
                "Target key {key} is not valid: use ParameterValues, tag:<key>, ResourceGroup or AWS::EC2::Instance."
            ))),
        },
    }
}

/// One parent step per account and Region of the target locations.
pub fn location_steps(
    locations: &[TargetLocation],
    targeting: Option<&TargetRequest>,
) -> Result<Plan, AwsError> {
    if locations.len() > 100 {
        return Err(validation("TargetLocations takes at most 100 locations."));
    }
    let mut steps = Vec::new();
    for location in locations {
        check_rate(
            location.target_location_max_concurrency.as_deref(),
            location.target_location_max_errors.as_deref(),
        )?;
        if location.accounts.is_empty() || location.regions.is_empty() {
            return Err(validation(
                "Each target location needs at least one account and one Region.",
            ));
        }
        let role = location
            .execution_role_name
            .clone()
            .unwrap_or_else(|| DEFAULT_EXECUTION_ROLE.to_owned());
        for account in &location.accounts {
            for region in &location.regions {
                let mut step =
                    Step::pending(&format!("{account}:{region}"), "aws:executeAutomation");
                step.dispatch = Some(ChildSpec::Location {
                    account: account.clone(),
                    region: region.clone(),
                    execution_role_name: role.clone(),
                    targeting: targeting.cloned(),
                });
                steps.push(step);
            }
        }
    }
    let first = locations.first();
    Ok(Plan {
        steps,
        targeting: Targeting {
            target_parameter_name: targeting.and_then(|t| t.parameter_name.clone()),
            targets: targeting
                .map(|t| {
                    t.targets
                        .iter()
                        .filter_map(|x| serde_json::to_value(x).ok())
                        .collect()
                })
                .unwrap_or_default(),
            max_concurrency: targeting.and_then(|t| t.max_concurrency.clone()),
            max_errors: targeting.and_then(|t| t.max_errors.clone()),
            ..Targeting::default()
        },
        max_concurrency: first
            .and_then(|l| l.target_location_max_concurrency.clone())
            .unwrap_or_else(|| "1".into()),
        max_errors: Some(
            first
                .and_then(|l| l.target_location_max_errors.clone())
                .unwrap_or_else(|| "0".into()),
        ),
    })
}

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
    match parent.steps[index].dispatch.as_ref() {
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
            let administrator = session_principal(
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
            let session = session_principal(&role.id, account, &role.name, &role_arn, &parent.id);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_values_follow_the_model_patterns() {
        for good in ["1", "10", "100%", "5%"] {
            assert!(is_count_or_percent(good, false), "{good}");
        }
        for bad in ["0", "0%", "101%", "01", "ten", "", "%"] {
            assert!(!is_count_or_percent(bad, false), "{bad}");
        }
        assert!(is_count_or_percent("0", true));
        assert!(is_count_or_percent("0%", true));
        assert_eq!(resolve_count("10%", 25, 1), 3);
        assert_eq!(resolve_count("1%", 5, 1), 1);
        assert_eq!(resolve_count("0", 5, 0), 0);
        assert_eq!(resolve_count("4", 5, 1), 4);
    }
}
