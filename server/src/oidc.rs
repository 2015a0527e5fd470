//! Single sign-on with OpenID Connect, alongside local accounts: the authorization code flow with
//! PKCE, a state and a nonce, against the endpoints the issuer's discovery document names. A
//! provider's user is the identity (issuer, `sub`), kept apart from local accounts under a name
//! of its own (`<handle>@<issuer host>`, see `accounts::SsoIdentities`). The user's groups come
//! from a configurable claim of the ID token (or of UserInfo when the ID token lacks it), mapped
//! onto the portal's groups, and are kept in the session; the portal's `admins` group only ever
//! comes from the map.

use std::collections::BTreeMap;
use std::sync::Arc;

use accounts::{sso_name, SsoIdentities, ADMINS};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use domain::ClientInfo;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, AuthorizationCode, ClientId, ClientSecret,
    CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tower_sessions::Session;

use crate::sign_in::{back_to_form, begin_session, local_path, Gate};

/// Where the sign-in page's button goes: on to the identity provider.
pub const START: &str = crate::sign_in::OIDC_START;
/// Where the identity provider sends the browser back.
pub const CALLBACK: &str = crate::sign_in::OIDC_CALLBACK;

const PENDING: &str = "oidc_pending";

/// The `[oidc]` table of the configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// The issuer URL; its `/.well-known/openid-configuration` names the endpoints.
    pub issuer: String,
    pub client_id: String,
    /// Also `RUNBOOK_PORTAL_OIDC_CLIENT_SECRET` (better kept out of files).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// This portal's callback as the provider knows it, e.g.
    /// `https://portal.example.com/login/oidc/callback`; left out, `<public_url>/login/oidc/callback`
    /// (the configuration fills it in, or says that one of the two is needed).
    #[serde(default)]
    pub redirect_url: String,
    /// What the sign-in button says: "Sign in with …".
    #[serde(default = "default_label")]
    pub label: String,
    /// Scopes asked for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim that lists the user's groups.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// The provider's group → the portal's group. When given, groups not listed are dropped;
    /// when empty, the provider's group names are the portal's, except `admins`: a provider's
    /// group makes portal admins only when this map says so.
    #[serde(default)]
    pub groups: BTreeMap<String, String>,
}

fn default_label() -> String {
    "single sign-on".into()
}

fn default_scopes() -> Vec<String> {
    vec!["profile".into(), "email".into(), "groups".into()]
}

fn default_groups_claim() -> String {
    "groups".into()
}

/// Every claim, for the configurable groups claim.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct AnyClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for AnyClaims {}

/// What discovery says besides the core metadata: whether the provider names itself in its
/// answers (RFC 9207), which then must carry its `iss`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct IssuerInAnswers {
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

impl AdditionalProviderMetadata for IssuerInAnswers {}

type ProviderMetadata = openidconnect::ProviderMetadata<
    IssuerInAnswers,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

type GroupsIdToken =
    IdToken<AnyClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// What the portal keeps in the session between sending the browser to the provider and its
/// return.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
}

pub struct Oidc {
    settings: OidcSettings,
    /// The issuer's host: the part of its users' portal names after '@'.
    issuer_host: String,
    http: openidconnect::reqwest::Client,
    /// The discovered provider, once discovery succeeded (tried again on each sign-in until then).
    provider: Mutex<Option<ProviderMetadata>>,
}

/// Who the provider says signed in, before the portal names them.
#[derive(Debug)]
struct Identity {
    subject: String,
    /// What to call them at their first sign-in (see [`handle`]).
    handle: String,
    groups: Vec<String>,
}

