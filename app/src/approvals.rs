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
            "expired" => "Expired (not decided in time)",
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

/// One page of approval requests, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalsPage {
    pub requests: Vec<ApprovalView>,
    /// Where the next (older) page starts, when there is one: `?after=` of its address.
    pub next: Option<String>,
}

/// The requests the user may see: their own, those they may decide, all of them for admins and
/// auditors; newest first, a page at a time (`after`: the `next` of the page before).
#[server(endpoint = "list_approvals")]
pub async fn list_approvals(
    #[server(default)] after: String,
) -> Result<ApprovalsPage, PortalError> {
    ssr::list(&after).await
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
            let notice = crate::notice::ssr::query("refused", &e.to_string());
            leptos_axum::redirect(&format!("{page}?{notice}"));
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

    use accounts::{approval_status as status, ApprovalRequest, ApprovalsListed};
    use grants::{Grants, Rights};

    use super::{ApprovalView, ApprovalsPage, Decision};
    use crate::access::ssr::{access, current, forbidden};
    use crate::error::{FieldError, PortalError};
    use crate::session::SignedIn;
    use crate::wizard::cli::{mask_secrets, start_command, Shell};
    use crate::wizard::start::ssr::{describe, launch, prepare, targets, Prepared};
    use crate::wizard::WizardForm;

    /// Requests listed on one page.
    const PAGE: i64 = 50;

    /// Marks the requests nobody decided in time expired; answers the oldest time a request may
    /// have been asked for and still be decided.
    async fn expire_undecided() -> Result<i64, PortalError> {
        let access = access();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let cutoff = i64::try_from(now.saturating_sub(access.approval_expiry().as_secs()))
            .unwrap_or(i64::MAX);
        let expired = access
            .approvals()
            .expire(cutoff)
            .await
            .map_err(unavailable)?;
        if expired > 0 {
            tracing::info!(expired, "approval requests expired undecided");
        }
        Ok(cutoff)
    }

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
        // The version the approver reviews is the one that runs, even if the default moves on.
        fields.insert("version".into(), prepared.runbook.version.clone());
        let requester_local = access
            .users()
            .get(&user.name)
            .await
            .map_err(unavailable)?
            .is_some();
        let request = ApprovalRequest {
            id: id.clone(),
            requested_by: user.name.clone(),
            requester_groups: user.groups.clone(),
            requester_local,
            grant: grant.unwrap_or_default(),
            runbook: record.runbook.clone(),
            version: prepared.runbook.version.clone(),
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
        let same_person = crate::session::same_person(&r.requested_by, &viewer.name);
        let parameters: BTreeMap<String, Vec<String>> =
            serde_json::from_str(&r.parameters).unwrap_or_default();
        ApprovalView {
            may_decide: pending && !same_person && rights.may_approve(&r.grant),
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

    pub async fn list(after: &str) -> Result<ApprovalsPage, PortalError> {
        let (user, rights) = current()?;
        expire_undecided().await?;
        let access = access();
        let listed = if rights.admin || rights.may_audit() {
            ApprovalsListed::All
        } else {
            ApprovalsListed::For {
                user: &user.name,
                approves: &rights.approves,
            }
        };
        // `after` is `<requested_at>.<id>` of the last request of the page before.
        let after = after
            .split_once('.')
            .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id)));
        let page = access
            .approvals()
            .page(&listed, after, PAGE + 1)
            .await
            .map_err(unavailable)?;
        let more = page.len() > PAGE as usize;
        let grants = access.grants();
        let requests: Vec<ApprovalRequest> = page
            .into_iter()
            .take(PAGE as usize)
            .filter(|r| may_see(&user, &rights, r))
            .collect();
        let next = more
            .then(|| {
                requests
                    .last()
                    .map(|r| format!("{}.{}", r.requested_at, r.id))
            })
            .flatten();
        Ok(ApprovalsPage {
            requests: requests
                .into_iter()
                .map(|r| view(&user, &rights, &grants, r))
                .collect(),
            next,
        })
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
        let not_before = expire_undecided().await?;
        let (user, rights, request) = find(id).await?;
        let own = request.requested_by == user.name;
        // One person signed in two ways (a local account and single sign-on) is still one.
        let same_person = crate::session::same_person(&request.requested_by, &user.name);
        match decision {
            Decision::Withdraw if !own => {
                return Err(forbidden(format!(
                    "Only {} may withdraw this request: approvers approve or reject it.",
                    request.requested_by
                )))
            }
            Decision::Approve | Decision::Reject if same_person => {
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
            .decide(id, decided, &user.name, comment, not_before)
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

    /// The requester's rights now: a local account must still exist, and its groups are read
    /// again; someone signed in by single sign-on or a proxy keeps the groups they had.
    async fn requester_now(request: &ApprovalRequest) -> Result<Rights, PortalError> {
        let access = access();
        let groups = if request.requester_local {
            match access
                .users()
                .get(&request.requested_by)
                .await
                .map_err(unavailable)?
            {
                Some(account) => account.groups,
                None => {
                    return Err(PortalError::Forbidden(format!(
                        "the account {} no longer exists",
                        request.requested_by
                    )))
                }
            }
        } else {
            request.requester_groups.clone()
        };
        Ok(Rights::of(&access.grants(), &request.requested_by, &groups))
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
        let requester = requester_now(request).await;
        let prepared = match requester {
            Ok(requester) => prepare(&form, &requester).await,
            Err(e) => Err(e),
        };
        // It runs under the grant the approver approved for, or not at all.
        let prepared = prepared.and_then(|p| match p.grant.as_ref().map(|g| g.name.as_str()) {
            Some(name) if name != request.grant => Err(PortalError::Forbidden(format!(
                "it now fits the grant “{name}”, not the grant “{}” it was approved under",
                request.grant
            ))),
            _ => Ok(p),
        });
        let prepared = match prepared {
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
