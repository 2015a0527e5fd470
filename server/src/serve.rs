//! Wires the portal together: the AWS backend (embedded emulator or AWS), the Leptos routes and
//! server functions, assets, health, logging and compression.

use std::future::IntoFuture;
use std::sync::Arc;

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_sessions::cookie::{time, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};

use accounts::{AuditTrail, Replicas, Users};
use app::{document, App, OUTPUT_NAME};
use backend::Backend;
use domain::shell::SignInOptions;
use emulator::{Emulator, EmulatorConfig};
use portal::{Portal, Records};

use crate::cli::{BackendChoice, EmulatorArgs};
use crate::config::ServeConfig;
use crate::database_probe::{self, DatabaseProbe};
use crate::metrics_endpoint::{self, Metrics};
use crate::oidc::{self, Oidc};
use crate::probes::{self, AwsReachability, Readiness};
use crate::public_url::PublicUrl;
use crate::session_store::PortalSessions;
use crate::shutdown::Stopping;
use crate::sign_in::{self, Gate};
use crate::trusted_proxy::TrustedProxy;
use crate::{
    assets, audit_export, form_errors, grants_file, health, preferences, presentation, request_log,
    request_safety, rerun, shutdown, status_streams,
};

const EMULATOR_DEFAULT_REGION: &str = "us-east-1";

pub async fn run(config: ServeConfig) -> anyhow::Result<()> {
    crate::data_dir::create(&config.data_dir)?;
    // Before anything records a metric.
    let recorder = metrics_endpoint::install()?;

    // The embedded emulator (if any) is kept alive for as long as the portal serves.
    let (backend, _embedded) = match config.backend {
        BackendChoice::Emulator if config.emulator_url.is_some() => {
            let region = config
                .region
                .clone()
                .unwrap_or_else(|| EMULATOR_DEFAULT_REGION.to_owned());
            let url = config.emulator_url.clone().unwrap_or_default();
            tracing::info!(endpoint = %url, "using the emulator at this address");
            (Backend::emulator(&url, &region).await, None)
        }
        BackendChoice::Emulator => {
            let region = config
                .region
                .clone()
                .unwrap_or_else(|| EMULATOR_DEFAULT_REGION.to_owned());
            let emulator = Emulator::new(EmulatorConfig {
                time_scale: config.emulator_time_scale,
                seed_dir: None,
                default_region: region.clone(),
                ..EmulatorConfig::default()
            })?;
            let running = emulator
                .start_on_loopback()
                .await
                .context("cannot start the embedded emulator")?;
            let url = running.endpoint_url();
            tracing::info!(endpoint = %url, time_scale = config.emulator_time_scale, "embedded emulator started");
            (Backend::emulator(&url, &region).await, Some(running))
        }
        BackendChoice::Aws => (Backend::aws(config.region.clone()).await?, None),
    };
    let backend = Arc::new(backend);
    // Asked at start and every 30 s, for the probes: never per probe.
    let aws = AwsReachability::follow(backend.clone());

    let database = crate::users::open(&config).await?;
    let users = Users::new(&database);
    let probe: Arc<dyn DatabaseProbe> = Arc::new(database_probe::Pool(database.clone()));
    crate::users::ensure_first_admin(&users, &config.data_dir).await?;
    let grants = grants_file::load(&config.grants, config.backend == BackendChoice::Emulator)?;
    grants_file::follow(grants.clone());
    let audit = AuditTrail::new(&database);
    // This replica beats from now on; what replicas that are gone left unfinished is repaired
    // now and whenever one's heartbeat stops.
    let replicas = Replicas::new(&database, config.replica_expiry);
    replicas
        .repair()
        .await
        .context("cannot read the audit trail and approval requests")?
        .log();
    tracing::info!(
        replica = replicas.id(),
        database = database.kind(),
        "replica registered"
    );
    tokio::spawn(replicas.clone().keep_beating());
    // Health asks AWS who the portal is; everything else goes through the service layer.
    let health = backend.clone();
    // The outbox's sender runs on every replica; the database's claims share the work out.
    let sender =
        notifications::Sender::new(&database, grants.clone(), config.notifications.clone())
            .map_err(|e| anyhow::anyhow!("cannot set up notifications: {e}"))?;
    let portal = Arc::new(
        Portal::new(
            backend,
            grants,
            Records::new(&database),
            config.secrets.clone(),
        )
        .with_approval_expiry(config.approval_expiry)
        .with_poll_budget(config.aws_poll_rate)
        .with_notifications(config.notifications.clone())
        .with_schedule_min_interval(config.schedule_min_interval),
    );
    tokio::spawn(portal.clone().follow_other_replicas());
    tokio::spawn(portal.clone().tell_of_runs());
    tokio::spawn(portal.clone().run_schedules());
    tokio::spawn(sender.run());
    let store = PortalSessions::open(&database)
        .await
        .context("cannot prepare the sessions table")?;
    let sessions = sessions(store.clone(), config.secure_cookies);
    let gate = Gate::new(database.clone(), audit, config.proxy.clone(), store);

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let oidc = match config.oidc.clone() {
        Some(settings) => Some(Arc::new(Oidc::new(settings)?)),
        None => None,
    };
    let (stop, stopping) = shutdown::stopping();
    let operations = Operations {
        readiness: Readiness {
            aws,
            database: probe.clone(),
        },
        metrics: Metrics {
            handle: recorder,
            access: Arc::new(config.metrics.clone()),
            database: probe,
            portal: portal.clone(),
        },
        public_url: config.public_url.clone().map(Arc::new),
        proxy: config.proxy.clone(),
        stopping: stopping.clone(),
        presentation: Arc::new(presentation::Presentation {
            masker: (*config.presentation).clone(),
            books: accounts::PresentationAliases::new(&database),
            secure: config.secure_cookies,
        }),
    };
    let router = router(
        portal,
        health,
        addr,
        Login {
            gate: gate.clone(),
            oidc,
        },
        sessions,
        operations,
    );
    match &config.public_url {
        Some(public) => tracing::info!("Runbook Portal on http://{addr}, reached at {public}"),
        None => tracing::info!("Runbook Portal on http://{addr}"),
    }
    let serving = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    // Stops accepting, ends the live-status streams, lets requests in flight finish...
    .with_graceful_shutdown(async move {
        shutdown::signal().await;
        stop.now();
    })
    .into_future();
    // ...for at most the grace period.
    shutdown::within_grace(serving, stopping, config.shutdown_grace).await?;
    gate.flush().await;
    if let Err(e) = replicas.leave().await {
        tracing::warn!(error = %e, "cannot take this replica off the replicas table");
    }
    tracing::info!("stopped");
    Ok(())
}

