//! `GET /metrics`: the portal's metrics in Prometheus text format, for the clients operators
//! allow (`--metrics-allow`, by the client's address after trusted-proxy resolution: behind a
//! proxy every TCP peer is the proxy) or that send `--metrics-token` as a bearer token.
//!
//! Every crate records through the `metrics` facade; this module installs the Prometheus
//! recorder, names and describes the metrics, and sets the gauges read at scrape time.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use http::{HeaderMap, StatusCode};
use ipnet::IpNet;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use portal::Portal;
use subtle::ConstantTimeEq;

use crate::database_probe::DatabaseProbe;
use crate::sign_in::ClientAddress;

pub const PATH: &str = "/metrics";

/// Requests, by route template (`/automation/executions/{id}`, never the raw path), method and
/// status.
pub const REQUESTS: &str = "portal_http_requests_total";
pub const REQUEST_SECONDS: &str = "portal_http_request_duration_seconds";
pub const SSE_STREAMS: &str = "portal_sse_streams_open";
const WATCHERS: &str = "portal_live_status_watchers";
const POLLS: &str = "portal_live_status_polls_total";
use backend::call_metrics::AWS_CALLS;
const AUDIT_WRITES: &str = "portal_audit_writes_total";
const APPROVALS_PENDING: &str = "portal_approvals_pending";

/// The shortest bearer token taken: anything shorter could be guessed.
const MIN_TOKEN: usize = 16;

/// Who may read the metrics.
#[derive(Debug, Clone)]
pub struct MetricsAccess {
    allowed: Vec<IpNet>,
    token: Option<String>,
}

impl MetricsAccess {
    /// `allowed`: the networks given (default loopback); `token`: the bearer token, if any.
    pub fn new(
        allowed: Option<anyhow::Result<Vec<IpNet>>>,
        token: Option<String>,
    ) -> anyhow::Result<Self> {
        let allowed = match allowed {
            Some(allowed) => allowed?,
            None => vec![
                IpNet::from(ipnet::Ipv4Net::new(Ipv4Addr::LOCALHOST, 8)?),
                IpNet::from(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            ],
        };
        let token = token.map(|t| t.trim().to_owned());
        if let Some(token) = &token {
            if token.len() < MIN_TOKEN {
                anyhow::bail!(
                    "--metrics-token (RUNBOOK_PORTAL_METRICS_TOKEN) has fewer than {MIN_TOKEN} \
                     characters: give a long random one, e.g. from `openssl rand -hex 32`"
                );
            }
        }
        Ok(Self { allowed, token })
    }

    /// Whether `client` (resolved through any trusted proxy) may read the metrics with these
    /// request headers; if not, the answer that says what to do.
    fn check(&self, client: IpAddr, headers: &HeaderMap) -> Result<(), (StatusCode, String)> {
        let client = match client {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(client, IpAddr::V4),
            v4 => v4,
        };
        let bearer = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let allowed = self.allowed.iter().any(|n| n.contains(&client));
        match (bearer, &self.token) {
            (Some(sent), Some(token)) if bool::from(sent.as_bytes().ct_eq(token.as_bytes())) => {
                Ok(())
            }
            (Some(_), Some(_)) => Err((
                StatusCode::UNAUTHORIZED,
                "The bearer token is not the portal's metrics token: send \
                 Authorization: Bearer <the value of --metrics-token>."
                    .into(),
            )),
            _ if allowed => Ok(()),
            (_, Some(_)) => Err((
                StatusCode::UNAUTHORIZED,
                format!(
                    "Send Authorization: Bearer <the value of --metrics-token> to read the \
                     metrics: {client} is not in --metrics-allow."
                ),
            )),
            (_, None) => Err((
                StatusCode::FORBIDDEN,
                format!(
                    "You may not read the metrics from {client}: the portal answers them to the \
                     addresses in --metrics-allow (loopback by default), or to any client with \
                     --metrics-token set and sent as Authorization: Bearer <token>."
                ),
            )),
        }
    }
}

/// What `/metrics` needs: the recorder's handle, who may read, and what is read at scrape time.
#[derive(Clone)]
pub struct Metrics {
    pub handle: PrometheusHandle,
    pub access: Arc<MetricsAccess>,
    pub database: Arc<dyn DatabaseProbe>,
    pub portal: Arc<Portal>,
}

/// Installs the Prometheus recorder for the whole process (request latencies as histograms),
/// and keeps its histograms drained when nobody scrapes.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(REQUEST_SECONDS.into()),
            &[
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ],
        )?
        .install_recorder()?;
    describe();
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(10));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        REQUESTS,
        "HTTP requests answered, by route template, method and status"
    );
    describe_histogram!(
        REQUEST_SECONDS,
        Unit::Seconds,
        "Time to answer a request (to the response's headers: a stream's lifetime is not counted)"
    );
    describe_gauge!(
        SSE_STREAMS,
        "Live-status streams (Server-Sent Events) open now"
    );
    describe_gauge!(
        WATCHERS,
        "Executions watched for live status now, one watcher each"
    );
    describe_counter!(POLLS, "Reads of an execution by the live-status watchers");
    describe_counter!(
        AWS_CALLS,
        "Calls to AWS (or the emulator) by service, operation and outcome: ok, throttled, error; \
         each attempt of a retried call counts"
    );
    describe_counter!(
        crate::sign_in::SIGN_INS,
        "Sign-ins by outcome: succeeded, failed"
    );
    describe_counter!(AUDIT_WRITES, "Audit records written, by action");
    describe_gauge!(
        APPROVALS_PENDING,
        "Approval requests waiting for a decision"
    );
}

