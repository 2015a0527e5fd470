//! Probes for orchestrators and load balancers. `/livez`: the process answers (no I/O, so a slow
//! database or an AWS blip never restarts it). `/readyz`: the database answers now and AWS
//! answered at the last check, which runs in the background (STS GetCallerIdentity at start and
//! every 30 s), never per probe.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::StatusCode;

use backend::Backend;

use crate::database_probe::DatabaseProbe;

pub const LIVEZ: &str = "/livez";
pub const READYZ: &str = "/readyz";

/// How often AWS is asked who the portal is.
const AWS_CHECK_EVERY: Duration = Duration::from_secs(30);

/// Whether AWS answered at the last check (not before the first one has).
#[derive(Debug, Default)]
pub struct AwsReachability {
    reachable: AtomicBool,
}

impl AwsReachability {
    pub fn reachable(&self) -> bool {
        self.reachable.load(Ordering::Relaxed)
    }

    fn set(&self, reachable: bool) {
        self.reachable.store(reachable, Ordering::Relaxed);
    }

    /// Asks AWS now and at every interval, for as long as the answer is kept.
    pub fn follow(backend: Arc<Backend>) -> Arc<Self> {
        let reachability = Arc::new(Self::default());
        let weak: Weak<Self> = Arc::downgrade(&reachability);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(AWS_CHECK_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let answer = backend.ask_caller_identity().await;
                let Some(reachability) = weak.upgrade() else {
                    return;
                };
                match answer {
                    Ok(_) => {
                        if !reachability.reachable() {
                            tracing::info!("AWS answers sts:GetCallerIdentity: ready");
                        }
                        reachability.set(true);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "health check: AWS did not answer sts:GetCallerIdentity");
                        reachability.set(false);
                    }
                }
            }
        });
        reachability
    }
}

/// What `/readyz` asks.
#[derive(Clone)]
pub struct Readiness {
    pub aws: Arc<AwsReachability>,
    pub database: Arc<dyn DatabaseProbe>,
}

pub fn routes(readiness: Readiness) -> Router {
    Router::new()
        .route(LIVEZ, get(livez))
        .route(READYZ, get(readyz))
        .with_state(readiness)
}

async fn livez() -> &'static str {
    "ok\n"
}

/// 200 `ready`, or 503 `unavailable` with nothing more (the reason is in the log).
async fn readyz(State(readiness): State<Readiness>) -> Response {
    let database = readiness.database.answers().await;
    if database && readiness.aws.reachable() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n").into_response()
    }
}
