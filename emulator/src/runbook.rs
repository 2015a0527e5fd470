//! Runbook content (SSM documents of schemaVersion 0.3): reading it from JSON or YAML, and the
//! checks CreateDocument and UpdateDocument make before accepting it.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The actions Automation knows. Those the emulator cannot perform still pass validation: they fail
/// their step at run time, saying so.
pub const ACTIONS: &[&str] = &[
    "aws:approve",
    "aws:assertAwsResourceProperty",
    "aws:branch",
    "aws:changeInstanceState",
    "aws:copyImage",
    "aws:createImage",
    "aws:createStack",
    "aws:createTags",
    "aws:deleteImage",
    "aws:deleteStack",
    "aws:executeAutomation",
    "aws:executeAwsApi",
    "aws:executeScript",
    "aws:executeStateMachine",
    "aws:invokeLambdaFunction",
    "aws:invokeWebhook",
    "aws:loop",
    "aws:pause",
    "aws:runCommand",
    "aws:runInstances",
    "aws:sleep",
    "aws:updateVariable",
    "aws:waitForAwsResourceProperty",
];

pub const BRANCH_OPERATORS: &[&str] = &[
    "StringEquals",
    "EqualsIgnoreCase",
    "StartsWith",
    "EndsWith",
    "Contains",
    "NumericEquals",
    "NumericGreater",
    "NumericLesser",
    "NumericGreaterOrEquals",
    "NumericLesserOrEquals",
    "BooleanEquals",
];

pub const PARAMETER_TYPES: &[&str] = &[
    "String",
    "StringList",
    "Integer",
    "Boolean",
    "MapList",
    "StringMap",
    "AWS::EC2::Instance::Id",
    "List<AWS::EC2::Instance::Id>",
    "AWS::S3::Bucket::Name",
    "List<AWS::S3::Bucket::Name>",
    "AWS::IAM::Role::Arn",
    "List<AWS::IAM::Role::Arn>",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "JSON" => Some(Self::Json),
            "YAML" => Some(Self::Yaml),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "JSON",
            Self::Yaml => "YAML",
        }
    }
}

/// Reads document content in `format` into a JSON tree (key order kept).
pub fn parse(content: &str, format: Format) -> Result<Value, String> {
    match format {
        Format::Json => {
            serde_json::from_str(content).map_err(|e| format!("The content is not valid JSON: {e}"))
        }
        Format::Yaml => {
            from_yaml(content).map_err(|e| format!("The content is not valid YAML: {e}"))
        }
    }
}

/// How deep collections may nest in YAML content (JSON's reader stops at 128).
pub const MAX_NESTING: usize = 64;

/// How many events aliases may replay in one YAML text: ample for anchors in a 64 KB runbook,
/// and what an alias bomb can make a request allocate (the reader's default is 1,000,000).
pub const MAX_REPLAYED_EVENTS: usize = 100_000;

/// Reads YAML with the core schema of YAML 1.2, as JSON sees values: `yes`, `on` and `no` stay
/// strings (a YAML 1.1 reader would make them booleans), `"0.5"` a string and `0.5` a number.
/// Errors are one line (no source snippet): they become API error messages.
pub fn from_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(
        text,
        serde_saphyr::options! {
            strict_booleans: true,
            with_snippet: false,
            budget: serde_saphyr::budget! { max_depth: MAX_NESTING },
            alias_limits: serde_saphyr::alias_limits! {
                max_total_replayed_events: MAX_REPLAYED_EVENTS,
            },
        },
    )
}

/// Writes a JSON tree as document content in `format`.
pub fn render(tree: &Value, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(tree).unwrap_or_default(),
        Format::Yaml => serde_saphyr::to_string(tree).unwrap_or_default(),
    }
}

/// One declared parameter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterDef {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub allowed_values: Option<Vec<Value>>,
    #[serde(default)]
    pub allowed_pattern: Option<String>,
    #[serde(default)]
    pub display_type: Option<String>,
    #[serde(default)]
    pub min_items: Option<u32>,
    #[serde(default)]
    pub max_items: Option<u32>,
    #[serde(default)]
    pub min_chars: Option<u32>,
    #[serde(default)]
    pub max_chars: Option<u32>,
}

