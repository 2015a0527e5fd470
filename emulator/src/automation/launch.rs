//! Starting an execution — for StartAutomationExecution, for a parent's children and for
//! aws:executeAutomation alike: the runbook found and authorised, its parameters validated, the
//! service role checked, the steps laid out, and the execution admitted under the account's
//! concurrency quota or queued behind it. An admitted execution goes to the engine through
//! [`State::run_execution`], so starting one does not depend on running one.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;

use super::interpolate::Variables;
use super::parameters::{self, invalid_parameters, Values};
use super::targets;
use crate::iam::{trusts, TrustRequest};
use crate::identity::Principal;
use crate::protocol::{Answer, RequestContext};
use crate::runbook;
use crate::scope::Scope;
use crate::state::State;
use crate::world::execution::{ChildKey, Execution, Status, Step, TargetLocation, TargetRequest};
use crate::world::role::split_arn;
use crate::world::World;
use crate::AwsError;

/// An execution to start.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    pub document_name: String,
    pub document_version: Option<String>,
    pub parameters: Values,
    pub interactive: bool,
    pub targeting: Option<TargetRequest>,
    pub target_locations: Vec<TargetLocation>,
    /// TargetLocations as requested, reported back on the parent.
    pub target_locations_echo: Option<Value>,
    pub tags: BTreeMap<String, String>,
    pub parent: Option<String>,
    pub target: Option<String>,
    pub alarm_configuration: Option<Value>,
}

