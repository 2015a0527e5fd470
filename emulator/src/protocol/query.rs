//! awsQuery (IAM, STS) and EC2's query dialect: a form-encoded request (`Action`, `Version`, flattened
//! parameters such as `InstanceId.1` or `Tags.member.1.Key`) and an XML answer.

use std::collections::BTreeMap;

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue};
use quick_xml::{events::BytesText, Writer};
use serde::Serialize;

use super::RequestContext;
use crate::AwsError;

/// A query-protocol request's flattened parameters.
#[derive(Debug, Clone, Default)]
pub struct QueryParams(BTreeMap<String, String>);

impl QueryParams {
    pub fn parse(body: &[u8]) -> Result<Self, AwsError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| {
            AwsError::bad_request(
                "MalformedQueryString",
                format!("The request body is not form-encoded: {e}"),
            )
        })?;
        Ok(Self(pairs.into_iter().collect()))
    }

    /// Parameters built in-process (the Automation engine calling a service).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn required(&self, name: &str) -> Result<&str, AwsError> {
        self.get(name)
            .ok_or_else(|| AwsError::missing_parameter(name))
    }

    /// The values of a list parameter, flattened as `Name.N` (EC2) or `Name.member.N` (awsQuery),
    /// in index order.
    pub fn list(&self, name: &str) -> Vec<String> {
        let mut indexed: Vec<(u32, &String)> = self
            .0
            .iter()
            .filter_map(|(key, value)| {
                let rest = key.strip_prefix(name)?.strip_prefix('.')?;
                let rest = rest.strip_prefix("member.").unwrap_or(rest);
                Some((rest.parse().ok()?, value))
            })
            .collect();
        indexed.sort_by_key(|(i, _)| *i);
        indexed.into_iter().map(|(_, v)| v.clone()).collect()
    }
}

