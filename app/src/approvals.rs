//! Four-eyes approval: a start under a grant with `approval` waits here as a request, visible to
//! the requester and to the grant's approvers with the resolved inputs and the CLI equivalent
//! (secret values masked). An approver who is not the requester approves it (the portal then
//! starts it, checked again against the grants in force) or rejects it, with a comment; the
//! requester may withdraw it while it waits. Every step is in the audit trail.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;

/// One request, as the approvals pages show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalView {
    pub id: String,
    /// ISO 8601, UTC.
    pub requested_at: String,
    pub requested_by: String,
    pub grant: String,
    pub runbook: String,
    pub version: String,
    pub mode: String,
    pub role: String,
    /// Name and values, secret values masked.
    pub parameters: Vec<(String, Vec<String>)>,
    pub targets: String,
    /// The AWS CLI command it amounts to, secret values masked.
    pub cli: String,
    /// `pending`, `approved`, `started`, `failed`, `rejected`, `withdrawn`.
    pub status: String,
    pub decided_by: String,
    pub decided_at: String,
    pub comment: String,
    pub execution_id: String,
    pub error: String,
    /// Who may approve it: users and groups, as the grant names them.
    pub approvers: String,
    /// The viewer may approve or reject it now.
    pub may_decide: bool,
    /// The viewer asked for it, and it still waits.
    pub may_withdraw: bool,
}

impl ApprovalView {
    pub fn is_pending(&self) -> bool {
        self.status == "pending"
    }

    /// The status as the pages word it.
    pub fn status_label(&self) -> &str {
        match self.status.as_str() {
            "pending" => "Waiting for approval",
            "approved" => "Approved, starting",
            "started" => "Approved and started",
            "failed" => "Approved, start failed",
            "rejected" => "Rejected",
            "withdrawn" => "Withdrawn",
            other => other,
        }
    }
}

/// What an approver (or the requester) decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Approve,
    Reject,
    /// The requester takes it back.
    Withdraw,
}

/// The requests the user may see: their own, those they may decide, all of them for admins and
/// auditors. Waiting ones first.
#[server(endpoint = "list_approvals")]
pub async fn list_approvals() -> Result<Vec<ApprovalView>, PortalError> {
    ssr::list().await
}

#[server(endpoint = "get_approval")]
pub async fn get_approval(id: String) -> Result<ApprovalView, PortalError> {
    ssr::get(&id).await
}