/// What operators and proxies need besides the portal itself: probes, metrics, the public
/// address, the proxy that gives request ids, and the stop signal for long-lived streams.
pub struct Operations {
    pub readiness: Readiness,
    pub metrics: Metrics,
    pub public_url: Option<Arc<PublicUrl>>,
    pub proxy: Option<TrustedProxy>,
    pub stopping: Stopping,
    /// What presentation mode hides, and each presenting browser's book.
    pub presentation: Arc<presentation::Presentation>,
}

fn sessions(store: PortalSessions, secure: bool) -> SessionManagerLayer<PortalSessions> {
    let idle = i64::try_from(sign_in::IDLE_LIFETIME.as_secs()).unwrap_or(i64::MAX);
    SessionManagerLayer::new(store)
        .with_name("runbook_portal_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(idle)))
}

/// How people sign in: local accounts (and a trusted proxy) through the gate, and single sign-on.
pub struct Login {
    pub gate: Arc<Gate>,
    pub oidc: Option<Arc<Oidc>>,
}

pub fn router(
    portal: Arc<Portal>,
    health: Arc<Backend>,
    addr: std::net::SocketAddr,
    login: Login,
    sessions: SessionManagerLayer<PortalSessions>,
    operations: Operations,
) -> Router {
    let Login { gate, oidc } = login;
    let Operations {
        readiness,
        metrics,
        public_url,
        proxy,
        stopping,
        presentation,
    } = operations;
    let methods = SignInOptions {
        single_sign_on: oidc.as_ref().map(|o| o.label().to_owned()),
    };
    let bundle = assets::bundle();
    let options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_pkg_dir(bundle.map_or("pkg", |b| b.dir.as_str()))
        .site_addr(addr)
        .build();
    // Which chunks each lazy island needs, read once: a page's hydration script asks for its
    // islands' chunks with the main module.
    let chunks = bundle
        .map(|b| app::routes::Chunks::of_islands(&b.needs))
        .unwrap_or_default();
    let routes = generate_route_list(App);
    let context = {
        let portal = portal.clone();
        move || {
            provide_context(portal.clone());
            provide_context(methods.clone());
            provide_context(chunks.clone());
        }
    };
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || document(options.clone())
        })
        .fallback(
            move |State(options): State<LeptosOptions>, request: Request| {
                fallback(options, context.clone(), request)
            },
        )
        .with_state(options);
    let router = Router::new()
        .route(
            health::PATH,
            get(health::healthz).with_state(readiness.aws.clone()),
        )
        .route(health::DETAILS, get(health::details).with_state(health))
        .merge(audit_export::routes(portal.clone()))
        .merge(rerun::routes(portal.clone()))
        .merge(status_streams::routes(portal, stopping))
        .merge(sign_in::routes(gate.clone()))
        .merge(oidc::routes(oidc, gate.clone()))
        .merge(preferences::routes(presentation.secure))
        .merge(presentation::routes(presentation.clone()))
        .merge(pages)
        // Inside the gate: an error is sealed for the user it is shown to.
        .layer(axum::middleware::from_fn(form_errors::seal))
        // What a presenting session is sent is masked, whatever sent it.
        .layer(axum::middleware::from_fn_with_state(
            presentation,
            presentation::disguise,
        ))
        .layer(axum::middleware::from_fn_with_state(
            gate,
            sign_in::require_sign_in,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            public_url,
            request_safety::refuse_cross_site,
        ))
        // Outside the gate and the sessions: probes and scrapes touch neither.
        .merge(probes::routes(readiness))
        .merge(metrics_endpoint::routes(metrics))
        .layer(axum::middleware::from_fn(request_log::count));
    // The compression layer's default predicate leaves `text/event-stream` alone: a compressed
    // stream would sit in the compressor's buffer instead of reaching the browser.
    let router = request_safety::with_security_headers(router).layer(CompressionLayer::new());
    request_log::with_request_log(router, proxy)
}