impl QueryParams {
    /// An optional whole-number parameter within `range`.
    pub fn number(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, AwsError> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        match text.parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(AwsError::bad_request(
                "ValidationError",
                format!(
                    "1 validation error detected: Value '{text}' at '{name}' failed to satisfy constraint: \
                     Member must have value between {} and {}",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    /// An optional boolean parameter (`true` / `false`).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, AwsError> {
        match self.get(name) {
            None => Ok(None),
            Some(t) if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(t) if t.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(t) => Err(AwsError::bad_request(
                "InvalidParameterValue",
                format!(
                    "Value ({t}) for parameter {name} is invalid. Expected: 'true' or 'false'."
                ),
            )),
        }
    }

    /// Structures flattened as `Name.N.Field` (EC2) or `Name.member.N.Field`: one map per index.
    pub fn structures(&self, name: &str) -> Vec<std::collections::BTreeMap<String, String>> {
        let mut by_index: std::collections::BTreeMap<
            u32,
            std::collections::BTreeMap<String, String>,
        > = std::collections::BTreeMap::new();
        for (key, value) in &self.0 {
            let Some(rest) = key.strip_prefix(name).and_then(|r| r.strip_prefix('.')) else {
                continue;
            };
            let rest = rest.strip_prefix("member.").unwrap_or(rest);
            let Some((index, field)) = rest.split_once('.') else {
                continue;
            };
            if let Ok(index) = index.parse() {
                by_index
                    .entry(index)
                    .or_default()
                    .insert(field.to_owned(), value.clone());
            }
        }
        by_index.into_values().collect()
    }
}

/// A list in awsQuery XML: `<Name><member>…</member>…</Name>`.
#[derive(Debug, Clone, Serialize)]
pub struct Members<T> {
    pub member: Vec<T>,
}

/// A list in EC2's XML: `<name><item>…</item>…</name>`.
#[derive(Debug, Clone, Serialize)]
pub struct Items<T> {
    pub item: Vec<T>,
}

/// An operation's typed input, read from the flattened parameters.
pub trait FromQuery: Sized {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError>;
}

/// Operations without input fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoInput;

impl FromQuery for NoInput {
    fn from_query(_: &QueryParams) -> Result<Self, AwsError> {
        Ok(Self)
    }
}

/// How a service frames its XML answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// IAM and STS: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…`, lists of `<member>`.
    Query { namespace: &'static str },
    /// EC2: `<OpResponse><requestId>…</requestId>…`, lists of `<item>`.
    Ec2 { namespace: &'static str },
}

/// Runs `handler` on the typed input and frames its output.
pub fn call<I, O>(
    ctx: &RequestContext,
    dialect: Dialect,
    action: &str,
    params: &QueryParams,
    handler: impl FnOnce(I) -> Result<O, AwsError>,
) -> Result<Vec<u8>, AwsError>
where
    I: FromQuery,
    O: Serialize,
{
    let output = handler(I::from_query(params)?)?;
    if ctx.answer == super::Answer::Boto {
        return super::boto::from_query_output(dialect, &output);
    }
    encode_ok(ctx, dialect, action, &output)
        .map_err(|e| AwsError::internal(format!("cannot encode the answer: {e}")))
}

fn encode_ok<O: Serialize>(
    ctx: &RequestContext,
    dialect: Dialect,
    action: &str,
    output: &O,
) -> Result<Vec<u8>, quick_xml::Error> {
    let mut writer = Writer::new(Vec::new());
    let root = format!("{action}Response");
    match dialect {
        Dialect::Query { namespace } => {
            writer
                .create_element(&root)
                .with_attribute(("xmlns", namespace))
                .write_inner_content(|w| {
                    w.write_serializable(&format!("{action}Result"), output)
                        .map_err(std::io::Error::other)?;
                    w.create_element("ResponseMetadata")
                        .write_inner_content(|w| {
                            w.create_element("RequestId")
                                .write_text_content(BytesText::new(&ctx.request_id))?;
                            Ok::<_, std::io::Error>(())
                        })?;
                    Ok::<_, std::io::Error>(())
                })?;
        }
        Dialect::Ec2 { namespace } => {
            // EC2 puts the output's fields straight under the root, beside `requestId`.
            #[derive(Serialize)]
            struct Ec2Answer<'a, O> {
                #[serde(rename = "@xmlns")]
                xmlns: &'a str,
                #[serde(rename = "requestId")]
                request_id: &'a str,
                #[serde(flatten)]
                output: &'a O,
            }
            writer
                .write_serializable(
                    &root,
                    &Ec2Answer {
                        xmlns: namespace,
                        request_id: &ctx.request_id,
                        output,
                    },
                )
                .map_err(|e| quick_xml::Error::Io(std::sync::Arc::new(std::io::Error::other(e))))?;
        }
    }
    Ok(writer.into_inner())
}

pub fn ok(body: Vec<u8>) -> Response {
    xml_response(http::StatusCode::OK, body)
}

pub fn error(ctx: &RequestContext, dialect: Dialect, err: &AwsError) -> Response {
    let mut writer = Writer::new(Vec::new());
    let text = |w: &mut Writer<Vec<u8>>, name: &str, value: &str| {
        w.create_element(name)
            .write_text_content(BytesText::new(value))
            .map(|_| ())
    };
    let written = match dialect {
        Dialect::Query { namespace } => writer
            .create_element("ErrorResponse")
            .with_attribute(("xmlns", namespace))
            .write_inner_content(|w| {
                w.create_element("Error").write_inner_content(|w| {
                    text(
                        w,
                        "Type",
                        if err.sender_fault {
                            "Sender"
                        } else {
                            "Receiver"
                        },
                    )?;
                    text(w, "Code", &err.code)?;
                    text(w, "Message", &err.message)
                })?;
                text(w, "RequestId", &ctx.request_id)
            }),
        Dialect::Ec2 { .. } => writer.create_element("Response").write_inner_content(|w| {
            w.create_element("Errors").write_inner_content(|w| {
                w.create_element("Error")
                    .write_inner_content(|w| {
                        text(w, "Code", &err.code)?;
                        text(w, "Message", &err.message)
                    })
                    .map(|_| ())
            })?;
            text(w, "RequestID", &ctx.request_id)
        }),
    };
    let body = match written {
        Ok(_) => writer.into_inner(),
        Err(_) => Vec::new(),
    };
    xml_response(err.status, body)
}

fn xml_response(status: http::StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_in_index_order_in_both_flattenings() {
        let params = QueryParams::parse(
            b"Action=X&InstanceId.2=i-b&InstanceId.1=i-a&InstanceId.10=i-c&Tags.member.1.Key=k",
        )
        .expect("form parses");
        assert_eq!(params.list("InstanceId"), ["i-a", "i-b", "i-c"]);
        assert_eq!(params.list("Tags"), Vec::<String>::new());
        let members =
            QueryParams::parse(b"RoleNames.member.2=b&RoleNames.member.1=a").expect("form parses");
        assert_eq!(members.list("RoleNames"), ["a", "b"]);
    }

    #[test]
    fn a_missing_required_parameter_names_it() {
        let params = QueryParams::parse(b"Action=GetRole").expect("form parses");
        let err = params
            .required("RoleName")
            .expect_err("RoleName is missing");
        assert_eq!(err.code, "MissingParameter");
        assert!(err.message.contains("RoleName"));
    }
}
