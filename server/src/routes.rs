//! Every route the portal answers, taken from the router's own sources: the pages (Leptos's route
//! list of the app), the server functions (their registry), and the routes the server adds
//! itself. `runbook-portal routes` prints the list as JSON; the authorisation matrix test asks
//! every one of them as every kind of user, so a new route cannot be left out of it.

use leptos_axum::generate_route_list;
use serde::Serialize;

use crate::{audit_export, health, metrics_endpoint, oidc, probes, rerun, sign_in, status_streams};

#[derive(Debug, Serialize)]
pub struct Route {
    pub method: String,
    /// With parameters as `:name` / `{id}`.
    pub path: String,
    /// `page`, `server-function`, `stream`, `export`, `session`, `health`, `metrics` or `asset`.
    pub kind: &'static str,
}

/// The routes the server adds beside the app's pages and server functions.
const OWN: [(&str, &str, &str); 17] = [
    ("GET", audit_export::PATH, "export"),
    ("GET", health::PATH, "health"),
    ("GET", health::DETAILS, "health"),
    ("GET", probes::LIVEZ, "health"),
    ("GET", probes::READYZ, "health"),
    ("GET", metrics_endpoint::PATH, "metrics"),
    ("POST", sign_in::SIGN_IN, "session"),
    ("POST", sign_in::SIGN_OUT, "session"),
    ("POST", domain::presentation::SWITCH_PATH, "session"),
    ("POST", domain::preferences::PATH, "session"),
    ("GET", oidc::START, "session"),
    ("GET", oidc::CALLBACK, "session"),
    ("GET", rerun::PATH, "page"),
    ("GET", status_streams::LIST_EVENTS, "stream"),
    ("GET", status_streams::EXECUTION_EVENTS, "stream"),
    ("GET", "/favicon.svg", "asset"),
    ("GET", "/pkg/{bundle}/{file}", "asset"),
];

pub fn all() -> Vec<Route> {
    let mut routes: Vec<Route> = generate_route_list(app::App)
        .into_iter()
        .map(|listing| Route {
            method: "GET".into(),
            path: listing.path().to_owned(),
            kind: "page",
        })
        .collect();
    routes.extend(
        leptos::server_fn::axum::server_fn_paths().map(|(path, method)| Route {
            method: method.to_string(),
            path: path.to_owned(),
            kind: "server-function",
        }),
    );
    routes.extend(OWN.iter().map(|(method, path, kind)| Route {
        method: (*method).into(),
        path: (*path).into(),
        kind,
    }));
    routes.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    routes.dedup_by(|a, b| a.path == b.path && a.method == b.method);
    routes
}

pub fn print() -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(&all())?);
    Ok(())
}