impl Oidc {
    pub fn new(mut settings: OidcSettings) -> anyhow::Result<Self> {
        if let Ok(secret) = std::env::var("RUNBOOK_PORTAL_OIDC_CLIENT_SECRET") {
            settings.client_secret = Some(secret);
        }
        let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|e| {
            anyhow::anyhow!("[oidc] issuer {:?} is not a URL: {e}", settings.issuer)
        })?;
        let issuer_host = issuer.url().host_str().map(str::to_owned).ok_or_else(|| {
            anyhow::anyhow!(
                "[oidc] issuer {:?} has no host: give the provider's https:// address",
                settings.issuer
            )
        })?;
        RedirectUrl::new(settings.redirect_url.clone()).map_err(|e| {
            anyhow::anyhow!(
                "[oidc] redirect_url {:?} is not a URL: {e} (give this portal's {CALLBACK})",
                settings.redirect_url
            )
        })?;
        let http = openidconnect::reqwest::ClientBuilder::new()
            // The provider's answers are read as they are: a redirect there is a mistake.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Self {
            settings,
            issuer_host,
            http,
            provider: Mutex::new(None),
        })
    }

    pub fn label(&self) -> &str {
        &self.settings.label
    }

    /// The provider's metadata, discovered once.
    async fn provider(&self) -> Result<ProviderMetadata, String> {
        let mut provider = self.provider.lock().await;
        if provider.is_none() {
            let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| e.to_string())?;
            let found = ProviderMetadata::discover_async(issuer, &self.http)
                .await
                .map_err(|e| {
                    tracing::error!(issuer = %self.settings.issuer, error = %e, "OpenID Connect discovery failed");
                    "the identity provider could not be reached.".to_owned()
                })?;
            *provider = Some(found);
        }
        provider.clone().ok_or_else(|| "no provider".to_owned())
    }

    async fn client(&self) -> Result<Client, String> {
        let metadata = self.provider().await?;
        let redirect =
            RedirectUrl::new(self.settings.redirect_url.clone()).map_err(|e| e.to_string())?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider's groups as the portal's. Without a map its names pass through, except
    /// `admins`: whoever can create a group at the provider must not thereby make portal admins.
    fn portal_groups(&self, claimed: Vec<String>) -> Vec<String> {
        let mut groups: Vec<String> = if self.settings.groups.is_empty() {
            claimed
                .into_iter()
                .filter(|g| {
                    let admins = g == ADMINS;
                    if admins {
                        tracing::warn!(
                            issuer = %self.settings.issuer,
                            "ignored the identity provider's group \"{ADMINS}\": the portal's \
                             admins come from [oidc.groups] only (add \"{ADMINS}\" = \"{ADMINS}\" \
                             there to make its members portal admins)"
                        );
                    }
                    !admins
                })
                .collect()
        } else {
            claimed
                .iter()
                .filter_map(|g| self.settings.groups.get(g).cloned())
                .collect()
        };
        groups.sort();
        groups.dedup();
        groups
    }

    /// The issuer as identities are keyed by it (a trailing '/' makes no other provider).
    fn issuer_key(&self) -> &str {
        self.settings.issuer.trim_end_matches('/')
    }
}

/// What to call a provider's user at their first sign-in: their `preferred_username`, else their
/// email if the provider has verified it (anyone may type any address into an unverified one),
/// else their `sub`; of a name with '@' (a UPN, an email), the part before it.
fn handle(
    preferred_username: Option<&str>,
    email: Option<&str>,
    email_verified: Option<bool>,
    subject: &str,
) -> String {
    let verified_email = email.filter(|_| email_verified == Some(true));
    [preferred_username, verified_email]
        .into_iter()
        .flatten()
        .map(|name| name.split('@').next().unwrap_or(name).trim())
        .find(|name| !name.is_empty())
        .unwrap_or(subject)
        .to_owned()
}

/// RFC 9207: an answer that names an issuer must name this one (else it is another provider's
/// answer replayed here: a mix-up), and a provider that promises to name itself must do so.
fn check_issuer_in_answer(metadata: &ProviderMetadata, iss: Option<&str>) -> Result<(), String> {
    let ours = metadata.issuer().as_str();
    match iss {
        Some(iss) if iss == ours => Ok(()),
        Some(iss) => Err(format!(
            "the answer came from another identity provider ({iss:?}, not {ours:?}): a mix-up \
             attack, or an [oidc] issuer that is not the provider's."
        )),
        None if metadata
            .additional_metadata()
            .authorization_response_iss_parameter_supported =>
        {
            Err(
                "the identity provider names itself in its answers (RFC 9207), but this \
                 one did not name it: it was not the provider's answer."
                    .into(),
            )
        }
        None => Ok(()),
    }
}

