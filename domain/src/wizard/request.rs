//! The StartAutomationExecution request a wizard form stands for, built only from a form without
//! mistakes: every field is checked here, as SSM checks it, and each mistake is reported on its
//! field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::form::{Mode, TargetKind, Unit, WizardForm};
use super::pattern::{Pattern, BUCKET, INSTANCE_ID, REGION, ROLE_ARN, ROLE_NAME};
use crate::error::FieldError;
use crate::masking::is_masked;
use crate::runbook::ParameterSpec;

/// A multi-account and Region target location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub max_concurrency: Option<String>,
    pub max_errors: Option<String>,
    pub execution_role_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartRequest {
    pub document_name: String,
    /// `$DEFAULT`, `$LATEST` or a number; `None` leaves it to SSM (the default version).
    pub document_version: Option<String>,
    pub interactive: bool,
    pub parameters: BTreeMap<String, Vec<String>>,
    pub target_parameter_name: Option<String>,
    /// The one target: its key (`ParameterValues`, `tag:<key>`, `ResourceGroup`,
    /// `AWS::EC2::Instance`) and values.
    pub target: Option<(String, Vec<String>)>,
    pub max_concurrency: Option<String>,
    pub max_errors: Option<String>,
    pub location: Option<Location>,
    pub tags: Vec<(String, String)>,
    pub alarm: Option<String>,
}

/// Tags the portal puts on every execution it starts (`portal:user`, `portal:request`).
pub const PORTAL_TAG_PREFIX: &str = "portal:";

