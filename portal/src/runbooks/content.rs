//! What the portal reads out of a runbook's content.

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

#[cfg(test)]
mod tests {
    use super::*;

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
