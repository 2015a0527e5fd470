//! Step outputs: a step's declared `outputs` (Name, JSONPath Selector, Type) read from an API
//! answer, and the text AWS reports them as.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::world::execution::Failure;

pub type Outputs = BTreeMap<String, Vec<String>>;

/// The nodes `selector` picks out of `answer`.
pub fn select(answer: &Value, selector: &str) -> Result<Vec<Value>, Failure> {
    let path = JsonPath::parse(selector).map_err(|e| {
        Failure::inputs(format!(
            "The selector {selector} is not a JSONPath expression such as $.Reservations[0].Instances[0].State.Name: {e}"
        ))
    })?;
    Ok(path.query(answer).all().into_iter().cloned().collect())
}

/// A value as text: strings as they are, anything else as JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The step's declared outputs, read from `answer`.
pub fn declared(declaration: &Value, answer: &Value) -> Result<Outputs, Failure> {
    let mut outputs = Outputs::new();
    let declared = declaration
        .get("outputs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for output in &declared {
        let field = |k: &str| output.get(k).and_then(Value::as_str).unwrap_or_default();
        let (name, selector, kind) = (field("Name"), field("Selector"), field("Type"));
        let nodes = select(answer, selector)?;
        let values = typed(&nodes, kind).ok_or_else(|| {
            Failure::verification(format!(
                "Output {name}: the selector {selector} finds no {} in the answer.",
                if kind.is_empty() { "String" } else { kind }
            ))
        })?;
        outputs.insert(name.to_owned(), values);
    }
    Ok(outputs)
}

/// Nodes as an output of `kind`; `None` when they cannot be one.
fn typed(nodes: &[Value], kind: &str) -> Option<Vec<String>> {
    let first = nodes.first();
    match kind {
        "Integer" => match first? {
            Value::Number(n) => Some(vec![n.as_i64()?.to_string()]),
            Value::String(s) => Some(vec![s.parse::<i64>().ok()?.to_string()]),
            _ => None,
        },
        "Boolean" => match first? {
            Value::Bool(b) => Some(vec![b.to_string()]),
            Value::String(s)
                if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
            {
                Some(vec![s.to_ascii_lowercase()])
            }
            _ => None,
        },
        "StringList" => match nodes {
            [Value::Array(items)] => Some(items.iter().map(text).collect()),
            _ => Some(nodes.iter().map(text).collect()),
        },
        "StringMap" => match first? {
            map @ Value::Object(_) => Some(vec![map.to_string()]),
            _ => None,
        },
        "MapList" => match nodes {
            [Value::Array(items)] => Some(items.iter().map(Value::to_string).collect()),
            _ => Some(nodes.iter().map(Value::to_string).collect()),
        },
        _ => first.map(|v| vec![text(v)]),
    }
}

/// Whether the output type is a list (a `{{ step.Output }}` reference to it expands to a list).
pub fn is_list(declaration: &Value, name: &str) -> bool {
    declaration
        .get("outputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|o| {
            o.get("Name").and_then(Value::as_str) == Some(name)
                && matches!(
                    o.get("Type").and_then(Value::as_str),
                    Some("StringList" | "MapList")
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_read_typed_outputs() {
        let answer = json!({"Reservations": [{"Instances": [
            {"InstanceId": "i-1", "State": {"Code": 16, "Name": "running"}, "EbsOptimized": false},
            {"InstanceId": "i-2", "State": {"Code": 80, "Name": "stopped"}, "EbsOptimized": true}
        ]}]});
        let declaration = json!({"outputs": [
            {"Name": "state", "Selector": "$.Reservations[0].Instances[0].State.Name", "Type": "String"},
            {"Name": "code", "Selector": "$.Reservations[0].Instances[1].State.Code", "Type": "Integer"},
            {"Name": "ids", "Selector": "$.Reservations[*].Instances[*].InstanceId", "Type": "StringList"},
            {"Name": "ebs", "Selector": "$.Reservations[0].Instances[1].EbsOptimized", "Type": "Boolean"},
            {"Name": "first", "Selector": "$.Reservations[0].Instances[0].State", "Type": "StringMap"}
        ]});
        let outputs = declared(&declaration, &answer).expect("outputs");
        assert_eq!(outputs["state"], ["running"]);
        assert_eq!(outputs["code"], ["80"]);
        assert_eq!(outputs["ids"], ["i-1", "i-2"]);
        assert_eq!(outputs["ebs"], ["true"]);
        assert_eq!(outputs["first"], [r#"{"Code":16,"Name":"running"}"#]);
        assert!(is_list(&declaration, "ids"));
        let missing = json!({"outputs": [{"Name": "x", "Selector": "$.Nope", "Type": "String"}]});
        assert!(declared(&missing, &answer)
            .expect_err("no such node")
            .message
            .contains("$.Nope"));
    }
}
