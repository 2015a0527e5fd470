//! Health: an up/down answer for anyone (load balancers, orchestrators), and the details — which
//! backend, which AWS account, what went wrong — for signed-in admins only, since an account id
//! and raw SDK errors tell an anonymous caller more than whether to send traffic.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::SignedIn;
use http::StatusCode;
use serde::Serialize;

use backend::Backend;

use crate::probes::AwsReachability;

/// Where the up/down answer is given, to anyone.
pub const PATH: &str = "/healthz";
/// Where the details are given, to signed-in admins.
pub const DETAILS: &str = "/healthz/details";

#[derive(Serialize)]
struct Details {
    status: &'static str,
    backend: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// `GET /healthz`: 200 `ok` when the AWS backend answered STS GetCallerIdentity at the last
/// background check (`probes`: at start and every 30 s), 503 `unavailable` otherwise; nothing
/// more (the reason is logged).
pub async fn healthz(State(aws): State<Arc<AwsReachability>>) -> Response {
    if aws.reachable() {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n").into_response()
    }
}

/// `GET /healthz/details` (behind sign-in): the check made now, with the backend, the account or
/// the error, for admins; 403 for anyone else.
pub async fn details(
    State(backend): State<Arc<Backend>>,
    Extension(user): Extension<SignedIn>,
) -> Response {
    if !is_admin(&user) {
        return (
            StatusCode::FORBIDDEN,
            "You may not read the health details: they are for the portal's admins \
             (/healthz answers whether it is up).",
        )
            .into_response();
    }
    let backend_kind = if backend.is_emulator() {
        "emulator"
    } else {
        "aws"
    };
    let (status, details) = match backend.ask_caller_identity().await {
        Ok(identity) => (
            StatusCode::OK,
            Details {
                status: "ok",
                backend: backend_kind,
                account: Some(identity.account),
                error: None,
            },
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Details {
                status: "unavailable",
                backend: backend_kind,
                account: None,
                error: Some(e.to_string()),
            },
        ),
    };
    (status, Json(details)).into_response()
}

fn is_admin(user: &SignedIn) -> bool {
    user.groups.iter().any(|g| g == accounts::ADMINS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_members_of_admins_see_the_details() {
        let user = |groups: &[&str]| SignedIn {
            name: "someone".into(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        };
        assert!(is_admin(&user(&["web", "admins"])));
        assert!(!is_admin(&user(&["web"])));
        assert!(!is_admin(&user(&["Admins", "admin"])));
    }
}
