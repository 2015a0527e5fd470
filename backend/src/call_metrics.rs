//! Counts every AWS call the SDK clients make, by service, operation and outcome, as an SDK
//! interceptor: whatever code sends a call, it is counted. Each attempt counts (a throttled call
//! the SDK retries shows as throttled, then ok).

use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

/// The counter's name in the portal's metrics.
pub const AWS_CALLS: &str = "portal_aws_calls_total";

/// The error codes AWS answers a call it throttles with (SSM, IAM, STS, EC2 and the common ones).
const THROTTLING: [&str; 6] = [
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];

#[derive(Debug, Clone, Copy, Default)]
pub struct CallMetrics;

/// `ok`, `throttled` or `error`, from the HTTP status and the body AWS answered (the error's
/// code is in it, in JSON for SSM and XML for IAM, STS and EC2).
pub fn outcome(succeeded: bool, status: Option<u16>, body: Option<&[u8]>) -> &'static str {
    if succeeded {
        return "ok";
    }
    let throttled_code = body.is_some_and(|body| {
        let body = String::from_utf8_lossy(&body[..body.len().min(4096)]);
        THROTTLING.iter().any(|code| {
            body.contains(&format!("<Code>{code}</Code>"))
                || body.contains(&format!("\"{code}\""))
                || body.contains(&format!("#{code}\""))
        })
    });
    if status == Some(429) || throttled_code {
        "throttled"
    } else {
        "error"
    }
}

impl Intercept for CallMetrics {
    fn name(&self) -> &'static str {
        "CallMetrics"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map_or(("unknown".to_owned(), "unknown".to_owned()), |m| {
                (m.service().to_ascii_lowercase(), m.name().to_owned())
            });
        let succeeded = matches!(context.output_or_error(), Some(Ok(_)));
        let response = context.response();
        let outcome = outcome(
            succeeded,
            response.map(|r| r.status().as_u16()),
            response.and_then(|r| r.body().bytes()),
        );
        metrics::counter!(
            AWS_CALLS,
            "service" => service,
            "operation" => operation,
            "outcome" => outcome
        )
        .increment(1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_is_told_apart_from_other_errors_in_every_protocol() {
        assert_eq!(outcome(true, Some(200), None), "ok");
        let json = br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
        assert_eq!(outcome(false, Some(400), Some(json)), "throttled");
        let prefixed = br#"{"__type":"com.amazonaws.ssm#ThrottlingException","message":"x"}"#;
        assert_eq!(outcome(false, Some(400), Some(prefixed)), "throttled");
        let query = b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>\
                      <Message>Rate exceeded</Message></Error></ErrorResponse>";
        assert_eq!(outcome(false, Some(400), Some(query)), "throttled");
        let ec2 = b"<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>";
        assert_eq!(outcome(false, Some(503), Some(ec2)), "throttled");
        assert_eq!(outcome(false, Some(429), None), "throttled");
        let denied =
            br#"{"__type":"AccessDeniedException","message":"no ThrottlingException here"}"#;
        assert_eq!(outcome(false, Some(400), Some(denied)), "error");
        // No answer at all (the endpoint is down).
        assert_eq!(outcome(false, None, None), "error");
    }
}
