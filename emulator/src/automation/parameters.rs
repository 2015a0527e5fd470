//! Checks StartAutomationExecution's parameters against the runbook's declarations, as SSM does:
//! unknown names, missing required ones, types, allowed values and patterns, lengths; then fills in
//! defaults. Every message is that of an InvalidAutomationExecutionParametersException.

use serde_json::Value;

use crate::runbook::ParameterDef;
use crate::AwsError;

pub use crate::world::execution::Values;

pub fn invalid_parameters(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidAutomationExecutionParametersException", message)
}

/// The names of the declared parameters whose values are lists.
pub fn list_names(declared: &[(String, ParameterDef)]) -> std::collections::BTreeSet<String> {
    declared
        .iter()
        .filter(|(_, d)| is_list_type(&d.kind))
        .map(|(n, _)| n.clone())
        .collect()
}

pub fn validate(given: &Values, declared: &[(String, ParameterDef)]) -> Result<Values, String> {
    if let Some(unknown) = given
        .keys()
        .find(|name| !declared.iter().any(|(d, _)| d == *name))
    {
        return Err(format!(
            "Parameter \"{unknown}\" is not defined in the document."
        ));
    }
    let mut resolved = Values::new();
    for (name, def) in declared {
        let values = match (given.get(name), &def.default) {
            (Some(values), _) => values.clone(),
            (None, Some(default)) => default_values(default),
            (None, None) => {
                return Err(format!(
                    "Parameter \"{name}\" is required but was not provided."
                ));
            }
        };
        check(name, def, &values)?;
        resolved.insert(name.clone(), values);
    }
    Ok(resolved)
}

