//! Single sign-on with OpenID Connect, alongside local accounts: the authorization code flow with
//! PKCE, a state and a nonce, against the endpoints the issuer's discovery document names. The
//! user's groups come from a configurable claim of the ID token (or of UserInfo when the ID token
//! lacks it), mapped onto the portal's groups, and are kept in the session.

use std::collections::BTreeMap;
use std::sync::Arc;

use app::session::ClientInfo;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tower_sessions::Session;

use crate::sign_in::{back_to_form, begin_session, local_path, Gate};

/// Where the sign-in page's button goes: on to the identity provider.
pub const START: &str = "/login/oidc";
/// Where the identity provider sends the browser back.
pub const CALLBACK: &str = "/login/oidc/callback";

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
    /// `https://portal.example.com/login/oidc/callback`.
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
    /// when empty, the provider's group names are the portal's.
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
    http: openidconnect::reqwest::Client,
    /// The discovered provider, once discovery succeeded (tried again on each sign-in until then).
    provider: Mutex<Option<CoreProviderMetadata>>,
}

impl Oidc {
    pub fn new(mut settings: OidcSettings) -> anyhow::Result<Self> {
        if let Ok(secret) = std::env::var("RUNBOOK_PORTAL_OIDC_CLIENT_SECRET") {
            settings.client_secret = Some(secret);
        }
        IssuerUrl::new(settings.issuer.clone()).map_err(|e| {
            anyhow::anyhow!("[oidc] issuer {:?} is not a URL: {e}", settings.issuer)
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
            http,
            provider: Mutex::new(None),
        })
    }

    pub fn label(&self) -> &str {
        &self.settings.label
    }

    async fn client(&self) -> Result<Client, String> {
        let mut provider = self.provider.lock().await;
        if provider.is_none() {
            let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| e.to_string())?;
            let found = CoreProviderMetadata::discover_async(issuer, &self.http)
                .await
                .map_err(|e| {
                    tracing::error!(issuer = %self.settings.issuer, error = %e, "OpenID Connect discovery failed");
                    "the identity provider could not be reached.".to_owned()
                })?;
            *provider = Some(found);
        }
        let metadata = provider.clone().ok_or("no provider")?;
        let redirect =
            RedirectUrl::new(self.settings.redirect_url.clone()).map_err(|e| e.to_string())?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider's groups as the portal's.
    fn portal_groups(&self, claimed: Vec<String>) -> Vec<String> {
        if self.settings.groups.is_empty() {
            return claimed;
        }
        let mut groups: Vec<String> = claimed
            .iter()
            .filter_map(|g| self.settings.groups.get(g).cloned())
            .collect();
        groups.sort();
        groups.dedup();
        groups
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
    let reason = app::wizard::form::encode(reason);
    back_to_form("sso", next, &format!("&reason={reason}"))
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
    let outcome = if !query.error.is_empty() {
        Err(format!(
            "the identity provider said {}: {}.",
            query.error, query.error_description
        ))
    } else if query.state != pending.state {
        Err("the answer did not belong to this sign-in (a forged or replayed return).".into())
    } else {
        identify(&oidc, &query.code, &pending).await
    };
    let (name, groups) = match outcome {
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
    tracing::info!(user = %name, ?groups, "signed in by single sign-on");
    gate.record(&name, &client_info, true, "single sign-on")
        .await;
    Redirect::to(&pending.next).into_response()
}

/// Exchanges the code (with the PKCE verifier), checks the ID token (signature, issuer, audience,
/// expiry, nonce), and answers the user's name and portal groups.
async fn identify(
    oidc: &Oidc,
    code: &str,
    pending: &Pending,
) -> Result<(String, Vec<String>), String> {
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
    let name = claims
        .preferred_username()
        .map(|n| n.as_str().to_owned())
        .or_else(|| claims.email().map(|e| e.as_str().to_owned()))
        .unwrap_or_else(|| claims.subject().as_str().to_owned());
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
    Ok((name, oidc.portal_groups(groups)))
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