/// Approves (and starts), rejects or withdraws a waiting request, then goes back to its page.
#[server(endpoint = "decide_approval")]
pub async fn decide_approval(
    id: String,
    decision: Decision,
    #[server(default)] comment: String,
) -> Result<(), PortalError> {
    let page = format!("/automation/approvals/{}", crate::wizard::form::encode(&id));
    match ssr::decide(&id, decision, comment.trim()).await {
        Ok(()) => {
            leptos_axum::redirect(&page);
            Ok(())
        }
        // A browser's own post goes back to the page, which says why; a script (or the hydrated
        // page) gets the error with its status.
        Err(e) if crate::session::ssr::from_a_page() => {
            let reason = crate::wizard::form::encode(&e.to_string());
            leptos_axum::redirect(&format!("{page}?refused={reason}"));
            Ok(())
        }
        Err(e) => {
            e.set_status();
            Err(e)
        }
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::BTreeMap;

    use accounts::{approval_status as status, ApprovalRequest};
    use grants::{Grants, Rights};

    use super::{ApprovalView, Decision};
    use crate::access::ssr::{access, current, forbidden};
    use crate::error::{FieldError, PortalError};
    use crate::session::SignedIn;
    use crate::wizard::cli::{mask_secrets, start_command, Shell};
    use crate::wizard::start::ssr::{describe, launch, prepare, targets, Prepared};
    use crate::wizard::WizardForm;

    /// Requests listed at most.
    const LISTED: i64 = 500;

    fn unavailable(e: impl std::fmt::Display) -> PortalError {
        PortalError::Backend(format!(
            "The approval requests could not be read or written ({e}). Try again, or ask an \
             administrator to look at the portal's database."
        ))
    }

    /// Keeps `prepared` as a request waiting for approval; answers its id.
    pub async fn ask(prepared: &Prepared, user: &SignedIn) -> Result<String, PortalError> {
        let access = access();
        let id = uuid::Uuid::new_v4().to_string();
        let grant = prepared.grant.as_ref().map(|g| g.name.clone());
        let mut record = crate::audit::ssr::record("request-approval", "pending");
        describe(&mut record, prepared, &id);
        record.detail = format!(
            "under the grant “{}”: waiting for approval",
            grant.as_deref().unwrap_or_default()
        );
        let audit = access.audit().clone();
        let intent = audit.write(&record).await.map_err(|e| {
            PortalError::Backend(format!(
                "The audit trail could not be written ({e}), so nothing was requested. Try again."
            ))
        })?;
        let mut shown = prepared.request.clone();
        mask_secrets(&mut shown, &prepared.runbook.parameters);
        let mut fields: BTreeMap<String, String> = prepared.asked.to_pairs().into_iter().collect();
        fields.insert("document".into(), prepared.asked.document.clone());
        let request = ApprovalRequest {
            id: id.clone(),
            requested_by: user.name.clone(),
            requester_groups: user.groups.clone(),
            grant: grant.unwrap_or_default(),
            runbook: record.runbook.clone(),
            version: record.version.clone(),
            mode: record.mode.clone(),
            role: record.role.clone(),
            parameters: record.parameters.clone(),
            targets: targets(&prepared.request),
            cli: start_command(&shown, Shell::Unix),
            ..ApprovalRequest::default()
        };
        let kept = access.approvals().create(&request, &fields).await;
        let (outcome, detail) = match &kept {
            Ok(()) => ("succeeded", record.detail.clone()),
            Err(e) => ("failed", e.to_string()),
        };
        if let Err(e) = audit.complete(intent, outcome, "", &detail).await {
            tracing::error!(audit = intent, error = %e, "could not complete an audit record");
        }
        kept.map_err(unavailable)?;
        tracing::info!(request = %id, user = %user.name, runbook = %request.runbook, "start waits for approval");
        Ok(id)
    }

    /// Whether `viewer` may see `request`.
    fn may_see(viewer: &SignedIn, rights: &Rights, request: &ApprovalRequest) -> bool {
        request.requested_by == viewer.name
            || rights.may_approve(&request.grant)
            || rights.may_audit()
    }

    fn approvers(grants: &Grants, grant: &str) -> String {
        let Some(approval) = grants
            .grants
            .iter()
            .find(|g| g.name == grant)
            .and_then(|g| g.approval.as_ref())
        else {
            return "administrators".into();
        };
        let mut names: Vec<String> = approval
            .groups
            .iter()
            .map(|g| format!("group {g}"))
            .collect();
        names.extend(approval.users.iter().cloned());
        names.push("administrators".into());
        names.join(", ")
    }

    fn view(
        viewer: &SignedIn,
        rights: &Rights,
        grants: &Grants,
        r: ApprovalRequest,
    ) -> ApprovalView {
        let time = |secs: i64| {
            crate::execution::read::time(Some(&aws_sdk_ssm::primitives::DateTime::from_secs(secs)))
        };
        let pending = r.status == status::PENDING;
        let own = r.requested_by == viewer.name;
        let parameters: BTreeMap<String, Vec<String>> =
            serde_json::from_str(&r.parameters).unwrap_or_default();
        ApprovalView {
            may_decide: pending && !own && rights.may_approve(&r.grant),
            may_withdraw: pending && own,
            approvers: approvers(grants, &r.grant),
            requested_at: time(r.requested_at),
            decided_at: r.decided_at.map(time).unwrap_or_default(),
            parameters: parameters.into_iter().collect(),
            id: r.id,
            requested_by: r.requested_by,
            grant: r.grant,
            runbook: r.runbook,
            version: r.version,
            mode: r.mode,
            role: r.role,
            targets: r.targets,
            cli: r.cli,
            status: r.status,
            decided_by: r.decided_by,
            comment: r.comment,
            execution_id: r.execution_id,
            error: r.error,
        }
    }

    pub async fn list() -> Result<Vec<ApprovalView>, PortalError> {
        let (user, rights) = current()?;
        let access = access();
        let all = access.approvals().list(LISTED).await.map_err(unavailable)?;
        let grants = access.grants();
        Ok(all
            .into_iter()
            .filter(|r| may_see(&user, &rights, r))
            .map(|r| view(&user, &rights, &grants, r))
            .collect())
    }

    async fn find(id: &str) -> Result<(SignedIn, Rights, ApprovalRequest), PortalError> {
        let (user, rights) = current()?;
        let found = access().approvals().get(id).await.map_err(unavailable)?;
        match found {
            Some(request) if may_see(&user, &rights, &request) => Ok((user, rights, request)),
            // The same answer whether it exists or not: ids are not to be probed.
            _ => Err(forbidden(format!(
                "You may not see approval request {id}: it is shown to whoever asked for it and \
                 to its approvers."
            ))),
        }
    }

    pub async fn get(id: &str) -> Result<ApprovalView, PortalError> {
        let (user, rights, request) = find(id).await?;
        Ok(view(&user, &rights, &access().grants(), request))
    }

    pub async fn decide(id: &str, decision: Decision, comment: &str) -> Result<(), PortalError> {
        let (user, rights, request) = find(id).await?;
        let own = request.requested_by == user.name;
        match decision {
            Decision::Withdraw if !own => {
                return Err(forbidden(format!(
                    "Only {} may withdraw this request: approvers approve or reject it.",
                    request.requested_by
                )))
            }
            Decision::Approve | Decision::Reject if own => {
                return Err(forbidden(
                    "You asked for this start, so you cannot decide it: four eyes means another \
                     approver must. Nothing was started.",
                ))
            }
            Decision::Approve | Decision::Reject if !rights.may_approve(&request.grant) => {
                return Err(forbidden(format!(
                    "You are not an approver of the grant “{}”. Nothing was started.",
                    request.grant
                )))
            }
            Decision::Reject if comment.is_empty() => {
                return Err(PortalError::Invalid(vec![FieldError {
                    field: "comment".into(),
                    message: "Say why you reject it: the requester reads your comment.".into(),
                }]))
            }
            _ => {}
        }
        let (decided, action) = match decision {
            Decision::Approve => (status::APPROVED, "approve-request"),
            Decision::Reject => (status::REJECTED, "reject-request"),
            Decision::Withdraw => (status::WITHDRAWN, "withdraw-request"),
        };
        let access = access();
        let claimed = access
            .approvals()
            .decide(id, decided, &user.name, comment)
            .await
            .map_err(unavailable)?;
        let Some(fields) = claimed else {
            return Err(PortalError::Invalid(vec![FieldError {
                field: "decision".into(),
                message: format!(
                    "This request was already decided ({}): nothing was changed.",
                    request.status
                ),
            }]));
        };
        let mut record = crate::audit::ssr::record(action, "succeeded");
        record.runbook = request.runbook.clone();
        record.version = request.version.clone();
        record.mode = request.mode.clone();
        record.role = request.role.clone();
        record.parameters = request.parameters.clone();
        record.targets = request.targets.clone();
        record.request_id = request.id.clone();
        record.detail = format!("request by {}: {comment}", request.requested_by);
        if decision != Decision::Approve {
            tracing::info!(request = %id, user = %user.name, action, "approval request decided");
            return access.audit().write(&record).await.map(drop).map_err(|e| {
                PortalError::Backend(format!("The audit trail could not be written: {e}"))
            });
        }
        record.outcome = "pending".into();
        let started = start(&request, &fields, &user, record).await;
        let (execution, error) = match &started {
            Ok(execution) => (execution.as_str(), String::new()),
            Err(e) => ("", e.to_string()),
        };
        if let Err(e) = access.approvals().finish(id, execution, &error).await {
            tracing::error!(request = %id, error = %e, "could not record how an approved start went");
        }
        started.map(drop)
    }

    /// Starts an approved request as its requester would, checked against the grants in force
    /// now (they may have changed since it was asked for).
    async fn start(
        request: &ApprovalRequest,
        fields: &BTreeMap<String, String>,
        approver: &SignedIn,
        intent: accounts::AuditRecord,
    ) -> Result<String, PortalError> {
        let document = fields.get("document").cloned().unwrap_or_default();
        let form = WizardForm::from_pairs(
            &document,
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let requester = Rights::of(
            &access().grants(),
            &request.requested_by,
            &request.requester_groups,
        );
        let prepared = match prepare(&form, &requester).await {
            Ok(prepared) => prepared,
            Err(e) => {
                let reason = format!(
                    "The request no longer fits the grants in force, so nothing was started: {e}"
                );
                let mut record = intent;
                record.outcome = "failed".into();
                record.detail = format!("{}; {reason}", record.detail);
                if let Err(e) = access().audit().write(&record).await {
                    tracing::error!(error = %e, "could not record a failed approval");
                }
                return Err(PortalError::Forbidden(reason));
            }
        };
        let tags = [("portal:approved-by".to_owned(), approver.name.clone())];
        launch(&prepared, &request.requested_by, &request.id, intent, &tags).await
    }
}