/// Files of the bundle, or else the application's own not-found page.
async fn fallback(
    options: LeptosOptions,
    context: impl Fn() + Clone + Send + Sync + 'static,
    request: Request,
) -> Response {
    if let Some(asset) = assets::serve(request.uri().path(), request.headers()) {
        return asset;
    }
    let render =
        leptos_axum::render_app_async_with_context(context, move || document(options.clone()));
    let mut response = render(request.map(Body::new)).await.into_response();
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

pub async fn run_emulator(args: EmulatorArgs) -> anyhow::Result<()> {
    let faults = match &args.faults {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the faults file {}", path.display()))?;
            let rules = emulator::parse_faults_file(&text).map_err(|e| {
                anyhow::anyhow!(
                    "the faults file {} is not a list of fault rules: {e}",
                    path.display()
                )
            })?;
            Some(rules)
        }
        None => args.fault_injection.then(Vec::new),
    };
    let emulator = Emulator::new(EmulatorConfig {
        time_scale: args.time_scale,
        seed_dir: args.seed,
        default_region: args.region,
        allowed_hosts: args.allowed_hosts,
        faults,
        ..EmulatorConfig::default()
    })?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(
        "emulator of SSM, IAM, STS and EC2 on http://{} (time scale {})",
        listener.local_addr()?,
        args.time_scale
    );
    emulator.serve(listener, shutdown::signal()).await?;
    Ok(())
}
