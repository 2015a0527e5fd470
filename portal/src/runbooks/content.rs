//! What the portal reads out of a runbook's content and a role's trust policy.

use serde_json::Value;

use domain::runbook::{ParameterSpec, StepSummary};

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(value: Option<&Value>) -> Option<u32> {
    value
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

/// The declared parameters, in the runbook's order.
pub fn parameters(tree: &Value) -> Vec<ParameterSpec> {
    let Some(declared) = tree.get("parameters").and_then(Value::as_object) else {
        return Vec::new();
    };
    declared
        .iter()
        .map(|(name, def)| {
            let field = |k: &str| def.get(k).and_then(Value::as_str).map(str::to_owned);
            ParameterSpec {
                name: name.clone(),
                kind: field("type").unwrap_or_else(|| "String".into()),
                description: field("description").unwrap_or_default(),
                default: def.get("default").map(|d| match d {
                    // Lists are edited one item per line.
                    Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join("\n"),
                    other => text(other),
                }),
                allowed_values: def
                    .get("allowedValues")
                    .and_then(Value::as_array)
                    .map(|v| v.iter().map(text).collect())
                    .unwrap_or_default(),
                allowed_pattern: field("allowedPattern"),
                display_type: field("displayType"),
                min_items: number(def.get("minItems")),
                max_items: number(def.get("maxItems")),
                min_chars: number(def.get("minChars")),
                max_chars: number(def.get("maxChars")),
                secret: false,
            }
        })
        .collect()
}

pub fn steps(tree: &Value) -> Vec<StepSummary> {
    tree.get("mainSteps")
        .and_then(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .map(|s| {
                    let field = |k: &str| {
                        s.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    };
                    StepSummary {
                        name: field("name"),
                        action: field("action"),
                        description: field("description"),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a trust policy (JSON) allows `ssm.amazonaws.com` to assume the role. Conditions such
/// as `aws:SourceAccount` are met by Systems Manager itself for the role's own account.
pub fn trusts_ssm(policy: &str) -> bool {
    let Ok(policy) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let statements = match policy.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let listed = |value: Option<&Value>, wanted: &[&str]| match value {
        Some(Value::String(s)) => wanted.contains(&s.as_str()),
        Some(Value::Array(items)) => items
            .iter()
            .any(|i| i.as_str().is_some_and(|s| wanted.contains(&s))),
        _ => false,
    };
    statements.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Allow")
            && listed(s.get("Action"), &["sts:AssumeRole", "sts:*", "*"])
            && listed(
                s.get("Principal").and_then(|p| p.get("Service")),
                &["ssm.amazonaws.com"],
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_policies_are_read_for_ssm() {
        assert!(trusts_ssm(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        ));
        assert!(trusts_ssm(
            r#"{"Statement":{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","ssm.amazonaws.com"]},"Action":["sts:AssumeRole"]}}"#
        ));
        assert!(!trusts_ssm(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        ));
        assert!(!trusts_ssm(
            r#"{"Statement":[{"Effect":"Deny","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        ));
        assert!(!trusts_ssm("not json"));
    }

    #[test]
    fn parameters_keep_their_declarations() {
        let tree: Value = serde_json::from_str(
            r#"{"parameters":{"InstanceIds":{"type":"StringList","default":["i-1","i-2"],"maxItems":5},
                "Mode":{"type":"String","allowedValues":["a","b"]}}}"#,
        )
        .expect("json");
        let specs = parameters(&tree);
        assert_eq!(specs[0].default.as_deref(), Some("i-1\ni-2"));
        assert_eq!(specs[0].max_items, Some(5));
        assert!(specs[1].is_required());
        assert_eq!(specs[1].allowed_values, ["a", "b"]);
    }
}
