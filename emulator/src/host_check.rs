//! Which `Host` a request may name. Any caller of the emulator is Administrator, so a web page
//! must not reach it through DNS rebinding: a name of the attacker's that comes to resolve to
//! 127.0.0.1. Such a request still names the attacker's host, so the emulator answers only
//! requests addressed to an IP address (which cannot be rebound), `localhost`, or a name it was
//! given (a container's service name). The port is not checked: a port mapping changes it, and
//! the name is what a rebinding attacker controls.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::uri::Authority;
use http::StatusCode;

use crate::protocol::context::{CredentialScope, RequestContext};
use crate::protocol::{json, query};
use crate::services::{ec2, sts};
use crate::AwsError;

/// The host names a request may be addressed to, besides IP addresses and `localhost`.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    names: Vec<String>,
}

impl AllowedHosts {
    pub fn new(names: &[String]) -> Self {
        Self {
            names: names
                .iter()
                .map(|n| n.trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect(),
        }
    }

    /// Whether a `Host` value (`name`, `name:port`, `[v6]:port`) is one the emulator answers.
    pub fn admits(&self, host: &str) -> bool {
        // A Host carries no user info; one that does is not an address anyone meant.
        let Some(authority) = host
            .parse::<Authority>()
            .ok()
            .filter(|a| !a.as_str().contains('@'))
        else {
            return false;
        };
        let name = authority.host();
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>().is_ok()
            || bare.eq_ignore_ascii_case("localhost")
            || self.names.iter().any(|n| n.eq_ignore_ascii_case(bare))
    }

    /// The accepted values, for the refusal.
    fn describe(&self) -> String {
        let mut accepted = vec![
            "an IP address (127.0.0.1)".to_owned(),
            "localhost".to_owned(),
        ];
        accepted.extend(self.names.iter().cloned());
        accepted.join(", ")
    }
}

/// Answers a request addressed to any other host with 403, in the error shape of the protocol
/// it speaks (JSON 1.1 for SSM, XML for the query services).
pub async fn refuse_other_hosts(
    State(allowed): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    if host.as_deref().is_some_and(|h| allowed.admits(h)) {
        return next.run(request).await;
    }
    let named = host.as_deref().unwrap_or("(none)");
    tracing::warn!(host = %named, "refused a request addressed to a host the emulator does not answer");
    let json = request.headers().contains_key("x-amz-target");
    let err = AwsError::new(
        if json {
            "AccessDeniedException"
        } else {
            "AccessDenied"
        },
        StatusCode::FORBIDDEN,
        format!(
            "The emulator answers only requests whose Host is {}; this one names {named:?} \
             (refused: a web page could reach the emulator through a name that resolves to it). \
             Use http://127.0.0.1:<port> as the endpoint, or start the emulator with \
             --allowed-host <name>.",
            allowed.describe()
        ),
    );
    let ctx = RequestContext::anonymous();
    if json {
        return json::error(&ctx, &err);
    }
    let service = CredentialScope::from_headers(request.headers()).service;
    let dialect = if service.as_deref() == Some("ec2") {
        ec2::DIALECT
    } else {
        sts::DIALECT
    };
    query::error(&ctx, dialect, &err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_localhost_and_given_names_are_admitted() {
        let allowed = AllowedHosts::new(&["Emulator".to_owned()]);
        for host in [
            "127.0.0.1:4566",
            "127.0.0.1",
            "localhost:4566",
            "LOCALHOST",
            "[::1]:4566",
            "10.0.0.7:4566",
            "emulator:4566",
            "emulator",
        ] {
            assert!(allowed.admits(host), "{host}");
        }
    }

    #[test]
    fn other_names_are_refused() {
        let allowed = AllowedHosts::new(&["emulator".to_owned()]);
        for host in [
            "evil.example",
            "evil.example:4566",
            "127.0.0.1.evil.example:4566",
            "localhost.evil.example",
            "user@127.0.0.1:4566",
            "",
            "127.0.0.1:4566/x",
            "emulator.evil.example",
        ] {
            assert!(!allowed.admits(host), "{host}");
        }
    }
}
