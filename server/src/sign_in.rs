//! Signing in and out, and the gate in front of everything else: a request without a live session
//! is sent to the sign-in page (pages) or refused with 401 (API, server functions, streams).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use accounts::{
    now_millis, AccountError, AuditRecord, AuditTrail, Database, FailedSignIns, SignInThrottle,
    ThrottleLimits, ThrottleRefusal, Users,
};
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Extension;
use axum::{Form, Router};
use domain::audit::{Action, Outcome};
use domain::{ClientInfo, SignedIn};
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tower_sessions::session::Id;
use tower_sessions::{Session, SessionStore};

use crate::health;
use crate::session_store::PortalSessions;
use crate::trusted_proxy::TrustedProxy;

/// How long a session lasts however active it is.
pub const ABSOLUTE_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// How long a session lasts unused (the cookie's and the store's expiry).
pub const IDLE_LIFETIME: Duration = Duration::from_secs(2 * 3600);

const SESSION_USER: &str = "user";
/// Where the sign-in form posts (the form itself is the `/login` page).
pub const SIGN_IN: &str = "/session";
/// Where single sign-on starts, and where the identity provider sends the browser back (the
/// `oidc` module answers them; the gate lets anyone reach them).
pub const OIDC_START: &str = "/login/oidc";
pub const OIDC_CALLBACK: &str = "/login/oidc/callback";
pub const SIGN_OUT: &str = "/session/end";

/// The longest user name and password the sign-in form takes (in characters): anything longer
/// is refused before a password is checked or anything is recorded.
pub const MAX_NAME: usize = 256;
pub const MAX_PASSWORD: usize = 1024;
/// The sign-in form's body at most (those fields percent-encoded, and `next`).
const MAX_SIGN_IN_BODY: usize = 32 * 1024;
/// How often an open live-status stream asks whether its session still holds.
pub const SESSION_RECHECK: Duration = Duration::from_secs(3);
/// Where to go after signing in when `next` is not a path of this portal.
const DEFAULT_PAGE: &str = "/automation";

#[derive(Debug, Serialize, Deserialize)]
struct SessionUser {
    name: String,
    /// Seconds since the epoch.
    signed_in_at: u64,
    /// Milliseconds since the epoch (sessions begun before this field existed have none): compared
    /// with the account's `sessions_valid_from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signed_in_ms: Option<i64>,
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
                signed_in_ms: Some(now_millis()),
                groups,
            },
        )
        .await
}

/// The metric counting sign-ins by outcome (described with the others in `metrics_endpoint`).
pub const SIGN_INS: &str = "portal_sign_ins_total";

pub struct Gate {
    /// The portal's database (single sign-on identities are kept there too).
    pub database: Database,
    pub users: Users,
    pub throttle: SignInThrottle,
    pub audit: AuditTrail,
    /// The reverse proxy in front of the portal, if any: the client's address, and perhaps
    /// who is signed in.
    pub proxy: Option<TrustedProxy>,
    /// Where sessions are kept, to ask again whether one still holds.
    pub sessions: PortalSessions,
    failed: FailedSignIns,
    /// The last answer per session to "does it still hold?": the streams of one session (a
    /// list page and an execution page, or a thousand in a benchmark) share one look-up.
    checked: std::sync::Mutex<std::collections::HashMap<Id, (Instant, bool)>>,
}

/// Where a request came from, in the audit trail's words and as the throttle counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The address the request's TCP connection came from (a proxy's, behind one).
pub fn peer_of(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip())
}

impl Gate {
    /// The gate, and a task that writes the summaries of failed sign-ins as their windows end.
    /// Takes back an attempt whose password was never checked.
    async fn release(&self, attempt: &accounts::Reservation) {
        if let Err(e) = self.throttle.release(attempt).await {
            tracing::warn!("an unchecked sign-in could not be taken back: {e}");
        }
    }

