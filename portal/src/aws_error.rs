//! An SDK failure in plain words: what the portal tried, and what AWS said.

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
            if matches!(
                code,
                "InvalidDocument" | "AutomationExecutionNotFoundException" | "NoSuchEntity"
            ) {
                PortalError::NotFound(text)
            } else {
                PortalError::Backend(text)
            }
        }
        None => PortalError::Backend(format!(
            "The portal could not {attempt}: AWS did not answer ({}). Check the server's network and credentials, then try again.",
            DisplayErrorContext(&err)
        )),
    }
}

/// An AWS moment in the portal's one format.
pub fn time(t: Option<&aws_sdk_ssm::primitives::DateTime>) -> String {
    t.map(|t| domain::time::utc_at(t.secs(), t.subsec_nanos()))
        .unwrap_or_default()
}
