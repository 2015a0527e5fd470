//! boto3's view of the query protocols, for runbook steps (`aws:executeAwsApi` and kin) that call
//! the emulator's own IAM, STS and EC2 handlers in-process: a step's JSON parameters become query
//! parameters, and a handler's typed answer becomes the JSON a boto3 client would return.

use serde::Serialize;
use serde_json::{Map, Value};

use super::query_input::{Dialect, QueryParams};
use crate::AwsError;

/// The answer a boto3 client returns for `output`: member names as botocore spells them, lists
/// as arrays.
pub fn from_query_output<O: Serialize>(dialect: Dialect, output: &O) -> Result<Vec<u8>, AwsError> {
    let tree = serde_json::to_value(output)
        .map_err(|e| AwsError::internal(format!("cannot encode the answer: {e}")))?;
    let shaped = shape(dialect, "", tree);
    serde_json::to_vec(&shaped)
        .map_err(|e| AwsError::internal(format!("cannot encode the answer: {e}")))
}

fn shape(dialect: Dialect, parent: &str, value: Value) -> Value {
    match value {
        Value::Object(map) => {
            // `<name><item>…</item></name>` and `<Name><member>…</member></Name>` are lists.
            if map.len() == 1 {
                if let Some(Value::Array(items)) = map.get("item").or_else(|| map.get("member")) {
                    return Value::Array(
                        items
                            .iter()
                            .map(|v| shape(dialect, parent, v.clone()))
                            .collect(),
                    );
                }
            }
            Value::Object(
                map.into_iter()
                    .map(|(key, v)| {
                        let name = member_name(dialect, parent, &key);
                        let shaped = match v {
                            Value::String(text) if POLICY_DOCUMENTS.contains(&name.as_str()) => {
                                decoded_policy(text)
                            }
                            other => shape(dialect, &name, other),
                        };
                        (name, shaped)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| shape(dialect, parent, v))
                .collect(),
        ),
        other => other,
    }
}

/// IAM's URL-encoded policy documents, which boto3 hands over decoded (`json_decode_policies`).
const POLICY_DOCUMENTS: &[&str] = &["AssumeRolePolicyDocument", "PolicyDocument", "Document"];

fn decoded_policy(text: String) -> Value {
    let decoded = percent_encoding::percent_decode_str(&text).decode_utf8_lossy();
    serde_json::from_str(&decoded).unwrap_or(Value::String(text))
}

/// botocore's member name for an XML element: EC2's `reservationSet` is `Reservations`, an
/// instance's `instanceState` is `State`; IAM and STS already use botocore's names.
fn member_name(dialect: Dialect, parent: &str, xml: &str) -> String {
    if matches!(dialect, Dialect::Query { .. }) {
        return xml.to_owned();
    }
    match (parent, xml) {
        ("Instances", "instanceState") => "State".to_owned(),
        ("Images", "imageState") => "State".to_owned(),
        ("Images", "imageOwnerId") => "OwnerId".to_owned(),
        ("Images", "isPublic") => "Public".to_owned(),
        (_, "return") => "Return".to_owned(),
        (_, name) => match name.strip_suffix("Set") {
            Some(list) => plural(&capitalize(list)),
            None => capitalize(name),
        },
    }
}

fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn plural(name: &str) -> String {
    if name.ends_with("us") {
        format!("{name}es")
    } else if name.ends_with('s') {
        name.to_owned()
    } else {
        format!("{name}s")
    }
}

/// The query parameters of a boto3-style call: `{"InstanceIds": ["i-1"]}` is `InstanceId.1=i-1`
/// for EC2 and `InstanceIds.member.1=i-1` for IAM and STS; structures nest with dots.
pub fn query_params(dialect: Dialect, parameters: &Map<String, Value>) -> QueryParams {
    let mut pairs = Vec::new();
    for (name, value) in parameters {
        flatten(dialect, name, value, &mut pairs);
    }
    QueryParams::from_pairs(pairs)
}

fn flatten(dialect: Dialect, prefix: &str, value: &Value, pairs: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::String(text) => pairs.push((prefix.to_owned(), text.clone())),
        Value::Bool(b) => pairs.push((prefix.to_owned(), b.to_string())),
        Value::Number(n) => pairs.push((prefix.to_owned(), n.to_string())),
        Value::Object(map) => {
            for (name, inner) in map {
                flatten(dialect, &format!("{prefix}.{name}"), inner, pairs);
            }
        }
        Value::Array(items) => {
            let list = match dialect {
                Dialect::Ec2 { .. } => ec2_list_name(prefix),
                Dialect::Query { .. } => format!("{prefix}.member"),
            };
            for (i, item) in items.iter().enumerate() {
                flatten(dialect, &format!("{list}.{}", i + 1), item, pairs);
            }
        }
    }
}

/// EC2 names a list's entries in the singular: `InstanceIds` → `InstanceId.N`, `Filters` →
/// `Filter.N`, `Resources` → `ResourceId.N`.
fn ec2_list_name(prefix: &str) -> String {
    let (head, last) = prefix
        .rsplit_once('.')
        .map_or(("", prefix), |(h, l)| (h, l));
    let singular = match last {
        "Resources" => "ResourceId".to_owned(),
        other => other.strip_suffix('s').unwrap_or(other).to_owned(),
    };
    if head.is_empty() {
        singular
    } else {
        format!("{head}.{singular}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EC2: Dialect = Dialect::Ec2 { namespace: "" };

    #[test]
    fn ec2_answers_take_botocore_names() {
        let xml_shaped = json!({
            "reservationSet": {"item": [{
                "reservationId": "r-1",
                "instancesSet": {"item": [{
                    "instanceId": "i-1",
                    "instanceState": {"code": 16, "name": "running"},
                    "tagSet": {"item": [{"key": "Name", "value": "web-1"}]}
                }]}
            }]}
        });
        let shaped = shape(EC2, "", xml_shaped);
        assert_eq!(
            shaped["Reservations"][0]["Instances"][0]["State"]["Name"],
            "running"
        );
        assert_eq!(
            shaped["Reservations"][0]["Instances"][0]["State"]["Code"],
            16
        );
        assert_eq!(
            shaped["Reservations"][0]["Instances"][0]["Tags"][0]["Value"],
            "web-1"
        );
        let statuses = shape(
            EC2,
            "",
            json!({"instanceStatusSet": {"item": [{"instanceState": {"name": "running"}}]}}),
        );
        assert_eq!(
            statuses["InstanceStatuses"][0]["InstanceState"]["Name"],
            "running"
        );
    }

    #[test]
    fn iam_policy_documents_arrive_decoded() {
        let shaped = shape(
            Dialect::Query { namespace: "" },
            "",
            json!({"Role": {"AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D"}}),
        );
        assert_eq!(
            shaped["Role"]["AssumeRolePolicyDocument"]["Version"],
            "2012-10-17"
        );
    }

    #[test]
    fn parameters_flatten_per_dialect() {
        let parameters = json!({
            "InstanceIds": ["i-1", "i-2"],
            "Filters": [{"Name": "tag:Team", "Values": ["a"]}],
            "DryRun": false
        });
        let ec2 = query_params(EC2, parameters.as_object().expect("object"));
        assert_eq!(ec2.list("InstanceId"), ["i-1", "i-2"]);
        assert_eq!(ec2.get("Filter.1.Name"), Some("tag:Team"));
        assert_eq!(ec2.get("Filter.1.Value.1"), Some("a"));
        assert_eq!(ec2.get("DryRun"), Some("false"));
        let iam = query_params(
            Dialect::Query { namespace: "" },
            json!({"PolicyArns": ["arn:1"]})
                .as_object()
                .expect("object"),
        );
        assert_eq!(iam.get("PolicyArns.member.1"), Some("arn:1"));
    }
}