    pub fn new(
        database: Database,
        audit: AuditTrail,
        proxy: Option<TrustedProxy>,
        sessions: PortalSessions,
    ) -> Arc<Self> {
        if let Some(proxy) = &proxy {
            tracing::info!(
                proxies = ?proxy.networks,
                client_address_from = %proxy.client_header,
                header_sign_in = proxy.sign_in.is_some(),
                "behind a trusted proxy: client addresses come from its header{}",
                if proxy.sign_in.is_some() {
                    ", and it signs people in by its user and group headers"
                } else {
                    "; it signs nobody in (--proxy-sign-in true would let it)"
                }
            );
        }
        let limits = ThrottleLimits::default();
        let throttle = SignInThrottle::new(&database, limits);
        let gate = Arc::new(Self {
            users: Users::new(&database),
            throttle,
            database,
            audit,
            proxy,
            sessions,
            failed: FailedSignIns::new(limits.window),
            checked: std::sync::Mutex::default(),
        });
        let weak: Weak<Self> = Arc::downgrade(&gate);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                let Some(gate) = weak.upgrade() else { return };
                for summary in gate.failed.due(Instant::now()) {
                    gate.write(&summary).await;
                }
            }
        });
        gate
    }

    fn checked(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<Id, (Instant, bool)>> {
        self.checked.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the summaries of failed sign-ins not yet written (the portal is stopping).
    pub async fn flush(&self) {
        for summary in self.failed.drain() {
            self.write(&summary).await;
        }
    }

    /// The user a trusted proxy names in the request's headers, when header sign-in is on. The
    /// headers of any other peer are ignored: anyone can send them.
    fn proxied(&self, peer: Option<IpAddr>, headers: &http::HeaderMap) -> Option<SignedIn> {
        let proxy = self.proxy.as_ref()?;
        let sign_in = proxy.sign_in.as_ref()?;
        let name = headers
            .get(&sign_in.user_header)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|n| !n.is_empty())?;
        let peer = peer?;
        if !proxy.trusts(peer) {
            tracing::warn!(
                %peer,
                header = %sign_in.user_header,
                "ignored a user header from an address that is not a trusted proxy"
            );
            return None;
        }
        let groups = headers
            .get_all(&sign_in.groups_header)
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

    /// Records a sign-in or a failed one in the audit trail. Failed ones are anonymous and
    /// unlimited: per client address one is written as it is, the rest of its window as a summary.
    pub async fn record(&self, name: &str, client: &ClientInfo, signed_in: bool, detail: &str) {
        let outcome = if signed_in { "succeeded" } else { "failed" };
        metrics::counter!(SIGN_INS, "outcome" => outcome).increment(1);
        let record = AuditRecord {
            user: name.to_owned(),
            action: if signed_in {
                Action::SignIn
            } else {
                Action::SignInFailed
            },
            outcome: if signed_in {
                Outcome::Succeeded
            } else {
                Outcome::Refused
            },
            detail: detail.to_owned(),
            client_address: client.address.clone(),
            user_agent: client.user_agent.clone(),
            ..AuditRecord::default()
        };
        if signed_in {
            self.write(&record).await;
            return;
        }
        for record in self.failed.note(record, Instant::now()) {
            self.write(&record).await;
        }
    }

    async fn write(&self, record: &AuditRecord) {
        if let Err(e) = self.audit.write(record).await {
            tracing::error!(error = %e, "could not record a sign-in in the audit trail");
        }
    }
}

/// Where a request came from: the client's address and the browser's User-Agent.
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
        .route(
            SIGN_IN,
            post(sign_in).layer(DefaultBodyLimit::max(MAX_SIGN_IN_BODY)),
        )
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

/// Only a path of this portal is followed after signing in, never another site, however a
/// browser reads it: browsers drop tabs and line breaks inside an address, read `\` as `/`, and
/// take `//host` (or `/\host`) as another host, so `/<TAB>/evil.example` is `//evil.example`.
pub fn local_path(next: &str) -> &str {
    if is_local_path(next) {
        next
    } else {
        DEFAULT_PAGE
    }
}

fn is_local_path(next: &str) -> bool {
    // Printable ASCII only (the portal's own links are percent-encoded): no whitespace or control
    // character to strip, and no look-alike of `/` or `\` from other scripts.
    let plain = |text: &[u8]| {
        text.first() == Some(&b'/')
            && !matches!(text.get(1).copied(), Some(b'/' | b'\\'))
            && text.iter().all(|b| b.is_ascii_graphic() && *b != b'\\')
    };
    if !plain(next.as_bytes()) {
        return false;
    }
    // Decoded, the path must read the same way (`/%2F%2Fevil`, `/%5Cevil`, `/%09/evil`): a
    // server or browser on the way may decode it. Its query and fragment are values: not decoded.
    let mut path = next
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .as_bytes()
        .to_vec();
    for _ in 0..4 {
        let decoded: Vec<u8> = percent_encoding::percent_decode(&path).collect();
        if decoded == path {
            return true;
        }
        if !plain(&decoded) {
            return false;
        }
        path = decoded;
    }
    false
}

pub fn back_to_form(error: &str, next: &str, extra: &str) -> Response {
    let next = app::wizard::form::encode(local_path(next));
    Redirect::to(&format!("/login?error={error}&next={next}{extra}")).into_response()
}

/// A sign-in form that is not one: too large, or not a form.
fn refused_form(rejection: &FormRejection) -> Response {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The sign-in form is too large: a user name has at most {MAX_NAME} characters and \
                 a password at most {MAX_PASSWORD}."
            ),
        )
            .into_response();
    }
    (
        rejection.status(),
        format!("Sign in with the form of the portal's /login page: {rejection}"),
    )
        .into_response()
}

