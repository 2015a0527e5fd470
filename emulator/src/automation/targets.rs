//! Which children a parent execution has: one per target under rate control (MaxConcurrency,
//! MaxErrors), or one per account and Region of a multi-account run; and the rate values' checks.

use std::time::SystemTime;

use serde_json::Value;

use super::parameters::{invalid_parameters, Values};
use crate::world::execution::{
    ChildSpec, ResolvedTargets, Step, Target, TargetLocation, TargetRequest, Targeting,
};
use crate::world::{InstanceState, RegionState};
use crate::AwsError;

/// The execution role a multi-account run assumes in each target account unless told otherwise.
const DEFAULT_EXECUTION_ROLE: &str = "AWS-SystemsManager-AutomationExecutionRole";

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
pub fn resolve_count(value: &str, total: usize, at_least: usize) -> usize {
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
            step.child_spec = Some(ChildSpec::Target {
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
        step.child_spec = Some(ChildSpec::Target {
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
                step.child_spec = Some(ChildSpec::Location {
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
