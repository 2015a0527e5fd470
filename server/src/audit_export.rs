//! `GET /audit.csv`: the audit trail as CSV (up to 10,000 records, newest first), with the audit
//! page's filters, for admins and auditors.

use std::sync::Arc;

use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, StatusCode};

use accounts::{AuditQuery, AuditRecord};
use app::access::ssr::Access;
use app::audit::{AuditFilters, NOT_AN_AUDITOR};
use app::session::{ClientInfo, SignedIn};

pub const PATH: &str = "/audit.csv";

const MOST: i64 = 10_000;

pub fn routes(access: Arc<Access>) -> Router {
    Router::new().route(PATH, get(export)).with_state(access)
}

const HEADER: [&str; 17] = [
    "id",
    "time",
    "user",
    "groups",
    "action",
    "runbook",
    "version",
    "mode",
    "role",
    "parameters",
    "targets",
    "execution_id",
    "outcome",
    "detail",
    "client_address",
    "user_agent",
    "request_id",
];

fn time(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn csv(records: &[AuditRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER)?;
    for r in records {
        out.write_record([
            r.id.to_string().as_str(),
            &time(r.at),
            &r.user,
            &r.groups.join(" "),
            &r.action,
            &r.runbook,
            &r.version,
            &r.mode,
            &r.role,
            &r.parameters,
            &r.targets,
            &r.execution_id,
            &r.outcome,
            &r.detail,
            &r.client_address,
            &r.user_agent,
            &r.request_id,
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

async fn export(
    State(access): State<Arc<Access>>,
    Extension(user): Extension<SignedIn>,
    client: Option<Extension<ClientInfo>>,
    Query(filters): Query<AuditFilters>,
) -> Response {
    if !access.rights(&user).may_audit() {
        let reason = NOT_AN_AUDITOR.to_owned();
        let client = client.map(|Extension(c)| c).unwrap_or_default();
        access.record_refusal(AuditRecord {
            user: user.name,
            groups: user.groups,
            action: "refused".into(),
            detail: format!("GET {PATH}: {reason}"),
            client_address: client.address,
            user_agent: client.user_agent,
            ..AuditRecord::default()
        });
        return (StatusCode::FORBIDDEN, reason).into_response();
    }
    let query = AuditQuery {
        user: filters.user,
        action: filters.action,
        outcome: filters.outcome,
        execution_id: filters.execution,
        limit: MOST,
    };
    let written = match access.audit().list(&query).await {
        Ok(records) => csv(&records).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match written {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit.csv\"",
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "The audit trail could not be read: {e}. Try again, or look at the portal's log."
            ),
        )
            .into_response(),
    }
}