/// A claim's text values: a list of strings, or one string (some providers give one group so).
fn strings(value: Option<&serde_json::Value>) -> Option<Vec<String>> {
    match value? {
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        ),
        serde_json::Value::String(one) => Some(vec![one.clone()]),
        _ => None,
    }
}

/// Single sign-on when it is set up; without, both routes say so on the sign-in page.
pub fn routes(oidc: Option<Arc<Oidc>>, gate: Arc<Gate>) -> Router {
    match oidc {
        Some(oidc) => Router::new()
            .route(START, get(start))
            .route(CALLBACK, get(callback))
            .with_state((oidc, gate)),
        None => {
            let off = || async {
                failed(
                    "single sign-on is not set up on this portal (see [oidc] in the README).",
                    "/automation",
                )
            };
            Router::new()
                .route(START, get(off))
                .route(CALLBACK, get(off))
        }
    }
}

#[derive(Deserialize)]
struct StartQuery {
    #[serde(default)]
    next: String,
}

fn failed(reason: &str, next: &str) -> Response {
    // Sealed: the sign-in page shows only reasons the portal gave (anonymous: no user yet).
    let notice = app::notice::ssr::query_for("", "reason", reason);
    back_to_form("sso", next, &format!("&{notice}"))
}

async fn start(
    State((oidc, _)): State<(Arc<Oidc>, Arc<Gate>)>,
    session: Session,
    Query(query): Query<StartQuery>,
) -> Response {
    let client = match oidc.client().await {
        Ok(client) => client,
        Err(reason) => return failed(&reason, &query.next),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in &oidc.settings.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    let pending = Pending {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        next: local_path(&query.next).to_owned(),
    };
    if let Err(e) = session.insert(PENDING, pending).await {
        tracing::error!("the session could not be stored: {e}");
        return failed(
            "the portal could not keep the sign-in's state.",
            &query.next,
        );
    }
    Redirect::to(url.as_str()).into_response()
}

#[derive(Deserialize)]
struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    /// The issuer the answer is from (RFC 9207).
    #[serde(default)]
    iss: Option<String>,
}

async fn callback(
    State((oidc, gate)): State<(Arc<Oidc>, Arc<Gate>)>,
    session: Session,
    client_info: Option<Extension<ClientInfo>>,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let client_info = client_info.map(|Extension(c)| c).unwrap_or_default();
    // Taken out at once: a state is good for one return only.
    let pending: Option<Pending> = session.remove(PENDING).await.ok().flatten();
    let Some(pending) = pending else {
        return failed(
            "the sign-in was not started here, or took too long.",
            "/automation",
        );
    };
    let outcome = match answered(&oidc, &query, &pending).await {
        Ok(who) => named(&oidc, &gate, who).await,
        Err(reason) => Err(reason),
    };
    let (name, subject, groups) = match outcome {
        Ok(who) => who,
        Err(reason) => {
            tracing::warn!(%reason, "single sign-on failed");
            let detail = format!("single sign-on: {reason}");
            gate.record("", &client_info, false, &detail).await;
            return failed(&reason, &pending.next);
        }
    };
    if let Err(e) = begin_session(&session, &name, Some(groups.clone())).await {
        tracing::error!("the session could not be stored: {e}");
        return failed("the portal could not start the session.", &pending.next);
    }
    tracing::info!(user = %name, %subject, ?groups, "signed in by single sign-on");
    // The groups the provider gives now are the ones their schedules run under and their
    // notifications reach them by, from now on.
    if let Err(e) = accounts::refresh_groups(&gate.database, &name, &groups).await {
        tracing::warn!(user = %name, error = %e, "could not bring a user's groups up to date for schedules and notifications");
    }
    // Who it really was, for the audit trail: the provider's subject behind the name.
    let detail = format!("single sign-on: sub {subject:?} of {}", oidc.issuer_key());
    gate.record(&name, &client_info, true, &detail).await;
    Redirect::to(&pending.next).into_response()
}

