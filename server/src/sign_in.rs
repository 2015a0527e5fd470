//! Signing in and out, and the gate in front of everything else: a request without a live session
//! is sent to the sign-in page (pages) or refused with 401 (API, server functions, streams).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use accounts::{Attempt, AuditRecord, AuditTrail, SignInThrottle, Users};
use app::session::{ClientInfo, SignedIn};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::config::TrustedProxy;
use crate::{health, oidc};

/// How long a session lasts however active it is.
pub const ABSOLUTE_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// How long a session lasts unused (the cookie's and the store's expiry).
pub const IDLE_LIFETIME: Duration = Duration::from_secs(2 * 3600);

const SESSION_USER: &str = "user";
/// Where the sign-in form posts (the form itself is the `/login` page).
pub const SIGN_IN: &str = "/session";
pub const SIGN_OUT: &str = "/session/end";

#[derive(Debug, Serialize, Deserialize)]
struct SessionUser {
    name: String,
    /// Seconds since the epoch.
    signed_in_at: u64,
    /// The groups an identity provider gave (single sign-on); `None` for a local account, whose
    /// groups are read from the account on every request (so a change applies at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    groups: Option<Vec<String>>,
}

/// Starts the session of a signed-in user: a new session id (an id planted before cannot be
/// ridden afterwards), then who they are. `groups` as for [`SessionUser`].
pub async fn begin_session(
    session: &Session,
    name: &str,
    groups: Option<Vec<String>>,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session
        .insert(
            SESSION_USER,
            SessionUser {
                name: name.to_owned(),
                signed_in_at: now(),
                groups,
            },
        )
        .await
}

pub struct Gate {
    pub users: Users,
    pub throttle: SignInThrottle,
    pub audit: AuditTrail,
    /// A reverse proxy whose user and group headers sign requests in.
    pub proxy: Option<TrustedProxy>,
}

impl Gate {
    /// The user a trusted proxy names in the request's headers. The headers of any other peer
    /// are ignored: anyone can send them.
    fn proxied(&self, peer: Option<IpAddr>, headers: &http::HeaderMap) -> Option<SignedIn> {
        let proxy = self.proxy.as_ref()?;
        let name = headers
            .get(&proxy.user_header)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|n| !n.is_empty())?;
        let peer = peer?;
        if !proxy.trusts(peer) {
            tracing::warn!(
                %peer,
                header = %proxy.user_header,
                "ignored a user header from an address that is not a trusted proxy"
            );
            return None;
        }
        let groups = headers
            .get_all(&proxy.groups_header)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect();
        Some(SignedIn {
            name: name.to_owned(),
            groups,
        })
    }

    /// Records a sign-in or a failed one in the audit trail.
    pub async fn record(&self, name: &str, client: &ClientInfo, signed_in: bool, detail: &str) {
        let record = AuditRecord {
            user: name.to_owned(),
            action: if signed_in {
                "sign-in"
            } else {
                "sign-in-failed"
            }
            .into(),
            outcome: if signed_in { "succeeded" } else { "refused" }.into(),
            detail: detail.to_owned(),
            client_address: client.address.clone(),
            user_agent: client.user_agent.clone(),
            ..AuditRecord::default()
        };
        if let Err(e) = self.audit.write(&record).await {
            tracing::error!(error = %e, "could not record a sign-in in the audit trail");
        }
    }
}

