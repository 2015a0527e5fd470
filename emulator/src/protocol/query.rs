//! awsQuery (IAM, STS) and EC2's query dialect: a form-encoded request (`Action`, `Version`, flattened
//! parameters such as `InstanceId.1` or `Tags.member.1.Key`) and an XML answer.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue};
use quick_xml::{events::BytesText, Writer};
use serde::Serialize;

pub use super::query_input::{Dialect, FromQuery, NoInput, QueryParams};
use super::RequestContext;
use crate::AwsError;

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