/// A sign-in (local or single sign-on) or a failed one.
pub fn routes(metrics: Metrics) -> Router {
    Router::new().route(PATH, get(render)).with_state(metrics)
}

async fn render(
    State(metrics): State<Metrics>,
    client: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
) -> Response {
    let Some(Extension(ClientAddress(client))) = client else {
        return (
            StatusCode::FORBIDDEN,
            "You may not read the metrics: the client's address is unknown.",
        )
            .into_response();
    };
    if let Err((status, message)) = metrics.access.check(client, &headers) {
        tracing::warn!(%client, %status, "metrics refused");
        let mut response = (status, message).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static("Bearer"),
            );
        }
        return response;
    }
    if let Some(pending) = metrics.database.pending_approvals().await {
        metrics::gauge!(APPROVALS_PENDING).set(pending as f64);
    }
    metrics::gauge!(WATCHERS).set(metrics.portal.live_status_watchers() as f64);
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.handle.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("value"),
        );
        headers
    }

    #[test]
    fn loopback_reads_by_default_and_others_are_told_how() {
        let access = MetricsAccess::new(None, None).expect("defaults");
        assert!(access.check(ip("127.0.0.1"), &HeaderMap::new()).is_ok());
        assert!(access.check(ip("::1"), &HeaderMap::new()).is_ok());
        assert!(access
            .check(ip("::ffff:127.0.0.1"), &HeaderMap::new())
            .is_ok());
        let (status, message) = access
            .check(ip("203.0.113.9"), &HeaderMap::new())
            .expect_err("not allowed");
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(message.contains("203.0.113.9") && message.contains("--metrics-allow"));
        // A token sent where none is configured opens nothing.
        assert!(access
            .check(ip("203.0.113.9"), &bearer("anything-at-all-long-enough"))
            .is_err());
    }

    #[test]
    fn the_token_opens_from_anywhere_and_a_wrong_one_from_nowhere() {
        let token = "0123456789abcdef0123456789abcdef";
        let access = MetricsAccess::new(
            Some(Ok(vec!["10.0.0.0/24".parse().expect("net")])),
            Some(token.into()),
        )
        .expect("valid");
        assert!(access.check(ip("203.0.113.9"), &bearer(token)).is_ok());
        assert!(access.check(ip("10.0.0.7"), &HeaderMap::new()).is_ok());
        assert!(access.check(ip("127.0.0.1"), &HeaderMap::new()).is_err());
        let (status, message) = access
            .check(ip("10.0.0.7"), &bearer("0123456789abcdef0123456789abcdeF"))
            .expect_err("wrong token");
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(message.contains("not the portal's metrics token"));
        let (status, _) = access
            .check(ip("203.0.113.9"), &HeaderMap::new())
            .expect_err("no token");
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn a_short_token_is_refused_at_start() {
        let err = MetricsAccess::new(None, Some("secret".into())).expect_err("too short");
        assert!(err.to_string().contains("openssl rand"), "{err}");
    }
}