fn default_values(default: &Value) -> Vec<String> {
    match default {
        Value::String(s) if s.is_empty() => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().map(scalar_text).collect(),
        other => vec![scalar_text(other)],
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn is_list_type(kind: &str) -> bool {
    kind == "StringList" || kind == "MapList" || kind.starts_with("List<")
}

const INSTANCE_ID: &str = r"^m?i-[a-z0-9]{8,17}$";
const BUCKET: &str = r"^[0-9a-z][a-z0-9\-\.]{3,63}$";
const ROLE_ARN: &str = r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::[0-9]{12}:role/.*$";

fn check(name: &str, def: &ParameterDef, values: &[String]) -> Result<(), String> {
    let kind = def.kind.as_str();
    if !is_list_type(kind) && values.len() > 1 {
        return Err(format!(
            "Parameter \"{name}\" is of type {kind} and takes one value, not {}.",
            values.len()
        ));
    }
    if is_list_type(kind) {
        let count = values.len() as u32;
        if def.min_items.is_some_and(|min| count < min)
            || def.max_items.is_some_and(|max| count > max)
        {
            return Err(format!(
                "Parameter \"{name}\" has {count} items; it takes {} to {} items.",
                def.min_items.unwrap_or(0),
                def.max_items
                    .map_or("any number of".to_owned(), |m| m.to_string())
            ));
        }
    }
    let element = kind
        .strip_prefix("List<")
        .and_then(|k| k.strip_suffix('>'))
        .unwrap_or(kind);
    for value in values {
        let type_ok = match element {
            "Integer" => value.parse::<i64>().is_ok(),
            "Boolean" => value == "true" || value == "false",
            "StringMap" => serde_json::from_str::<serde_json::Map<String, Value>>(value).is_ok(),
            "MapList" => serde_json::from_str::<serde_json::Map<String, Value>>(value).is_ok(),
            "AWS::EC2::Instance::Id" => matches(INSTANCE_ID, value),
            "AWS::S3::Bucket::Name" => matches(BUCKET, value),
            "AWS::IAM::Role::Arn" => matches(ROLE_ARN, value),
            _ => true,
        };
        if !type_ok {
            return Err(format!(
                "Parameter \"{name}\" has value \"{value}\", which is not a valid {element}."
            ));
        }
        let chars = value.chars().count() as u32;
        if def.min_chars.is_some_and(|min| chars < min)
            || def.max_chars.is_some_and(|max| chars > max)
        {
            return Err(format!(
                "Parameter \"{name}\" has value \"{value}\" of {chars} characters; it takes {} to {} characters.",
                def.min_chars.unwrap_or(0),
                def.max_chars.map_or("any number of".to_owned(), |m| m.to_string())
            ));
        }
        if let Some(allowed) = &def.allowed_values {
            let allowed: Vec<String> = allowed.iter().map(scalar_text).collect();
            if !allowed.contains(value) {
                return Err(format!(
                    "Parameter \"{name}\" has value \"{value}\" not in the allowed values [{}].",
                    allowed.join(", ")
                ));
            }
        }
        if let Some(pattern) = &def.allowed_pattern {
            if !matches(pattern, value) {
                return Err(format!(
                    "Parameter \"{name}\" has value \"{value}\" not matching the allowed pattern {pattern}."
                ));
            }
        }
    }
    Ok(())
}

fn matches(pattern: &str, value: &str) -> bool {
    regex::Regex::new(pattern).is_ok_and(|re| re.is_match(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(json: &str) -> Vec<(String, ParameterDef)> {
        crate::runbook::parameters(
            &serde_json::json!({ "parameters": serde_json::from_str::<Value>(json).expect("json") }),
        )
    }

    fn given(pairs: &[(&str, &[&str])]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
            .collect()
    }

    #[test]
    fn defaults_fill_in_and_required_ones_must_be_given() {
        let d = declared(
            r#"{"InstanceId":{"type":"StringList"},"Role":{"type":"String","default":""},"Wait":{"type":"Integer","default":5}}"#,
        );
        let resolved =
            validate(&given(&[("InstanceId", &["i-1234567890abcdef0"])]), &d).expect("valid");
        assert_eq!(resolved["Role"], Vec::<String>::new());
        assert_eq!(resolved["Wait"], ["5"]);
        let err = validate(&given(&[]), &d).expect_err("InstanceId is required");
        assert!(err.contains("\"InstanceId\" is required"), "{err}");
        let err = validate(
            &given(&[("InstanceId", &["i-1"]), ("Colour", &["red"])]),
            &d,
        )
        .expect_err("unknown");
        assert!(err.contains("\"Colour\" is not defined"), "{err}");
    }

    #[test]
    fn types_allowed_values_patterns_and_lengths_are_checked() {
        let d = declared(
            r#"{"Id":{"type":"AWS::EC2::Instance::Id"},"N":{"type":"Integer","default":1},
                "Outcome":{"type":"String","default":"approved","allowedValues":["approved","needs-work"]},
                "Who":{"type":"String","default":"ann","allowedPattern":"^[a-z]+$","maxChars":5},
                "Ids":{"type":"StringList","default":["a"],"maxItems":2}}"#,
        );
        assert!(validate(&given(&[("Id", &["i-1234567890abcdef0"])]), &d).is_ok());
        let bad = [
            (
                given(&[("Id", &["web-1"])]),
                "not a valid AWS::EC2::Instance::Id",
            ),
            (
                given(&[("Id", &["i-1234567890abcdef0"]), ("N", &["many"])]),
                "not a valid Integer",
            ),
            (
                given(&[("Id", &["i-1234567890abcdef0"]), ("Outcome", &["maybe"])]),
                "not in the allowed values",
            ),
            (
                given(&[("Id", &["i-1234567890abcdef0"]), ("Who", &["Ann"])]),
                "allowed pattern",
            ),
            (
                given(&[("Id", &["i-1234567890abcdef0"]), ("Who", &["abcdefg"])]),
                "characters",
            ),
            (
                given(&[("Id", &["i-1234567890abcdef0"]), ("Ids", &["a", "b", "c"])]),
                "3 items",
            ),
            (
                given(&[("Id", &["i-1234567890abcdef0", "i-1234567890abcdef1"])]),
                "takes one value",
            ),
        ];
        for (values, expected) in bad {
            let err = validate(&values, &d).expect_err(expected);
            assert!(err.contains(expected), "{err} should say {expected}");
        }
    }
}
