//! `{{ Name }}` substitution in step inputs: runbook parameters and the automation and global
//! variables. A list parameter standing alone in a value expands to the list.

use std::collections::BTreeSet;

use serde_json::Value;
use time::OffsetDateTime;

use super::parameters::Values;

/// What a reference can resolve to.
pub struct Variables<'a> {
    pub parameters: &'a Values,
    /// Outputs of the steps run so far, by `step.Output`.
    pub outputs: &'a Values,
    /// Parameters (and step outputs) of a list type: standing alone in a value, they expand to a list.
    pub lists: &'a BTreeSet<String>,
    pub execution_id: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    pub now: OffsetDateTime,
}

impl Variables<'_> {
    fn lookup(&self, name: &str) -> Option<Vec<String>> {
        let date = |f: &[time::format_description::BorrowedFormatItem<'_>]| {
            self.now.format(f).unwrap_or_default()
        };
        match name {
            "automation:EXECUTION_ID" => Some(vec![self.execution_id.to_owned()]),
            "global:ACCOUNT_ID" => Some(vec![self.account.to_owned()]),
            "global:REGION" => Some(vec![self.region.to_owned()]),
            "global:AWS_PARTITION" => Some(vec!["aws".to_owned()]),
            "global:DATE" => Some(vec![date(time::macros::format_description!(
                "[year]-[month]-[day]"
            ))]),
            "global:DATE_TIME" => Some(vec![date(time::macros::format_description!(
                "[year]-[month]-[day]_[hour].[minute].[second]"
            ))]),
            other => self
                .parameters
                .get(other)
                .or_else(|| self.outputs.get(other))
                .cloned(),
        }
    }

    /// Substitutes every reference in `value`; an unknown reference is an error naming it.
    pub fn apply(&self, value: &Value) -> Result<Value, String> {
        match value {
            Value::String(text) => self.apply_text(text),
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match self.apply(item)? {
                        // A list parameter inside a list flattens into it.
                        Value::Array(inner) if matches!(item, Value::String(_)) => {
                            out.extend(inner)
                        }
                        other => out.push(other),
                    }
                }
                Ok(Value::Array(out))
            }
            Value::Object(map) => Ok(Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.apply(v)?)))
                    .collect::<Result<_, String>>()?,
            )),
            other => Ok(other.clone()),
        }
    }

    fn apply_text(&self, text: &str) -> Result<Value, String> {
        // A list standing alone (spaces around it allowed) is the list; anything else is text,
        // the spaces around a reference kept.
        if let Some(name) = whole_reference(text.trim()).filter(|n| self.lists.contains(*n)) {
            let values = self.lookup(name).ok_or_else(|| unknown(name))?;
            return Ok(Value::Array(
                values.into_iter().map(Value::String).collect(),
            ));
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let Some(end) = rest[start..].find("}}") else {
                break;
            };
            out.push_str(&rest[..start]);
            let name = rest[start + 2..start + end].trim();
            let values = self.lookup(name).ok_or_else(|| unknown(name))?;
            out.push_str(&values.join(","));
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        Ok(Value::String(out))
    }
}

fn whole_reference(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{")).then(|| inner.trim())
}

fn unknown(name: &str) -> String {
    format!("The reference {{{{ {name} }}}} names no parameter, variable or step output of this automation (a step output exists once its step has succeeded).")
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_expand_and_variables_substitute() {
        let parameters: Values = [
            (
                "InstanceId".to_owned(),
                vec!["i-1".to_owned(), "i-2".to_owned()],
            ),
            ("Name".to_owned(), vec!["web".to_owned()]),
        ]
        .into();
        let lists: BTreeSet<String> = ["InstanceId".to_owned()].into();
        let outputs: Values = [(
            "GetInstance.platform".to_owned(),
            vec!["Linux/UNIX".to_owned()],
        )]
        .into();
        let vars = Variables {
            parameters: &parameters,
            outputs: &outputs,
            lists: &lists,
            execution_id: "exec-1",
            account: "123456789012",
            region: "us-east-1",
            now: OffsetDateTime::UNIX_EPOCH,
        };
        let inputs = json!({
            "InstanceIds": "{{ InstanceId }}",
            "Listed": ["{{InstanceId}}"],
            "ImageName": "{{ Name }}_{{automation:EXECUTION_ID}}_{{ global:DATE }}",
            "Where": "{{ global:REGION }}",
            "Platform": "{{ GetInstance.platform }}",
        });
        let out = vars.apply(&inputs).expect("resolves");
        assert_eq!(out["InstanceIds"], json!(["i-1", "i-2"]));
        assert_eq!(out["Listed"], json!(["i-1", "i-2"]));
        assert_eq!(out["ImageName"], "web_exec-1_1970-01-01");
        assert_eq!(out["Where"], "us-east-1");
        assert_eq!(out["Platform"], "Linux/UNIX");
        assert!(vars
            .apply(&json!("{{ Nope }}"))
            .expect_err("unknown")
            .contains("Nope"));
        // Spaces around a lone scalar reference were once dropped.
        assert_eq!(vars.apply(&json!(" {{ Name }} ")), Ok(json!(" web ")));
        assert_eq!(
            vars.apply(&json!(" {{ InstanceId }} ")),
            Ok(json!(["i-1", "i-2"]))
        );
    }
}