/// The provider's answer, checked: this sign-in's state, from this issuer, not an error; then
/// whom it names.
async fn answered(
    oidc: &Oidc,
    query: &CallbackQuery,
    pending: &Pending,
) -> Result<Identity, String> {
    if query.state != pending.state {
        return Err(
            "the answer did not belong to this sign-in (a forged or replayed return).".into(),
        );
    }
    check_issuer_in_answer(&oidc.provider().await?, query.iss.as_deref())?;
    if !query.error.is_empty() {
        // Only the portal's own words reach the page: the provider's text arrives in an address
        // anyone can craft, so it goes to the log alone.
        tracing::warn!(error = %query.error, description = %query.error_description, "the identity provider refused the sign-in");
        let known = matches!(
            query.error.as_str(),
            "access_denied"
                | "login_required"
                | "consent_required"
                | "interaction_required"
                | "server_error"
                | "temporarily_unavailable"
        );
        return Err(if known {
            format!("the identity provider refused it ({}).", query.error)
        } else {
            "the identity provider refused it.".to_owned()
        });
    }
    identify(oidc, &query.code, pending).await
}

/// The portal name of the identity (given at its first sign-in), its subject and its groups.
async fn named(
    oidc: &Oidc,
    gate: &Gate,
    who: Identity,
) -> Result<(String, String, Vec<String>), String> {
    let wanted = sso_name(&who.handle, &oidc.issuer_host);
    let name = SsoIdentities::new(&gate.database)
        .sign_in(oidc.issuer_key(), &who.subject, &wanted)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, subject = %who.subject, "single sign-on identity not named");
            format!("the portal could not name this user ({e}).")
        })?;
    Ok((name, who.subject, who.groups))
}

