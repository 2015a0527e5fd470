//! An SDK failure in plain words: what the portal tried, what AWS said, and what to do about it.
//! The SDK's own chain of causes goes to the log, not to the page.

use aws_sdk_ssm::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use domain::PortalError;

pub fn aws_error<E, R>(attempt: &str, err: SdkError<E, R>) -> PortalError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err.as_service_error() {
        Some(service) => {
            let code = service.code().unwrap_or("Error");
            let message = service.message().unwrap_or_default();
            let text = format!("AWS refused to {attempt}: {message} ({code})");
            match code {
                "InvalidDocument" | "AutomationExecutionNotFoundException" | "NoSuchEntity" => {
                    PortalError::NotFound(text)
                }
                _ => PortalError::Backend(match advice(code) {
                    Some(advice) => format!("{text}. {advice}"),
                    None => text,
                }),
            }
        }
        None => {
            tracing::warn!(attempt, error = %DisplayErrorContext(&err), "an AWS call failed");
            PortalError::Backend(format!(
                "The portal could not {attempt}: {}. Check the server's network and credentials, then try again.",
                unanswered(&err)
            ))
        }
    }
}

/// What to do about an error AWS answers with, for the codes that say it is not the request's
/// fault. The SDK has already retried the ones that pass (throttling, errors on AWS's side).
fn advice(code: &str) -> Option<&'static str> {
    match code {
        "ThrottlingException" | "Throttling" | "RequestLimitExceeded" | "TooManyUpdates" => {
            Some("AWS is limiting how fast this account may call it: wait a minute and try again.")
        }
        "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => {
            Some("The portal's AWS credentials have expired: an administrator must renew them.")
        }
        "InternalServerError"
        | "InternalFailure"
        | "ServiceFailure"
        | "InternalError"
        | "ServiceUnavailable"
        | "ServiceUnavailableException"
        | "Unavailable" => Some("The failure was on AWS's side: try again in a moment."),
        _ => None,
    }
}

/// Why no answer came, in a phrase.
pub fn unanswered<E, R>(err: &SdkError<E, R>) -> &'static str {
    match err {
        SdkError::TimeoutError(_) => "AWS did not answer in time",
        SdkError::DispatchFailure(f) if f.is_timeout() => "AWS did not answer in time",
        SdkError::DispatchFailure(f) if f.is_io() => "AWS could not be reached",
        SdkError::DispatchFailure(_) => "the request could not be sent to AWS",
        SdkError::ResponseError(_) => "AWS's answer was lost on the way or could not be read",
        SdkError::ConstructionFailure(_) => "the request could not be made",
        _ => "AWS did not answer",
    }
}

/// An AWS moment in the portal's one format.
pub fn time(t: Option<&aws_sdk_ssm::primitives::DateTime>) -> String {
    t.map(|t| domain::time::utc_at(t.secs(), t.subsec_nanos()))
        .unwrap_or_default()
}
