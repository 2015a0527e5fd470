//! awsJson1.1, as SSM speaks it: `POST /` with `X-Amz-Target: AmazonSSM.<Operation>` and a JSON
//! object body; answers are JSON objects, errors `{"__type": code, "message": text}`.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde::{de::DeserializeOwned, Serialize};

use super::RequestContext;
use crate::AwsError;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Reads an operation's typed input; an empty body is an empty object, as the SDKs may send it.
pub fn parse_input<T: DeserializeOwned>(body: &[u8]) -> Result<T, AwsError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        // A missing required member is a validation error, in AWS's words.
        let text = e.to_string();
        if let Some(field) = text.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            let member = field.chars().next().map_or(String::new(), |c| c.to_lowercase().collect::<String>() + &field[c.len_utf8()..]);
            return AwsError::bad_request(
                "ValidationException",
                format!("1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"),
            );
        }
        let what = if e.is_data() {
            "does not match the operation's input shape"
        } else {
            "is not valid JSON"
        };
        AwsError::serialization(format!("The request body {what}: {e}"))
    })
}

/// Runs `handler` on the parsed body and serialises its output.
pub fn call<I, O>(
    body: &[u8],
    handler: impl FnOnce(I) -> Result<O, AwsError>,
) -> Result<Vec<u8>, AwsError>
where
    I: DeserializeOwned,
    O: Serialize,
{
    let output = handler(parse_input(body)?)?;
    serde_json::to_vec(&output)
        .map_err(|e| AwsError::internal(format!("cannot encode the answer: {e}")))
}

pub fn ok(ctx: &RequestContext, body: Vec<u8>) -> Response {
    with_headers(ctx, StatusCode::OK, body, None)
}

pub fn error(ctx: &RequestContext, err: &AwsError) -> Response {
    #[derive(Serialize)]
    struct ErrorBody<'a> {
        #[serde(rename = "__type")]
        kind: &'a str,
        message: &'a str,
    }
    let body = serde_json::to_vec(&ErrorBody {
        kind: &err.code,
        message: &err.message,
    })
    .unwrap_or_default();
    with_headers(ctx, err.status, body, Some(&err.code))
}

fn with_headers(
    ctx: &RequestContext,
    status: StatusCode,
    body: Vec<u8>,
    error_type: Option<&str>,
) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(&ctx.request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(Ok(kind)) = error_type.map(HeaderValue::from_str) {
        headers.insert("x-amzn-errortype", kind);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "PascalCase")]
    struct Input {
        #[serde(default)]
        name: Option<String>,
    }

    #[test]
    fn an_empty_body_is_an_empty_object() {
        let input: Input = parse_input(b"").expect("empty body parses");
        assert!(input.name.is_none());
    }

    #[test]
    fn malformed_json_is_a_serialization_exception() {
        let err = parse_input::<Input>(b"{\"Name\":").expect_err("malformed body is refused");
        assert_eq!(err.code, "SerializationException");
        assert!(err.message.contains("not valid JSON"), "{}", err.message);
    }

    #[test]
    fn a_missing_required_member_is_a_validation_exception() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(rename_all = "PascalCase")]
        #[allow(dead_code)]
        struct Needs {
            name: String,
        }
        let err = parse_input::<Needs>(b"{}").expect_err("Name is required");
        assert_eq!(err.code, "ValidationException");
        assert!(err.message.contains("'name'"), "{}", err.message);
    }

    #[test]
    fn a_wrongly_typed_field_is_a_serialization_exception() {
        let err = parse_input::<Input>(b"{\"Name\":3}").expect_err("wrong type is refused");
        assert!(err.message.contains("input shape"), "{}", err.message);
    }
}
