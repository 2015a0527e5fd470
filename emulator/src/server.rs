//! The emulator's HTTP front: one `POST /` for every service, plus its own `/_emulator/` endpoints.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use http::HeaderMap;
use tokio::net::TcpListener;

use crate::automation::engine;
use crate::clock::Clock;
use crate::fault_control;
use crate::faults::{FaultRule, Faults};
use crate::host_check::{self, AllowedHosts};
use crate::protocol::context::{Answer, CredentialScope};
use crate::protocol::query::{self, QueryParams};
use crate::protocol::{json, RequestContext};
use crate::services::{self, ec2, iam, ssm, sts};
pub use crate::state::Limits;
use crate::state::{Layers, State};
use crate::world::seed::{self, SeedError};
use crate::AwsError;

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// How many times faster than real time the emulated clock runs.
    pub time_scale: f64,
    /// A directory whose seed files replace the built-in ones.
    pub seed_dir: Option<PathBuf>,
    /// The region of requests that name none (unsigned requests).
    pub default_region: String,
    /// Automation's concurrency quotas (AWS's by default).
    pub limits: Limits,
    /// Host names requests may be addressed to besides IP addresses and `localhost`
    /// (see [`crate::host_check`]).
    pub allowed_hosts: Vec<String>,
    /// Fault injection: `None` off (the default: no control, no faults); `Some(rules)` on, with
    /// these rules in force from the start (see [`crate::faults`]).
    pub faults: Option<Vec<FaultRule>>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            time_scale: 1.0,
            seed_dir: None,
            default_region: "us-east-1".to_owned(),
            limits: Limits::default(),
            allowed_hosts: Vec::new(),
            faults: None,
        }
    }
}

/// Why an emulator cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(transparent)]
    Seed(#[from] SeedError),
    #[error("fault rule: {0}")]
    Faults(String),
}

#[derive(Debug, Clone)]
pub struct Emulator {
    state: Arc<State>,
    allowed_hosts: Arc<AllowedHosts>,
}

/// An emulator serving on a port of its own, stopped when dropped.
#[derive(Debug)]
pub struct RunningEmulator {
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl RunningEmulator {
    /// The URL to give SDK clients as their endpoint.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Emulator {
    pub fn new(config: EmulatorConfig) -> Result<Self, EmulatorError> {
        let world = seed::load(config.seed_dir.as_deref())?;
        let faults = Faults::new(config.faults.is_some(), config.faults.unwrap_or_default())
            .map_err(EmulatorError::Faults)?;
        Ok(Self {
            state: Arc::new(State::new(
                Clock::scaled(config.time_scale),
                world,
                config.default_region,
                config.limits,
                faults,
                Layers {
                    run_execution: engine::spawn,
                    call_api: services::call_in_process,
                },
            )),
            allowed_hosts: Arc::new(AllowedHosts::new(&config.allowed_hosts)),
        })
    }

    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/", post(route_request))
            .route("/_emulator/health", get(|| async { "ok\n" }))
            .route("/_emulator/metrics", get(metrics))
            .route(
                "/_emulator/faults",
                get(fault_control::list)
                    .post(fault_control::add)
                    .delete(fault_control::clear),
            )
            .route("/_emulator/faults/{id}", delete(fault_control::remove))
            .with_state(self.state.clone())
    }

    /// Serves on `listener` until `shutdown` completes, answering only requests addressed to an
    /// allowed host (DNS rebinding).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = self.router().layer(axum::middleware::from_fn_with_state(
            self.allowed_hosts.clone(),
            host_check::refuse_other_hosts,
        ));
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Serves on a free loopback port in the background: the portal's embedded default, and tests.
    pub async fn start_on_loopback(self) -> std::io::Result<RunningEmulator> {
        self.start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves on `addr` in the background (an emulator restarted where the last one was).
    pub async fn start_on(self, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = self.serve(listener, shutdown).await {
                tracing::error!(error = %e, "the embedded emulator stopped");
            }
        });
        Ok(RunningEmulator { addr, _stop: stop })
    }
}

async fn metrics(AxumState(state): AxumState<Arc<State>>) -> impl IntoResponse {
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.counters.render(),
    )
}

/// Answers one AWS request: by its `X-Amz-Target` (SSM's JSON protocol), else by the service its
/// signature or `Version` names (the query protocols).
async fn route_request(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let scope = CredentialScope::from_headers(&headers);
    let ctx = RequestContext {
        request_id: uuid::Uuid::new_v4().to_string(),
        signing_service: scope.service.clone(),
        region: scope
            .region
            .clone()
            .unwrap_or_else(|| state.default_region.clone()),
        caller: match state.world().principal_for(scope.access_key.as_deref()) {
            Some(principal) => principal.clone(),
            None => {
                let err = AwsError::internal(
                    "the emulator has no principal for this request's access key",
                );
                return json::error(&RequestContext::anonymous(), &err);
            }
        },
        answer: Answer::Wire,
    };

    if let Some(target) = headers.get("x-amz-target") {
        let target = target.to_str().unwrap_or_default();
        let Some(operation) = target
            .strip_prefix(ssm::TARGET_PREFIX)
            .and_then(|rest| rest.strip_prefix('.'))
        else {
            return json::error(&ctx, &AwsError::unknown_operation(target));
        };
        state.counters.record("ssm", operation);
        tracing::debug!(service = "ssm", operation, request_id = %ctx.request_id);
        return fault_control::with_faults(
            &state.faults,
            "ssm",
            operation,
            |err| json::error(&ctx, &err),
            || match ssm::handle(&state, &ctx, operation, &body) {
                Ok(answer) => json::ok(&ctx, answer),
                Err(err) => json::error(&ctx, &err),
            },
        )
        .await;
    }

    let params = match QueryParams::parse(&body) {
        Ok(params) => params,
        Err(err) => return query::error(&ctx, sts::DIALECT, &err),
    };
    let service = ctx
        .signing_service
        .clone()
        .or_else(|| service_of_version(params.get("Version")?).map(str::to_owned));
    let (dialect, handler): (_, QueryHandler) = match service.as_deref() {
        Some("sts") => (sts::DIALECT, sts::handle),
        Some("iam") => (iam::DIALECT, iam::handle),
        Some("ec2") => (ec2::DIALECT, ec2::handle),
        other => {
            let err = AwsError::bad_request(
                "UnknownService",
                format!(
                    "The emulator serves ssm, iam, sts and ec2; this request is for {}.",
                    other.unwrap_or("no service it can tell (sign it, or send Version)")
                ),
            );
            return query::error(&ctx, sts::DIALECT, &err);
        }
    };
    let Some(action) = params.get("Action") else {
        return query::error(&ctx, dialect, &AwsError::missing_parameter("Action"));
    };
    let service = service.unwrap_or_default();
    state.counters.record(&service, action);
    tracing::debug!(service, operation = action, request_id = %ctx.request_id);
    fault_control::with_faults(
        &state.faults,
        &service,
        action,
        |err| query::error(&ctx, dialect, &err),
        || match handler(&state, &ctx, action, &params) {
            Ok(answer) => query::ok(answer),
            Err(err) => query::error(&ctx, dialect, &err),
        },
    )
    .await
}

type QueryHandler = fn(&State, &RequestContext, &str, &QueryParams) -> Result<Vec<u8>, AwsError>;

fn service_of_version(version: &str) -> Option<&'static str> {
    match version {
        sts::VERSION => Some("sts"),
        iam::VERSION => Some("iam"),
        ec2::VERSION => Some("ec2"),
        _ => None,
    }
}