/// The values a parameter's text stands for: lists one item per line (or comma-separated for
/// simple lists), a MapList's JSON array item by item, anything else as one value.
pub fn values_of(spec: &ParameterSpec, text: &str) -> Vec<String> {
    if spec.kind == "MapList" {
        return match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Array(items)) => items.iter().map(|i| i.to_string()).collect(),
            _ => vec![text.trim().to_owned()],
        };
    }
    if spec.is_list() {
        return text
            .split(['\n', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
    }
    vec![text.trim().to_owned()]
}

/// The mistakes in one parameter's values, in SSM's terms.
pub fn check_parameter(spec: &ParameterSpec, values: &[String]) -> Option<String> {
    let name = &spec.name;
    if values.is_empty() || values.iter().all(String::is_empty) {
        return spec
            .is_required()
            .then(|| format!("{name} is required: enter a value."));
    }
    if spec.is_list() {
        let count = values.len() as u32;
        if let Some(min) = spec.min_items.filter(|m| count < *m) {
            return Some(format!("Enter at least {min} items (one per line)."));
        }
        if let Some(max) = spec.max_items.filter(|m| count > *m) {
            return Some(format!("Enter at most {max} items."));
        }
    }
    let allowed_pattern = spec.allowed_pattern.as_deref().map(Pattern::new);
    let element = spec
        .kind
        .strip_prefix("List<")
        .and_then(|k| k.strip_suffix('>'))
        .unwrap_or(&spec.kind);
    for value in values {
        if is_masked(value) {
            // Shown masked in presentation mode: the server restores it, then checks it.
            if cfg!(target_arch = "wasm32") {
                continue;
            }
            return Some(
                "This value was shown masked (presentation mode) and the portal could not \
                 restore it: type it again, or stop presenting."
                    .into(),
            );
        }
        // A message can end up in an address or a log: a secret value is never repeated.
        let shown = if spec.secret {
            "The value".to_owned()
        } else {
            format!("{value:?}")
        };
        let wrong_type = match element {
            "Integer" => value
                .parse::<i64>()
                .is_err()
                .then_some("Enter a whole number, such as 3."),
            "Boolean" => (value != "true" && value != "false").then_some("Enter true or false."),
            "StringMap" => {
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(value)
                    .is_err()
                    .then_some("Enter a JSON object, such as {\"Key\": \"Value\"}.")
            }
            "MapList" => serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(value)
                .is_err()
                .then_some("Enter a JSON list of objects, such as [{\"Key\": \"Value\"}]."),
            "AWS::EC2::Instance::Id" => INSTANCE_ID
                .refuses(value)
                .then_some("Enter an instance ID, such as i-1234567890abcdef0."),
            "AWS::S3::Bucket::Name" => BUCKET.refuses(value).then_some(
                "Enter an S3 bucket name (lower-case letters, digits, dots and dashes).",
            ),
            "AWS::IAM::Role::Arn" => ROLE_ARN
                .refuses(value)
                .then_some("Enter a role ARN: arn:aws:iam::<12-digit account ID>:role/<name>."),
            _ => None,
        };
        if let Some(message) = wrong_type {
            return Some(format!("{shown} is not valid here. {message}"));
        }
        if !spec.allowed_values.is_empty() && !spec.allowed_values.contains(value) {
            return Some(format!(
                "{shown} is not allowed: choose one of {}.",
                spec.allowed_values.join(", ")
            ));
        }
        // A pattern only Java's engine understands is left to SSM to check.
        if let (Some(pattern), Some(text)) = (&allowed_pattern, &spec.allowed_pattern) {
            if pattern.refuses(value) {
                return Some(format!("{shown} does not match the pattern {text}."));
            }
        }
        let chars = value.chars().count() as u32;
        if let Some(min) = spec.min_chars.filter(|m| chars < *m) {
            return Some(format!("Enter at least {min} characters."));
        }
        if let Some(max) = spec.max_chars.filter(|m| chars > *m) {
            return Some(format!("Enter at most {max} characters."));
        }
    }
    if spec.is_assume_role()
        && values
            .first()
            .is_some_and(|v| !left_to_the_server(v) && ROLE_ARN.refuses(v))
    {
        return Some(
            "Choose a role, or enter a role ARN: arn:aws:iam::<12-digit account ID>:role/<name>."
                .into(),
        );
    }
    None
}

/// A value shown masked (presentation mode) is checked on the server once it is restored.
fn left_to_the_server(value: &str) -> bool {
    cfg!(target_arch = "wasm32") && is_masked(value)
}

/// A limit as SSM takes it: `10` or `10%`.
fn limit(
    text: &str,
    unit: Unit,
    zero_ok: bool,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let ok = text
        .parse::<u32>()
        .is_ok_and(|n| (zero_ok || n > 0) && (unit == Unit::Count || n <= 100));
    if !ok {
        errors.push(FieldError {
            field: field.to_owned(),
            message: match unit {
                Unit::Count if zero_ok => "Enter a whole number, 0 or more.".into(),
                Unit::Count => "Enter a whole number, 1 or more.".into(),
                Unit::Percent if zero_ok => "Enter a percentage from 0 to 100.".into(),
                Unit::Percent => "Enter a percentage from 1 to 100.".into(),
            },
        });
        return None;
    }
    Some(match unit {
        Unit::Count => text.to_owned(),
        Unit::Percent => format!("{text}%"),
    })
}

fn split_list(text: &str) -> Vec<String> {
    text.split([',', '\n', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl WizardForm {
    /// The request this form stands for, or the mistakes in it (field by field).
    pub fn request(&self, specs: &[ParameterSpec]) -> Result<StartRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        let targeted = self.mode.has_targets();
        let target_parameter = targeted.then(|| self.target_parameter.clone());
        if let Some(target) = &target_parameter {
            if target.is_empty() {
                fail(
                    "target-parameter",
                    "Choose the parameter the targets fill in.".into(),
                );
            } else if target == "AutomationAssumeRole" {
                fail("target-parameter", "AutomationAssumeRole can't be a target: choose the parameter that names the resources.".into());
            } else if !specs.iter().any(|s| &s.name == target) {
                fail(
                    "target-parameter",
                    format!("{target} is not a parameter of this runbook."),
                );
            }
        }

        let mut parameters = BTreeMap::new();
        let mut target_values = Vec::new();
        for spec in specs {
            let field = format!("p.{}", spec.name);
            let text = self.parameters.get(&spec.name);
            let is_target = target_parameter.as_deref() == Some(spec.name.as_str());
            if is_target {
                // The targets fill this parameter in: its values are the targets, or nothing.
                if self.targets == TargetKind::ParameterValues {
                    target_values = text.map(|t| split_list(t)).unwrap_or_default();
                    if target_values.is_empty() {
                        fail(
                            &field,
                            format!("Enter the {} values to target, one per line.", spec.name),
                        );
                    } else if target_values.len() > 50 {
                        fail(
                            &field,
                            format!(
                                "{} values were given; target at most 50 (use tags to reach more).",
                                target_values.len()
                            ),
                        );
                    }
                }
                continue;
            }
            let values = match text {
                Some(t) => values_of(spec, t),
                None => spec
                    .default
                    .as_deref()
                    .map(|d| values_of(spec, d))
                    .unwrap_or_default(),
            };
            let values: Vec<String> = values.into_iter().filter(|v| !v.is_empty()).collect();
            if let Some(message) = check_parameter(spec, &values) {
                fail(&field, message);
                continue;
            }
            // Untouched parameters are left to their defaults, as the console does.
            if text.is_some() && !values.is_empty() {
                parameters.insert(spec.name.clone(), values);
            }
        }

        let target = if targeted {
            match self.targets {
                TargetKind::ParameterValues => Some(("ParameterValues".to_owned(), target_values)),
                TargetKind::Tags => {
                    if self.tag_key.trim().is_empty() {
                        fail("tag-key", "Enter the tag key the targets carry.".into());
                    }
                    let values = if self.tag_value.trim().is_empty() {
                        Vec::new()
                    } else {
                        vec![self.tag_value.trim().to_owned()]
                    };
                    Some((format!("tag:{}", self.tag_key.trim()), values))
                }
                TargetKind::ResourceGroup => {
                    if self.resource_group.trim().is_empty() {
                        fail("resource-group", "Enter the resource group's name.".into());
                    }
                    Some((
                        "ResourceGroup".to_owned(),
                        vec![self.resource_group.trim().to_owned()],
                    ))
                }
                TargetKind::AllInstances => {
                    Some(("AWS::EC2::Instance".to_owned(), vec!["*".to_owned()]))
                }
            }
        } else {
            None
        };
        let (max_concurrency, max_errors) = if targeted {
            (
                limit(
                    &self.concurrency,
                    self.concurrency_unit,
                    false,
                    "concurrency",
                    &mut errors,
                ),
                limit(&self.errors, self.errors_unit, true, "errors", &mut errors),
            )
        } else {
            (None, None)
        };

        let location = if self.mode == Mode::MultiAccount {
            let accounts = split_list(&self.accounts);
            let regions = split_list(&self.regions);
            let mut fail = |field: &str, message: String| {
                errors.push(FieldError {
                    field: field.to_owned(),
                    message,
                })
            };
            if accounts.is_empty() {
                fail(
                    "accounts",
                    "Enter at least one account ID or organizational unit.".into(),
                );
            }
            if let Some(bad) = accounts.iter().find(|a| {
                !(a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
                    || a.starts_with("ou-")
                    || left_to_the_server(a))
            }) {
                fail(
                    "accounts",
                    format!("{bad} is not an account ID (12 digits) or an OU (ou-…)."),
                );
            }
            if regions.is_empty() {
                fail("regions", "Choose at least one Region.".into());
            }
            if let Some(bad) = regions.iter().find(|r| REGION.refuses(r)) {
                fail(
                    "regions",
                    format!("{bad} is not a Region name such as us-east-1."),
                );
            }
            let role = self.execution_role.trim();
            if !role.is_empty() && ROLE_NAME.refuses(role) {
                fail(
                    "execution-role",
                    "Enter a role name (letters, digits and +=,.@_-; at most 64).".into(),
                );
            }
            Some(Location {
                accounts,
                regions,
                max_concurrency: limit(
                    &self.location_concurrency,
                    self.location_concurrency_unit,
                    false,
                    "location-concurrency",
                    &mut errors,
                ),
                max_errors: limit(
                    &self.location_errors,
                    self.location_errors_unit,
                    true,
                    "location-errors",
                    &mut errors,
                ),
                execution_role_name: (!role.is_empty()).then(|| role.to_owned()),
            })
        } else {
            None
        };

        let mut tags = Vec::new();
        for line in self.tags.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match line.split_once('=') {
                Some((key, _)) if key.trim().starts_with(PORTAL_TAG_PREFIX) => errors.push(FieldError {
                    field: "tags".into(),
                    message: format!(
                        "{:?}: tags starting with {PORTAL_TAG_PREFIX} are set by the portal (who started the run); choose another key.",
                        key.trim()
                    ),
                }),
                Some((key, value))
                    if !key.trim().is_empty() && key.trim().len() <= 128 && value.len() <= 256 =>
                {
                    tags.push((key.trim().to_owned(), value.trim().to_owned()))
                }
                _ => errors.push(FieldError {
                    field: "tags".into(),
                    message: format!("{line:?} is not a tag: write Key=Value, one per line."),
                }),
            }
        }
        if tags.len() > 5 {
            errors.push(FieldError {
                field: "tags".into(),
                message: format!(
                    "{} tags were given; an execution starts with at most 5.",
                    tags.len()
                ),
            });
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(StartRequest {
            document_name: self.document.clone(),
            document_version: (!self.version.is_empty()).then(|| self.version.clone()),
            interactive: self.mode == Mode::Manual,
            parameters,
            target_parameter_name: target_parameter,
            target,
            max_concurrency,
            max_errors,
            location,
            tags,
            alarm: (!self.alarm.trim().is_empty()).then(|| self.alarm.trim().to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, kind: &str) -> ParameterSpec {
        ParameterSpec {
            name: name.into(),
            kind: kind.into(),
            ..ParameterSpec::default()
        }
    }

    fn restart() -> Vec<ParameterSpec> {
        vec![
            spec("InstanceId", "AWS::EC2::Instance::Id"),
            ParameterSpec {
                default: Some(String::new()),
                ..spec("AutomationAssumeRole", "String")
            },
            ParameterSpec {
                default: Some("PT1M".into()),
                allowed_pattern: Some("^PT[0-9]+[SM]$".into()),
                ..spec("WarmUp", "String")
            },
        ]
    }

    fn form(pairs: &[(&str, &str)]) -> WizardForm {
        WizardForm::from_pairs("Restart", pairs.iter().copied())
    }

    #[test]
    fn a_simple_run_sends_what_was_typed_and_leaves_defaults_to_ssm() {
        let request = form(&[("p.InstanceId", "i-1234567890abcdef0"), ("version", "2")])
            .request(&restart())
            .expect("valid");
        assert_eq!(request.parameters.len(), 1);
        assert_eq!(request.parameters["InstanceId"], ["i-1234567890abcdef0"]);
        assert_eq!(request.document_version.as_deref(), Some("2"));
        assert!(!request.interactive);
    }

    #[test]
    fn each_mistake_is_reported_on_its_field() {
        let errors = form(&[
            ("p.InstanceId", "web-1"),
            ("p.AutomationAssumeRole", "admin"),
            ("p.WarmUp", "1 minute"),
            ("tags", "no equals sign"),
        ])
        .request(&restart())
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["p.InstanceId", "p.AutomationAssumeRole", "p.WarmUp", "tags"]
        );
        assert!(errors[0].message.contains("instance ID"));
        let missing = form(&[]).request(&restart()).expect_err("required");
        assert_eq!(missing[0].message, "InstanceId is required: enter a value.");
    }

    #[test]
    fn a_secret_value_is_never_quoted_back() {
        let secret = ParameterSpec {
            allowed_pattern: Some("^[a-z]+$".into()),
            secret: true,
            ..spec("DbPassword", "String")
        };
        let message = check_parameter(&secret, &["Hunter2!".into()]).expect("refused");
        assert_eq!(message, "The value does not match the pattern ^[a-z]+$.");
        let plain = ParameterSpec {
            secret: false,
            ..secret
        };
        let message = check_parameter(&plain, &["Hunter2!".into()]).expect("refused");
        assert!(message.starts_with("\"Hunter2!\""), "{message}");
    }

    #[test]
    fn a_value_still_masked_on_the_server_is_refused_with_the_reason() {
        let role = spec("AutomationAssumeRole", "String");
        let message = check_parameter(&role, &["arn:aws:iam::••••••••9012:role/Ops".into()])
            .expect("refused");
        assert!(
            message.contains("shown masked (presentation mode)"),
            "{message}"
        );
        assert_eq!(
            check_parameter(&role, &["arn:aws:iam::123456789012:role/Ops".into()]),
            None
        );
    }

    #[test]
    fn rate_control_targets_a_parameter_with_limits() {
        let request = form(&[
            ("mode", "rate-control"),
            ("target-parameter", "InstanceId"),
            ("targets", "tags"),
            ("tag-key", "Team"),
            ("tag-value", "web"),
            ("concurrency", "50"),
            ("concurrency-unit", "percent"),
            ("errors", "0"),
        ])
        .request(&restart())
        .expect("valid");
        assert_eq!(
            request.target,
            Some(("tag:Team".into(), vec!["web".into()]))
        );
        assert_eq!(request.max_concurrency.as_deref(), Some("50%"));
        assert_eq!(request.max_errors.as_deref(), Some("0"));
        assert!(!request.parameters.contains_key("InstanceId"));
        let errors = form(&[
            ("mode", "rate-control"),
            ("target-parameter", "AutomationAssumeRole"),
            ("concurrency", "0"),
        ])
        .request(&restart())
        .expect_err("invalid");
        assert!(errors.iter().any(|e| e.field == "target-parameter"));
        assert!(errors.iter().any(|e| e.field == "concurrency"));
    }

    #[test]
    fn multi_account_runs_need_accounts_and_regions() {
        let errors = form(&[
            ("mode", "multi-account"),
            ("target-parameter", "InstanceId"),
            ("p.InstanceId", "i-1234567890abcdef0"),
            ("accounts", "12345"),
            ("regions", "mars"),
        ])
        .request(&restart())
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["accounts", "regions"]);
        let request = form(&[
            ("mode", "multi-account"),
            ("target-parameter", "InstanceId"),
            ("p.InstanceId", "i-1234567890abcdef0"),
            ("accounts", "123456789012, 111122223333"),
            ("regions", "us-east-1"),
        ])
        .request(&restart())
        .expect("valid");
        let location = request.location.expect("a location");
        assert_eq!(location.accounts, ["123456789012", "111122223333"]);
        assert_eq!(
            request.target,
            Some(("ParameterValues".into(), vec!["i-1234567890abcdef0".into()]))
        );
    }
}