/// Exchanges the code (with the PKCE verifier), checks the ID token (signature, issuer, audience,
/// expiry, nonce), and answers who the user is and their portal groups.
async fn identify(oidc: &Oidc, code: &str, pending: &Pending) -> Result<Identity, String> {
    let client = oidc.client().await?;
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| format!("the provider names no token endpoint ({e})."))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(&oidc.http)
        .await
        .map_err(|e| format!("the code could not be exchanged for tokens ({e})."))?;
    let raw = token
        .id_token()
        .ok_or("the provider sent no ID token.")?
        .to_string();
    let id_token: GroupsIdToken = raw
        .parse()
        .map_err(|e| format!("the ID token could not be read ({e})."))?;
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce.clone()))
        .map_err(|e| format!("the ID token is not valid ({e})."))?;
    let subject = claims.subject().as_str().to_owned();
    let handle = handle(
        claims.preferred_username().map(|n| n.as_str()),
        claims.email().map(|e| e.as_str()),
        claims.email_verified(),
        &subject,
    );
    let claim = &oidc.settings.groups_claim;
    let groups = match strings(claims.additional_claims().claims.get(claim)) {
        Some(groups) => groups,
        // Many providers put groups in UserInfo only.
        None => {
            let info: UserInfoClaims<AnyClaims, CoreGenderClaim> = client
                .user_info(token.access_token().clone(), Some(claims.subject().clone()))
                .map_err(|e| format!("the provider names no UserInfo endpoint ({e})."))?
                .request_async(&oidc.http)
                .await
                .map_err(|e| format!("UserInfo could not be read ({e})."))?;
            strings(info.additional_claims().claims.get(claim)).unwrap_or_default()
        }
    };
    Ok(Identity {
        subject,
        handle,
        groups: oidc.portal_groups(groups),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(groups: &[(&str, &str)]) -> OidcSettings {
        OidcSettings {
            issuer: "http://127.0.0.1:9/".into(),
            client_id: "portal".into(),
            client_secret: None,
            redirect_url: "http://127.0.0.1:3000/login/oidc/callback".into(),
            label: default_label(),
            scopes: default_scopes(),
            groups_claim: default_groups_claim(),
            groups: groups
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn provider_groups_are_mapped_onto_portal_groups() {
        let mapped = Oidc::new(settings(&[("web-engineers", "web"), ("sre", "oncall")]))
            .expect("valid settings");
        assert_eq!(
            mapped.portal_groups(vec!["sre".into(), "finance".into(), "web-engineers".into()]),
            ["oncall", "web"]
        );
        let unmapped = Oidc::new(settings(&[])).expect("valid settings");
        assert_eq!(unmapped.portal_groups(vec!["web".into()]), ["web"]);
    }

    #[test]
    fn only_the_map_makes_portal_admins() {
        let unmapped = Oidc::new(settings(&[])).expect("valid settings");
        assert_eq!(
            unmapped.portal_groups(vec!["admins".into(), "web".into()]),
            ["web"]
        );
        let mapped = Oidc::new(settings(&[("platform-admins", "admins")])).expect("valid");
        assert_eq!(
            mapped.portal_groups(vec!["admins".into()]),
            Vec::<String>::new()
        );
        assert_eq!(
            mapped.portal_groups(vec!["platform-admins".into()]),
            ["admins"]
        );
        let explicit = Oidc::new(settings(&[("admins", "admins")])).expect("valid");
        assert_eq!(explicit.portal_groups(vec!["admins".into()]), ["admins"]);
    }

    #[test]
    fn a_user_is_called_by_a_name_the_provider_vouches_for() {
        assert_eq!(
            handle(Some("olivia"), Some("x@y"), Some(true), "s1"),
            "olivia"
        );
        // A UPN or an email: the part before '@'.
        assert_eq!(
            handle(Some("olivia@corp.example"), None, None, "s1"),
            "olivia"
        );
        assert_eq!(
            handle(None, Some("olivia@corp.example"), Some(true), "s1"),
            "olivia"
        );
        // An email nobody verified is not used: anyone can type the admin's address.
        assert_eq!(
            handle(None, Some("admin@corp.example"), Some(false), "s1"),
            "s1"
        );
        assert_eq!(handle(None, Some("admin@corp.example"), None, "s1"), "s1");
        assert_eq!(handle(Some(" "), None, None, "s1"), "s1");
    }

    fn metadata(iss_supported: bool) -> ProviderMetadata {
        serde_json::from_value(serde_json::json!({
            "issuer": "https://idp.example.com",
            "authorization_endpoint": "https://idp.example.com/auth",
            "jwks_uri": "https://idp.example.com/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "authorization_response_iss_parameter_supported": iss_supported,
        }))
        .expect("metadata")
    }

    #[test]
    fn an_answer_from_another_issuer_is_refused() {
        let ours = Some("https://idp.example.com");
        assert!(check_issuer_in_answer(&metadata(true), ours).is_ok());
        assert!(check_issuer_in_answer(&metadata(false), ours).is_ok());
        assert!(check_issuer_in_answer(&metadata(false), None).is_ok());
        let mixed_up = check_issuer_in_answer(&metadata(false), Some("https://evil.example"))
            .expect_err("refused");
        assert!(mixed_up.contains("another identity provider"), "{mixed_up}");
        let unnamed = check_issuer_in_answer(&metadata(true), None).expect_err("refused");
        assert!(unnamed.contains("RFC 9207"), "{unnamed}");
    }

    #[test]
    fn an_issuer_without_a_host_is_refused_with_what_to_give() {
        let mut bad = settings(&[]);
        bad.issuer = "urn:example:idp".into();
        let err = Oidc::new(bad).err().expect("refused").to_string();
        assert!(err.contains("https://"), "{err}");
    }

    #[test]
    fn a_groups_claim_may_be_a_list_or_one_string() {
        assert_eq!(
            strings(Some(&serde_json::json!(["a", "b", 3]))),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(
            strings(Some(&serde_json::json!("a"))),
            Some(vec!["a".to_owned()])
        );
        assert_eq!(strings(None), None);
    }

    #[test]
    fn a_bad_redirect_url_is_refused_with_what_to_give() {
        let mut bad = settings(&[]);
        bad.redirect_url = "portal/callback".into();
        let err = Oidc::new(bad).err().expect("refused").to_string();
        assert!(err.contains("/login/oidc/callback"), "{err}");
    }
}