/// Where a request came from: the peer's address and the browser's User-Agent.
pub fn client_of(address: std::net::IpAddr, headers: &http::HeaderMap) -> ClientInfo {
    ClientInfo {
        address: address.to_string(),
        user_agent: headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(512)
            .collect(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub fn routes(gate: Arc<Gate>) -> Router {
    Router::new()
        .route(SIGN_IN, post(sign_in))
        .route(SIGN_OUT, post(sign_out))
        .with_state(gate)
}

#[derive(Deserialize)]
struct Credentials {
    name: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Only a path of this portal is followed after signing in (never another site).
pub fn local_path(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if local {
        next
    } else {
        "/automation"
    }
}

pub fn back_to_form(error: &str, next: &str, extra: &str) -> Response {
    let next = app::wizard::form::encode(local_path(next));
    Redirect::to(&format!("/login?error={error}&next={next}{extra}")).into_response()
}

async fn sign_in(
    State(gate): State<Arc<Gate>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    session: Session,
    headers: http::HeaderMap,
    Form(form): Form<Credentials>,
) -> Response {
    let address = client.ip();
    let client = client_of(address, &headers);
    match gate.throttle.check(&form.name, address) {
        Attempt::LockedOut { retry_after } => {
            tracing::warn!(user = %form.name, %address, "sign-in refused: locked out");
            gate.record(
                &form.name,
                &client,
                false,
                "locked out after too many failed sign-ins",
            )
            .await;
            let minutes = retry_after.as_secs().div_ceil(60).max(1);
            return back_to_form("locked", &form.next, &format!("&wait={minutes}"));
        }
        Attempt::Proceed { delay } => tokio::time::sleep(delay).await,
    }
    let user = match gate.users.verify(&form.name, &form.password).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            gate.throttle.failed(&form.name, address);
            tracing::warn!(user = %form.name, %address, "sign-in failed");
            gate.record(&form.name, &client, false, "wrong user name or password")
                .await;
            return back_to_form("invalid", &form.next, "");
        }
        Err(e) => {
            tracing::error!("sign-in could not be checked: {e}");
            return back_to_form("unavailable", &form.next, "");
        }
    };
    gate.throttle.succeeded(&user.name);
    if let Err(e) = begin_session(&session, &user.name, None).await {
        tracing::error!("the session could not be stored: {e}");
        return back_to_form("unavailable", &form.next, "");
    }
    tracing::info!(user = %user.name, %address, "signed in");
    gate.record(&user.name, &client, true, "").await;
    Redirect::to(local_path(&form.next)).into_response()
}

async fn sign_out(session: Session) -> Response {
    if let Err(e) = session.flush().await {
        tracing::error!("the session could not be ended: {e}");
    }
    Redirect::to("/login?signed_out=1").into_response()
}

/// Paths anyone may reach: the sign-in page, its ways of signing in and its assets, and the
/// health check.
fn public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | SIGN_IN
            | oidc::START
            | oidc::CALLBACK
            | app::identity::SIGN_IN_METHODS
            | health::PATH
            | "/favicon.svg"
    ) || path.starts_with("/pkg/")
}

/// The signed-in user of this session, if it is still valid (not past its absolute lifetime,
/// and the account still exists).
async fn signed_in(gate: &Gate, session: &Session) -> Option<SignedIn> {
    let stored: SessionUser = session.get(SESSION_USER).await.ok().flatten()?;
    if now().saturating_sub(stored.signed_in_at) > ABSOLUTE_LIFETIME.as_secs() {
        let _ = session.flush().await;
        return None;
    }
    if let Some(groups) = stored.groups {
        return Some(SignedIn {
            name: stored.name,
            groups,
        });
    }
    let user = gate.users.get(&stored.name).await.ok().flatten()?;
    Some(SignedIn {
        name: user.name,
        groups: user.groups,
    })
}

pub async fn require_sign_in(
    State(gate): State<Arc<Gate>>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    if let Some(peer) = peer {
        let client = client_of(peer, request.headers());
        request.extensions_mut().insert(client);
    }
    let path = request.uri().path();
    if public(path) {
        return next.run(request).await;
    }
    let user = match gate.proxied(peer, request.headers()) {
        Some(user) => Some(user),
        None => signed_in(&gate, &session).await,
    };
    if let Some(user) = user {
        request.extensions_mut().insert(user);
        return next.run(request).await;
    }
    let page = request.method() == Method::GET && !path.starts_with("/api/");
    if page {
        let wanted = request
            .uri()
            .path_and_query()
            .map_or("/automation", |p| p.as_str());
        let next = app::wizard::form::encode(wanted);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    (
        StatusCode::UNAUTHORIZED,
        "Sign in first: open the portal's /login page, then try again.",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            local_path("/automation/execute?x=1"),
            "/automation/execute?x=1"
        );
        for outside in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "",
        ] {
            assert_eq!(local_path(outside), "/automation", "{outside}");
        }
    }
}