async fn sign_in(
    State(gate): State<Arc<Gate>>,
    // Resolved once for the request, by the request log's layer.
    Extension(ClientAddress(address)): Extension<ClientAddress>,
    session: Session,
    headers: http::HeaderMap,
    form: Result<Form<Credentials>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return refused_form(&rejection),
    };
    let client = client_of(address, &headers);
    if form.name.chars().count() > MAX_NAME || form.password.chars().count() > MAX_PASSWORD {
        tracing::warn!(%address, "sign-in refused: the user name or password is too long");
        return back_to_form("too-long", &form.next, "");
    }
    // Counted as failed from here on (in one step with the check), until it succeeds: a burst
    // of parallel guesses meets the limits as guesses one after another would.
    let attempt = match gate.throttle.reserve(&form.name, address).await {
        Ok(attempt) => attempt,
        Err(ThrottleRefusal::Database(e)) => {
            tracing::error!("sign-in could not be counted: {e}");
            return back_to_form("unavailable", &form.next, "");
        }
        Err(ThrottleRefusal::Locked(locked)) => {
            tracing::warn!(user = %form.name, %address, "sign-in refused: locked out");
            gate.record(
                &form.name,
                &client,
                false,
                "locked out after too many failed sign-ins",
            )
            .await;
            let minutes = locked.retry_after.as_secs().div_ceil(60).max(1);
            return back_to_form("locked", &form.next, &format!("&wait={minutes}"));
        }
    };
    tokio::time::sleep(attempt.delay).await;
    let user = match gate.users.verify(&form.name, &form.password).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            tracing::warn!(user = %form.name, %address, "sign-in failed");
            gate.record(&form.name, &client, false, "wrong user name or password")
                .await;
            return back_to_form("invalid", &form.next, "");
        }
        Err(AccountError::Busy) => {
            // Not checked, so not counted: the guesser learnt nothing.
            gate.release(&attempt).await;
            tracing::warn!(%address, "sign-in refused: too many passwords being checked at once");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(http::header::RETRY_AFTER, "2")],
                "The portal is busy checking other sign-ins: try again in a few seconds.",
            )
                .into_response();
        }
        Err(e) => {
            gate.release(&attempt).await;
            tracing::error!("sign-in could not be checked: {e}");
            return back_to_form("unavailable", &form.next, "");
        }
    };
    if let Err(e) = gate.throttle.succeeded(&attempt).await {
        tracing::warn!("the sign-in's failed attempts could not be forgiven: {e}");
    }
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
            | OIDC_START
            | OIDC_CALLBACK
            | domain::shell::SIGN_IN_METHODS
            | health::PATH
            | "/favicon.svg"
    ) || path.starts_with("/pkg/")
}

/// Who a stored session says is signed in, if that still holds: not past its absolute lifetime,
/// and for a local account, the account exists and has not changed its password since.
/// `Err`: the database could not tell (a passing fault ends no session).
async fn still_signed_in(
    gate: &Gate,
    stored: SessionUser,
) -> Result<Option<SignedIn>, AccountError> {
    if now().saturating_sub(stored.signed_in_at) > ABSOLUTE_LIFETIME.as_secs() {
        return Ok(None);
    }
    if let Some(groups) = stored.groups {
        return Ok(Some(SignedIn {
            name: stored.name,
            groups,
        }));
    }
    let signed_in_ms = stored.signed_in_ms.unwrap_or_else(|| {
        i64::try_from(stored.signed_in_at)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000)
    });
    let user = gate.users.of_session(&stored.name, signed_in_ms).await?;
    Ok(user.map(|user| SignedIn {
        name: user.name,
        groups: user.groups,
    }))
}