/// Starts `launch` in `region` of `caller`'s account; returns the execution's id. A refused start
/// leaves nothing behind.
pub fn launch(
    state: &Arc<State>,
    world: &mut World,
    caller: &Principal,
    region: &str,
    launch: Launch,
) -> Result<String, AwsError> {
    let ctx = RequestContext {
        request_id: uuid::Uuid::new_v4().to_string(),
        signing_service: Some("ssm".into()),
        region: region.to_owned(),
        caller: caller.clone(),
        answer: Answer::Wire,
    };
    let scope = Scope::new(state, &ctx);
    let account = caller.account.clone();
    let now = state.clock.now();
    let id = uuid::Uuid::new_v4().to_string();

    let document = scope.find(world, &launch.document_name).map_err(|_| {
        AwsError::bad_request(
            "AutomationDefinitionNotFoundException",
            format!(
                "Document with name {} does not exist.",
                launch.document_name
            ),
        )
    })?;
    scope.authorize(
        world,
        "ssm:StartAutomationExecution",
        &scope.document_arn(document),
    )?;
    let version = document
        .resolve(launch.document_version.as_deref())
        .ok_or_else(|| {
            AwsError::bad_request(
                "AutomationDefinitionVersionNotFoundException",
                format!(
                    "Document {} has no version {}.",
                    document.name,
                    launch.document_version.as_deref().unwrap_or("$DEFAULT")
                ),
            )
        })?;
    let mut declared = runbook::parameters(&version.tree);
    // A rate-control parent leaves its target parameter to each child.
    let target_parameter = launch
        .targeting
        .as_ref()
        .and_then(|t| t.parameter_name.clone());
    if let Some(name) = &target_parameter {
        if !declared.iter().any(|(d, _)| d == name) {
            return Err(invalid_parameters(format!(
                "TargetParameterName {name} is not a parameter of {}.",
                document.name
            )));
        }
        declared.retain(|(d, _)| d != name);
    }
    let resolved =
        parameters::validate(&launch.parameters, &declared).map_err(invalid_parameters)?;
    let list_parameters = parameters::list_names(&runbook::parameters(&version.tree));
    let acting_as = service_role(
        &scope,
        world,
        &version.tree,
        &resolved,
        &list_parameters,
        &id,
        now,
    )?;

    let plan = if !launch.target_locations.is_empty() {
        Some(targets::location_steps(
            &launch.target_locations,
            launch.targeting.as_ref(),
        )?)
    } else if let Some(targeting) = &launch.targeting {
        Some(targets::target_steps(
            targeting,
            &resolved,
            world.region(&account, region),
            now,
        )?)
    } else {
        None
    };
    let is_parent = plan.is_some();
    let (steps, targeting, rate_limits) = match plan {
        Some(plan) => (
            plan.steps,
            Some(plan.targeting),
            (plan.max_concurrency, plan.max_errors),
        ),
        None => (runbook_steps(&version.tree), None, ("1".to_owned(), None)),
    };

    // Admission: run now, or queue behind the account's quota.
    let limits = state.limits;
    let (running, parents, queued) = load(world, &account);
    let admitted = if is_parent {
        parents < limits.rate_control
    } else {
        running < limits.running
    };
    if !admitted && queued >= limits.queued {
        return Err(AwsError::bad_request(
            "AutomationExecutionLimitExceededException",
            format!(
                "The account has {running} automations running and {queued} queued, the most it may have; start this one when some have finished."
            ),
        ));
    }

    let execution = Execution {
        id: id.clone(),
        // As SSM reports it: another account's runbook by the ARN it had to be started by, so
        // a bare name always means the caller's own runbook or Amazon's.
        document_name: if document.owner == "Amazon" || document.owner == account {
            document.name.clone()
        } else {
            scope.document_arn(document)
        },
        document_version: version.number,
        mode: if launch.interactive {
            "Interactive"
        } else {
            "Auto"
        },
        automation_type: if launch.target_locations.is_empty() {
            "Local"
        } else {
            "CrossAccount"
        },
        status: if launch.interactive && admitted {
            Status::Waiting
        } else {
            Status::Pending
        },
        admitted,
        parameters: resolved,
        list_parameters,
        start: now,
        end: None,
        executed_by: caller.arn.clone(),
        caller: caller.clone(),
        acting_as,
        steps,
        failure_message: None,
        tags: launch.tags,
        cancel_requested: false,
        resume_requested: false,
        decisions: Vec::new(),
        start_step_requested: None,
        stop_step_requested: false,
        complete_requested: false,
        step_values: Values::new(),
        runbook_outputs: version
            .tree
            .get("outputs")
            .and_then(Value::as_array)
            .map(|o| {
                o.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        failed_critical: false,
        parent: launch.parent,
        target: launch.target,
        targeting,
        rate_limits,
        home_region: region.to_owned(),
        target_locations: launch.target_locations_echo,
        alarm_configuration: launch.alarm_configuration,
    };
    let key = ChildKey {
        account: account.clone(),
        region: region.to_owned(),
        id: id.clone(),
    };
    world
        .region_mut(&account, region)
        .executions
        .insert(id.clone(), execution);
    if admitted {
        state.run_execution(key);
    } else if let Some(account) = world.accounts.get_mut(&account) {
        account.queue.push_back((region.to_owned(), id.clone()));
    }
    Ok(id)
}

/// Whose permissions the steps use: a session of the runbook's assumeRole (well formed, existing,
/// trusting SSM, and passable by the caller), or the caller's own.
fn service_role(
    scope: &Scope<'_>,
    world: &World,
    tree: &Value,
    resolved: &Values,
    lists: &std::collections::BTreeSet<String>,
    id: &str,
    now: SystemTime,
) -> Result<Principal, AwsError> {
    let no_outputs = Values::new();
    let variables = Variables {
        parameters: resolved,
        outputs: &no_outputs,
        lists,
        execution_id: id,
        account: scope.account(),
        region: scope.region(),
        now: now.into(),
    };
    let mut role_arn = match tree.get("assumeRole") {
        Some(declared) => variables.apply(declared).map_err(invalid_parameters)?,
        None => Value::Null,
    };
    // A role given as arn:aws:iam::{{ global:ACCOUNT_ID }}:role/… (as multi-account runs do)
    // names the role in the account the execution runs in.
    if role_arn.as_str().is_some_and(|r| r.contains("{{")) {
        role_arn = variables.apply(&role_arn).map_err(invalid_parameters)?;
    }
    let role_arn = role_arn.as_str().unwrap_or_default().to_owned();
    if role_arn.is_empty() {
        return Ok(scope.caller().clone());
    }
    if split_arn(&role_arn).is_none() {
        return Err(invalid_parameters(
            "The format of the supplied assume role ARN isn't valid.",
        ));
    }
    let unable = || invalid_parameters("The defined assume role is unable to be assumed.");
    let role = world.role_by_arn(&role_arn).ok_or_else(unable)?;
    let source_arn = format!(
        "arn:aws:ssm:{}:{}:automation-execution/{id}",
        scope.region(),
        scope.account()
    );
    let trusted = trusts(
        role,
        &TrustRequest {
            principal: ("Service", "ssm.amazonaws.com"),
            source_account: Some(scope.account()),
            source_arn: Some(&source_arn),
        },
    );
    if !trusted {
        return Err(unable());
    }
    let session = Principal::role_session(&role.id, &role.account, &role.name, &role_arn, id);
    scope.authorize(world, "iam:PassRole", &role_arn)?;
    Ok(session)
}

fn runbook_steps(tree: &Value) -> Vec<Step> {
    let declared: Vec<Value> = tree
        .get("mainSteps")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names: Vec<String> = declared
        .iter()
        .map(|d| text(d, "name").to_owned())
        .collect();
    declared
        .iter()
        .enumerate()
        .map(|(i, declaration)| {
            let mut step = Step::pending(text(declaration, "name"), text(declaration, "action"));
            step.valid_next_steps = declared_next_steps(declaration, names.get(i + 1));
            step.declaration = declaration.clone();
            step
        })
        .collect()
}

fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Where a step may go next: a branch's choices and default, its `nextStep`, or the step after it.
pub fn declared_next_steps(declaration: &Value, following: Option<&String>) -> Vec<String> {
    if declaration.get("action").and_then(Value::as_str) == Some("aws:branch") {
        let inputs = declaration.get("inputs");
        let mut next: Vec<String> = inputs
            .and_then(|i| i.get("Choices"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("NextStep").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        if let Some(default) = inputs
            .and_then(|i| i.get("Default"))
            .and_then(Value::as_str)
        {
            next.push(default.to_owned());
        }
        next.dedup();
        return next;
    }
    if declaration.get("isEnd").and_then(Value::as_bool) == Some(true) {
        return Vec::new();
    }
    match declaration.get("nextStep").and_then(Value::as_str) {
        Some(next) => vec![next.to_owned()],
        None => following.cloned().into_iter().collect(),
    }
}

/// Running executions, running parents and queued executions in `account`.
fn load(world: &World, account: &str) -> (usize, usize, usize) {
    let Some(account) = world.accounts.get(account) else {
        return (0, 0, 0);
    };
    let mut running = 0;
    let mut parents = 0;
    for execution in account.regions.values().flat_map(|r| r.executions.values()) {
        if execution.admitted && !execution.status.is_terminal() {
            if execution.is_parent() {
                parents += 1;
            } else {
                running += 1;
            }
        }
    }
    (running, parents, account.queue.len())
}

/// Starts queued executions of `account` while the quota allows, oldest first.
pub fn admit_queued(state: &Arc<State>, world: &mut World, account: &str) {
    let limits = state.limits;
    loop {
        let (running, parents, _) = load(world, account);
        let Some(acct) = world.accounts.get_mut(account) else {
            return;
        };
        let regions = &acct.regions;
        let position = acct.queue.iter().position(|(region, id)| {
            regions
                .get(region)
                .and_then(|r| r.executions.get(id))
                .is_some_and(|e| {
                    if e.is_parent() {
                        parents < limits.rate_control
                    } else {
                        running < limits.running
                    }
                })
        });
        let Some(position) = position else {
            return;
        };
        let Some((region, id)) = acct.queue.remove(position) else {
            return;
        };
        let Some(execution) = acct
            .regions
            .get_mut(&region)
            .and_then(|r| r.executions.get_mut(&id))
        else {
            continue;
        };
        execution.admitted = true;
        if execution.mode == "Interactive" {
            execution.status = Status::Waiting;
        }
        state.run_execution(ChildKey {
            account: account.to_owned(),
            region,
            id,
        });
    }
}
