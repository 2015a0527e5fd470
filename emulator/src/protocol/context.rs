//! What the protocol layer learns about a request before any handler runs.

use http::HeaderMap;

use crate::identity::Principal;

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    /// The service named in the SigV4 credential scope (`ssm`, `iam`, `sts`, `ec2`), if signed.
    pub signing_service: Option<String>,
    pub region: String,
    pub caller: Principal,
    /// How the answer is written: on the wire, or as boto3 would return it to a runbook step.
    pub answer: Answer,
}

/// The form of a handler's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answer {
    /// The service's own wire format (JSON for SSM, XML for IAM, STS and EC2).
    #[default]
    Wire,
    /// The JSON a boto3 client returns, which runbook selectors such as
    /// `$.Reservations[0].Instances[0].State.Name` read.
    Boto,
}

impl RequestContext {
    /// The context of a request that could not be attributed to anyone (for its error answer).
    pub fn anonymous() -> Self {
        Self {
            request_id: uuid::Uuid::new_v4().to_string(),
            signing_service: None,
            region: String::new(),
            caller: Principal {
                access_key_id: String::new(),
                account: String::new(),
                arn: String::new(),
                user_id: String::new(),
                policies: Vec::new(),
                role_arn: None,
            },
            answer: Answer::Wire,
        }
    }
}

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ssm/aws4_request, …`
/// that matter here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CredentialScope {
    pub access_key: Option<String>,
    pub region: Option<String>,
    pub service: Option<String>,
}

impl CredentialScope {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(Self::parse)
            .unwrap_or_default()
    }

    pub fn parse(authorization: &str) -> Self {
        let Some(credential) = authorization
            .split([' ', ','])
            .find_map(|part| part.trim().strip_prefix("Credential="))
        else {
            return Self::default();
        };
        let mut parts = credential.split('/');
        let access_key = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
        let _date = parts.next();
        let region = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
        let service = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
        Self {
            access_key,
            region,
            service,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_key_region_and_service_from_a_sigv4_header() {
        let scope = CredentialScope::parse(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/ssm/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=abc",
        );
        assert_eq!(scope.access_key.as_deref(), Some("AKIDEXAMPLE"));
        assert_eq!(scope.region.as_deref(), Some("eu-west-1"));
        assert_eq!(scope.service.as_deref(), Some("ssm"));
    }

    #[test]
    fn an_unsigned_request_has_an_empty_scope() {
        assert_eq!(
            CredentialScope::parse("Bearer x"),
            CredentialScope::default()
        );
    }
}