/// The signed-in user of this session, if it is still valid; an invalid one is ended.
async fn signed_in(gate: &Gate, session: &Session) -> Option<SignedIn> {
    let stored: SessionUser = session.get(SESSION_USER).await.ok().flatten()?;
    match still_signed_in(gate, stored).await {
        Ok(Some(user)) => Some(user),
        Ok(None) => {
            let _ = session.flush().await;
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "could not check a session: try again");
            None
        }
    }
}

/// Set on every request signed in by a session: asks again whether the session holds, for
/// responses that last (live-status streams), which must end with it.
#[derive(Clone)]
pub struct SessionCheck {
    gate: Arc<Gate>,
    id: Id,
}

impl SessionCheck {
    /// Whether the session still holds: not ended (signed out or expired, so no longer stored),
    /// and its user still signed in. Asked at most once per [`SESSION_RECHECK`] per session.
    pub async fn holds(&self) -> bool {
        let recent =
            |(at, holds): (Instant, bool)| (at.elapsed() < SESSION_RECHECK).then_some(holds);
        let known = self.gate.checked().get(&self.id).copied().and_then(recent);
        if let Some(holds) = known {
            return holds;
        }
        let holds = self.look_up().await;
        let mut checked = self.gate.checked();
        if checked.len() > 10_000 {
            checked.retain(|_, (at, _)| at.elapsed() < SESSION_RECHECK);
        }
        checked.insert(self.id, (Instant::now(), holds));
        holds
    }

    /// A database that does not answer ends nothing.
    async fn look_up(&self) -> bool {
        let record = match self.gate.sessions.load(&self.id).await {
            Ok(record) => record,
            Err(e) => {
                tracing::warn!(error = %e, "could not check a session again");
                return true;
            }
        };
        let Some(stored) = record
            .and_then(|r| r.data.get(SESSION_USER).cloned())
            .and_then(|v| serde_json::from_value::<SessionUser>(v).ok())
        else {
            return false;
        };
        // A database that does not answer ends nothing.
        !matches!(still_signed_in(&self.gate, stored).await, Ok(None))
    }

    /// Resolves once the session no longer holds (checked every [`SESSION_RECHECK`]).
    pub async fn ended(self) {
        loop {
            tokio::time::sleep(SESSION_RECHECK).await;
            if !self.holds().await {
                return;
            }
        }
    }
}

pub async fn require_sign_in(
    State(gate): State<Arc<Gate>>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = peer_of(&request);
    // The client's address was resolved once, by the request log's layer outside this one.
    if let Some(&ClientAddress(address)) = request.extensions().get::<ClientAddress>() {
        let client = client_of(address, request.headers());
        request.extensions_mut().insert(client);
    }
    let path = request.uri().path().to_owned();
    if public(&path) {
        return next.run(request).await;
    }
    let user = match gate.proxied(peer, request.headers()) {
        Some(user) => Some(user),
        None => {
            let user = signed_in(&gate, &session).await;
            if let (Some(_), Some(id)) = (&user, session.id()) {
                request.extensions_mut().insert(SessionCheck {
                    gate: gate.clone(),
                    id,
                });
            }
            user
        }
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
            .map_or(DEFAULT_PAGE, |p| p.as_str());
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
    fn local_paths_are_followed_after_sign_in() {
        for local in [
            "/automation/execute?x=1",
            "/automation/execute/Portal-Restart?mode=simple&p.InstanceId=i-1%2Ci-2#top",
            "/documents/AWS-RestartEC2Instance",
            "/",
            "/audit?user=a%2F%2Fb",
        ] {
            assert_eq!(local_path(local), local);
        }
    }

    #[test]
    fn nothing_a_browser_could_read_as_another_site_is_followed() {
        for outside in [
            "",
            "automation",
            "https://evil.example/",
            "http:/evil.example",
            "javascript:alert(1)",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "\\\\evil.example",
            "/\tevil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            " //evil.example",
            "  /automation",
            "/ /evil.example",
            "/%09/evil.example",
            "/%2F%2Fevil.example",
            "/%2fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%252F/evil.example",
            "/%25252F/evil.example",
            "/automation\\..\\evil",
            "/\u{3000}/evil.example",
            "/\u{ff0f}evil.example",
            "/\u{2215}evil.example",
            "/automation/\u{0}",
            "/automation?x=\u{7f}",
        ] {
            assert_eq!(local_path(outside), DEFAULT_PAGE, "{outside:?}");
        }
    }
}
