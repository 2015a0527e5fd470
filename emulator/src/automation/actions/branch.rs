//! aws:branch: the first choice that holds names the next step; otherwise `Default`, or the step
//! after the branch.

use serde_json::Value;

use crate::automation::outputs::text;
use crate::automation::step_run::{Done, StepRun};
use crate::runbook::BRANCH_OPERATORS as OPERATORS;
use crate::world::execution::Failure;

pub fn branch(run: &StepRun<'_>) -> Result<Done, Failure> {
    let choices = run
        .input("Choices")
        .and_then(Value::as_array)
        .ok_or_else(|| Failure::inputs("aws:branch needs a list of Choices."))?;
    for choice in choices {
        if holds(choice)? {
            let next = choice
                .get("NextStep")
                .and_then(Value::as_str)
                .ok_or_else(|| Failure::inputs("Every choice of aws:branch needs a NextStep."))?;
            return Ok(Done {
                outputs: Default::default(),
                next: Some(next.to_owned()),
            });
        }
    }
    Ok(Done {
        outputs: Default::default(),
        next: run.text_input("Default").map(str::to_owned),
    })
}

/// Whether a condition (a choice, or a term of And / Or / Not) holds.
fn holds(condition: &Value) -> Result<bool, Failure> {
    if let Some(terms) = condition.get("And").and_then(Value::as_array) {
        for term in terms {
            if !holds(term)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if let Some(terms) = condition.get("Or").and_then(Value::as_array) {
        for term in terms {
            if holds(term)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(term) = condition.get("Not") {
        return Ok(!holds(term)?);
    }
    let variable = condition
        .get("Variable")
        .ok_or_else(|| Failure::inputs("A branch condition needs a Variable (or And, Or, Not)."))?;
    let Some((operator, expected)) = OPERATORS
        .iter()
        .find_map(|op| condition.get(*op).map(|v| (*op, v)))
    else {
        return Err(Failure::inputs(format!(
            "A branch condition needs one of the operators {}.",
            OPERATORS.join(", ")
        )));
    };
    compare(variable, operator, expected)
}

fn compare(variable: &Value, operator: &str, expected: &Value) -> Result<bool, Failure> {
    let values: Vec<String> = match variable {
        Value::Array(items) => items.iter().map(text).collect(),
        one => vec![text(one)],
    };
    let actual = values.first().cloned().unwrap_or_default();
    let wanted = text(expected);
    let number = |s: &str, what: &str| {
        s.trim().parse::<f64>().map_err(|_| {
            Failure::verification(format!(
                "{operator} compares numbers, but the {what} {s:?} is not one."
            ))
        })
    };
    Ok(match operator {
        "StringEquals" => actual == wanted,
        "EqualsIgnoreCase" => actual.eq_ignore_ascii_case(&wanted),
        "StartsWith" => actual.starts_with(&wanted),
        "EndsWith" => actual.ends_with(&wanted),
        "Contains" => {
            if values.len() > 1 {
                values.contains(&wanted)
            } else {
                actual.contains(&wanted)
            }
        }
        "BooleanEquals" => {
            let truth = |s: &str| match s.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(Failure::verification(format!(
                    "BooleanEquals compares true or false, but got {s:?}."
                ))),
            };
            truth(&actual)? == truth(&wanted)?
        }
        numeric => {
            let (a, b) = (number(&actual, "variable")?, number(&wanted, "value")?);
            match numeric {
                "NumericEquals" => a == b,
                "NumericGreater" => a > b,
                "NumericLesser" => a < b,
                "NumericGreaterOrEquals" => a >= b,
                _ => a <= b,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_operator_and_combinator() {
        let yes = |c: Value| holds(&c).expect("evaluates");
        assert!(yes(
            json!({"Variable": "Linux/UNIX", "StringEquals": "Linux/UNIX"})
        ));
        assert!(yes(
            json!({"Variable": "WINDOWS", "EqualsIgnoreCase": "windows"})
        ));
        assert!(yes(
            json!({"Variable": "Windows BYOL", "StartsWith": "Windows"})
        ));
        assert!(yes(json!({"Variable": "web-1", "EndsWith": "-1"})));
        assert!(yes(json!({"Variable": "a web server", "Contains": "web"})));
        assert!(yes(json!({"Variable": ["a", "b"], "Contains": "b"})));
        assert!(yes(json!({"Variable": "3", "NumericEquals": 3})));
        assert!(yes(json!({"Variable": "4", "NumericGreater": 3})));
        assert!(yes(json!({"Variable": "2", "NumericLesser": 3})));
        assert!(yes(json!({"Variable": "3", "NumericGreaterOrEquals": 3})));
        assert!(yes(json!({"Variable": "3", "NumericLesserOrEquals": 3})));
        assert!(yes(json!({"Variable": "true", "BooleanEquals": true})));
        assert!(!yes(json!({"Variable": "false", "BooleanEquals": true})));
        assert!(yes(json!({"And": [
            {"Variable": "a", "StringEquals": "a"},
            {"Not": {"Variable": "b", "StringEquals": "c"}}
        ]})));
        assert!(yes(json!({"Or": [
            {"Variable": "a", "StringEquals": "x"},
            {"Variable": "b", "StringEquals": "b"}
        ]})));
        assert!(holds(&json!({"Variable": "x", "NumericEquals": 1})).is_err());
        assert!(holds(&json!({"Variable": "x", "Matches": "x"})).is_err());
    }
}