/// The declared parameters in document order.
pub fn parameters(tree: &Value) -> Vec<(String, ParameterDef)> {
    tree.get("parameters")
        .and_then(Value::as_object)
        .map(|params| {
            params
                .iter()
                .filter_map(|(name, def)| {
                    Some((name.clone(), serde_json::from_value(def.clone()).ok()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn description(tree: &Value) -> Option<String> {
    tree.get("description")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Checks a schemaVersion 0.3 runbook as SSM does at create time. The error text is the message of
/// an InvalidDocumentContent error.
pub fn validate(tree: &Value) -> Result<(), String> {
    let top = tree
        .as_object()
        .ok_or("The document must be an object with schemaVersion and mainSteps.")?;
    match top.get("schemaVersion").and_then(Value::as_str) {
        Some("0.3") => {}
        Some(other) => {
            return Err(format!(
                "schemaVersion {other} is not supported for Automation documents; use 0.3."
            ))
        }
        None => {
            return Err(
                "The document has no schemaVersion; Automation documents use schemaVersion 0.3."
                    .into(),
            )
        }
    }
    if let Some(params) = top.get("parameters") {
        let params = params
            .as_object()
            .ok_or("parameters must be a map of parameter names to definitions.")?;
        for (name, def) in params {
            validate_parameter(name, def)?;
        }
    }
    let steps = top
        .get("mainSteps")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty())
        .ok_or("The document must have a non-empty mainSteps list.")?;
    let mut names = BTreeSet::new();
    for step in steps {
        let name = step
            .get("name")
            .and_then(Value::as_str)
            .ok_or("Every step needs a name.")?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "Step name {name:?} is invalid: use letters, digits and underscores."
            ));
        }
        if !names.insert(name) {
            return Err(format!("Step name {name} is used more than once."));
        }
    }
    for step in steps {
        validate_step(step, &names)?;
    }
    if let Some(outputs) = top.get("outputs") {
        let outputs = outputs
            .as_array()
            .ok_or("outputs must be a list of \"stepName.OutputName\".")?;
        for output in outputs {
            let text = output.as_str().unwrap_or_default();
            let step = text.split_once('.').map(|(s, _)| s);
            if !step.is_some_and(|s| names.contains(s)) {
                return Err(format!(
                    "Output {output} does not name a step of this document."
                ));
            }
        }
    }
    Ok(())
}

fn validate_parameter(name: &str, def: &Value) -> Result<(), String> {
    let kind = def
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Parameter {name} has no type."))?;
    if !PARAMETER_TYPES.contains(&kind) {
        return Err(format!(
            "Parameter {name} has type {kind}, which is not supported."
        ));
    }
    serde_json::from_value::<ParameterDef>(def.clone())
        .map_err(|e| format!("Parameter {name} is invalid: {e}"))?;
    Ok(())
}

fn validate_step(step: &Value, names: &BTreeSet<&str>) -> Result<(), String> {
    let name = step.get("name").and_then(Value::as_str).unwrap_or_default();
    let action = step
        .get("action")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Step {name} has no action."))?;
    if !ACTIONS.contains(&action) {
        return Err(format!(
            "Step {name} uses action {action}, which is not a known Automation action."
        ));
    }
    let target = |what: &str, to: &str| -> Result<(), String> {
        if names.contains(to) {
            Ok(())
        } else {
            Err(format!(
                "Step {name}: {what} refers to step {to}, which does not exist."
            ))
        }
    };
    if let Some(next) = step.get("nextStep").and_then(Value::as_str) {
        target("nextStep", next)?;
    }
    for key in ["onFailure", "onCancel"] {
        match step.get(key).and_then(Value::as_str) {
            None | Some("Abort") => {}
            Some("Continue") if key == "onFailure" => {}
            Some(other) => match other.strip_prefix("step:") {
                Some(to) => target(key, to)?,
                None => {
                    return Err(format!(
                    "Step {name}: {key} {other} is invalid; use Abort, Continue or step:<name>."
                ))
                }
            },
        }
    }
    let inputs = step.get("inputs").and_then(Value::as_object);
    if inputs.is_some_and(mentions_parameter_store) {
        return Err(format!(
            "Step {name}: {{{{ssm:...}}}} parameters are only allowed in parameter defaults, not in step inputs."
        ));
    }
    if action == "aws:branch" {
        let inputs =
            inputs.ok_or_else(|| format!("Step {name}: aws:branch needs inputs with Choices."))?;
        let choices = inputs
            .get("Choices")
            .and_then(Value::as_array)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| format!("Step {name}: aws:branch needs a non-empty Choices list."))?;
        for choice in choices {
            let next = choice
                .get("NextStep")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("Step {name}: every choice needs a NextStep."))?;
            target("a choice's NextStep", next)?;
            validate_condition(name, choice)?;
        }
        if let Some(default) = inputs.get("Default").and_then(Value::as_str) {
            target("Default", default)?;
        }
    }
    Ok(())
}

/// A branch condition: `Variable` plus one operator, or `And` / `Or` (lists) / `Not` (one).
fn validate_condition(step: &str, condition: &Value) -> Result<(), String> {
    let map = condition
        .as_object()
        .ok_or_else(|| format!("Step {step}: a branch condition must be a map."))?;
    if let Some(all) = map.get("And").or_else(|| map.get("Or")) {
        let list = all
            .as_array()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| format!("Step {step}: And / Or take a non-empty list of conditions."))?;
        return list.iter().try_for_each(|c| validate_condition(step, c));
    }
    if let Some(inner) = map.get("Not") {
        return validate_condition(step, inner);
    }
    if !map.contains_key("Variable") {
        return Err(format!("Step {step}: a branch condition needs a Variable."));
    }
    let operators: Vec<&String> = map
        .keys()
        .filter(|k| !matches!(k.as_str(), "Variable" | "NextStep"))
        .collect();
    match operators.as_slice() {
        [op] if BRANCH_OPERATORS.contains(&op.as_str()) => Ok(()),
        [op] => Err(format!(
            "Step {step}: branch operator {op} is not supported; use one of {}.",
            BRANCH_OPERATORS.join(", ")
        )),
        _ => Err(format!(
            "Step {step}: a branch condition needs exactly one operator."
        )),
    }
}

fn mentions_parameter_store(inputs: &Map<String, Value>) -> bool {
    fn walk(value: &Value) -> bool {
        match value {
            Value::String(s) => s.replace(' ', "").contains("{{ssm:"),
            Value::Array(items) => items.iter().any(walk),
            Value::Object(map) => map.values().any(walk),
            _ => false,
        }
    }
    inputs.values().any(walk)
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn runbook(steps: Value) -> Value {
        json!({"schemaVersion": "0.3", "mainSteps": steps})
    }

    #[test]
    fn an_unknown_action_is_refused() {
        let err = validate(&runbook(
            json!([{"name": "a", "action": "aws:teleport", "inputs": {}}]),
        ))
        .expect_err("refused");
        assert!(err.contains("aws:teleport"), "{err}");
    }

    #[test]
    fn a_reference_to_a_missing_step_is_refused() {
        let err = validate(&runbook(json!([{"name": "a", "action": "aws:sleep", "nextStep": "b", "inputs": {"Duration": "PT1S"}}])))
            .expect_err("refused");
        assert!(err.contains("step b"), "{err}");
        let err = validate(&runbook(
            json!([{"name": "a", "action": "aws:sleep", "onFailure": "step:zz", "inputs": {}}]),
        ))
        .expect_err("refused");
        assert!(err.contains("zz"), "{err}");
    }

    #[test]
    fn an_unsupported_branch_operator_is_refused() {
        let err = validate(&runbook(json!([
            {"name": "b", "action": "aws:branch", "inputs": {"Choices": [
                {"NextStep": "c", "Or": [{"Variable": "{{ X }}", "StringMatches": "a"}]}
            ]}},
            {"name": "c", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}}
        ])))
        .expect_err("refused");
        assert!(err.contains("StringMatches"), "{err}");
    }

    #[test]
    fn parameter_store_references_are_refused_in_step_inputs() {
        let err = validate(&runbook(
            json!([{"name": "a", "action": "aws:sleep", "inputs": {"Duration": "{{ ssm:/x }}"}}]),
        ))
        .expect_err("refused");
        assert!(err.contains("ssm:"), "{err}");
    }

    /// The YAML forms runbooks use, read as SSM would hand them to the engine.
    const SCRIPTED_RUNBOOK: &str = r#"schemaVersion: '0.3'
description: |
  Restarts the service.
  Then checks it.
parameters:
  Threshold:
    type: String
    default: "0.5"
  Ratio:
    type: String
    default: 0.5
  Confirm:
    type: String
    allowedValues: [yes, no, on, "true"]
    default: yes
  Count:
    type: Integer
    default: 10
  Flag:
    type: Boolean
    default: true
mainSteps:
  - name: restart
    action: aws:executeScript
    inputs: &script
      Runtime: python3.11
      Handler: handler
      Script: |-
        def handler(events, context):
            return {"ok": True}
  - name: again
    action: aws:executeScript
    inputs: *script
"#;

    #[test]
    fn yaml_block_scalars_lists_and_maps_read_as_written() {
        let tree = parse(SCRIPTED_RUNBOOK, Format::Yaml).expect("yaml parses");
        assert_eq!(
            tree["description"],
            json!("Restarts the service.\nThen checks it.\n")
        );
        let steps = tree["mainSteps"].as_array().expect("a list of steps");
        assert_eq!(steps.len(), 2);
        assert_eq!(
            steps[0]["inputs"]["Script"],
            json!("def handler(events, context):\n    return {\"ok\": True}")
        );
        // An anchor is rare in runbooks, but an alias reads as a copy of what it names.
        assert_eq!(steps[1]["inputs"], steps[0]["inputs"]);
        let keys: Vec<&String> = tree["parameters"]
            .as_object()
            .expect("a map of parameters")
            .keys()
            .collect();
        assert_eq!(keys, ["Threshold", "Ratio", "Confirm", "Count", "Flag"]);
    }

    #[test]
    fn yaml_scalars_keep_json_types_quoted_strings_and_yes_stay_strings() {
        let tree = parse(SCRIPTED_RUNBOOK, Format::Yaml).expect("yaml parses");
        let default = |name: &str| tree["parameters"][name]["default"].clone();
        assert_eq!(default("Threshold"), json!("0.5"));
        assert_eq!(default("Ratio"), json!(0.5));
        assert_eq!(default("Confirm"), json!("yes"));
        assert_eq!(default("Count"), json!(10));
        assert_eq!(default("Flag"), json!(true));
        assert_eq!(
            tree["parameters"]["Confirm"]["allowedValues"],
            json!(["yes", "no", "on", "true"])
        );
        assert_eq!(tree["schemaVersion"], json!("0.3"));
    }

    #[test]
    fn yaml_written_reads_back_the_same_including_scripts_and_yes() {
        let tree = parse(SCRIPTED_RUNBOOK, Format::Yaml).expect("yaml parses");
        let yaml = render(&tree, Format::Yaml);
        assert_eq!(parse(&yaml, Format::Yaml).expect("round trip"), tree);
        assert!(
            yaml.contains("Script: |"),
            "a script stays a block:\n{yaml}"
        );
    }

    #[test]
    fn invalid_yaml_is_refused_with_the_reason() {
        let err =
            parse("mainSteps:\n  - name: a\n   action: [", Format::Yaml).expect_err("refused");
        assert!(err.starts_with("The content is not valid YAML: "), "{err}");
        // One line, as an API error message is shown, saying where.
        assert!(!err.contains('\n') && err.contains("line 3"), "{err}");
    }

    #[test]
    fn yaml_and_json_convert_both_ways_keeping_key_order() {
        let yaml = "schemaVersion: '0.3'\nmainSteps:\n- name: z\n  action: aws:sleep\n  inputs:\n    Duration: PT1S\n";
        let tree = parse(yaml, Format::Yaml).expect("yaml parses");
        let json = render(&tree, Format::Json);
        assert!(json.find("schemaVersion") < json.find("mainSteps"));
        assert_eq!(parse(&json, Format::Json).expect("json parses"), tree);
        assert_eq!(
            parse(&render(&tree, Format::Yaml), Format::Yaml).expect("round trip"),
            tree
        );
    }
}
