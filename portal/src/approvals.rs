//! Four-eyes approval: a start under a grant with `approval` waits as a request, visible to the
//! requester and to the grant's approvers with the resolved inputs and the CLI equivalent
//! (secret values masked). An approver who is not the requester approves it (the portal then
//! starts it, checked again against the grants in force) or rejects it, with a comment; the
//! requester may withdraw it while it waits. Every step is in the audit trail.

use std::collections::BTreeMap;

use accounts::{ApprovalsListed, AuditRecord, Deciding};
use domain::approval::{status, ApprovalRequest, ApprovalView, ApprovalsPage, Decision};
use domain::audit::{Action, Outcome};
use domain::wizard::cli::{mask_secrets, start_command, Shell};
use domain::wizard::WizardForm;
use domain::{FieldError, PortalError, SignedIn};
use grants::{Grants, Rights};

use crate::start::{targets, Prepared, Refused};
use crate::{audit, notices};
use crate::{Portal, Viewer};

/// Requests listed on one page.
const PAGE: i64 = 50;

impl Portal {
    /// Marks the requests nobody decided in time expired; answers the oldest time a request may
    /// have been asked for and still be decided.
    pub(crate) async fn expire_undecided(&self) -> Result<i64, PortalError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let cutoff =
            i64::try_from(now.saturating_sub(self.approval_expiry.as_secs())).unwrap_or(i64::MAX);
        let expired = self
            .records
            .approvals
            .expire(cutoff, |r| {
                notices::approval_decided(r, "expired undecided", "", "")
            })
            .await
            .map_err(unavailable)?;
        if expired > 0 {
            tracing::info!(expired, "approval requests expired undecided");
        }
        Ok(cutoff)
    }
}

fn unavailable(e: impl std::fmt::Display) -> PortalError {
    PortalError::Backend(format!(
        "The approval requests could not be read or written ({e}). Try again, or ask an \
         administrator to look at the portal's database."
    ))
}

impl Portal {
    /// Keeps `prepared` as a request waiting for approval; answers its id.
    pub(crate) async fn ask(
        &self,
        prepared: &Prepared,
        viewer: &Viewer,
    ) -> Result<String, PortalError> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut record = audit::record(viewer, Action::RequestApproval, Outcome::Pending);
        self.describe(&mut record, prepared, &id);
        record.detail = format!(
            "under the grant “{}”: waiting for approval",
            prepared
                .grant
                .as_ref()
                .map(|g| g.name.as_str())
                .unwrap_or_default()
        );
        let trail = &self.records.audit;
        let intent = audit::intend(trail, &record, "nothing was requested").await?;
        let made = self.approval_request(prepared, viewer, &record, &id).await;
        let kept = match &made {
            Ok((request, fields)) => {
                let waiting = notices::approval_waiting(&self.grants(), request);
                self.records
                    .approvals
                    .create(request, fields, &waiting)
                    .await
                    .map_err(unavailable)
            }
            Err(e) => Err(e.clone()),
        };
        let (outcome, detail) = match &kept {
            Ok(()) => (Outcome::Succeeded, record.detail.clone()),
            Err(e) => (Outcome::Failed, e.to_string()),
        };
        audit::complete(trail, intent, outcome, "", &detail).await;
        kept?;
        tracing::info!(request = %id, user = %viewer.name(), runbook = %record.runbook, "start waits for approval");
        Ok(id)
    }

    /// Request `id`, which `prepared` (described in `record`) waits as under a four-eyes grant,
    /// and the form fields it keeps.
    pub(crate) async fn approval_request(
        &self,
        prepared: &Prepared,
        viewer: &Viewer,
        record: &AuditRecord,
        id: &str,
    ) -> Result<(ApprovalRequest, BTreeMap<String, String>), PortalError> {
        let user = &viewer.user;
        let mut shown = prepared.request.clone();
        mask_secrets(&mut shown, &prepared.runbook.parameters);
        let mut fields: BTreeMap<String, String> = prepared.asked.to_pairs().into_iter().collect();
        fields.insert("document".into(), prepared.asked.document.clone());
        // The version the approver reviews is the one that runs, even if the default moves on.
        fields.insert("version".into(), prepared.runbook.version.clone());
        let requester_local = self.is_local(&user.name).await.map_err(unavailable)?;
        let request = ApprovalRequest {
            id: id.to_owned(),
            requested_by: user.name.clone(),
            requester_groups: user.groups.clone(),
            requester_local,
            grant: prepared
                .grant
                .as_ref()
                .map(|g| g.name.clone())
                .unwrap_or_default(),
            runbook: record.runbook.clone(),
            version: prepared.runbook.version.clone(),
            mode: record.mode.clone(),
            role: record.role.clone(),
            parameters: record.parameters.clone(),
            targets: targets(&prepared.request),
            cli: start_command(&shown, Shell::Unix),
            ..ApprovalRequest::default()
        };
        Ok((request, fields))
    }
}

/// Whether `viewer` may see `request`.
fn may_see(viewer: &Viewer, request: &ApprovalRequest) -> bool {
    request.requested_by == viewer.name()
        || viewer.rights.may_approve(&request.grant)
        || viewer.rights.may_audit()
}

fn view(viewer: &Viewer, grants: &Grants, request: ApprovalRequest) -> ApprovalView {
    let pending = request.is_pending();
    let own = request.requested_by == viewer.name();
    let same_person = domain::same_person(&request.requested_by, viewer.name());
    ApprovalView {
        may_decide: pending && !same_person && viewer.rights.may_approve(&request.grant),
        may_withdraw: pending && own,
        approvers: grants.approvers_of(&request.grant),
        parameter_list: request.parameter_list(),
        request,
    }
}

impl Portal {
    /// The requests the viewer may see: their own, those they may decide, all of them for admins
    /// and auditors; newest first, a page at a time (`after`: the `next` of the page before).
    pub async fn approvals(
        &self,
        viewer: &Viewer,
        after: &str,
    ) -> Result<ApprovalsPage, PortalError> {
        self.expire_undecided().await?;
        let rights = &viewer.rights;
        let listed = if rights.admin || rights.may_audit() {
            ApprovalsListed::All
        } else {
            ApprovalsListed::For {
                user: viewer.name(),
                approves: &rights.approves,
            }
        };
        // `after` is `<requested_at>.<id>` of the last request of the page before.
        let after = after
            .split_once('.')
            .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id)));
        let page = self
            .records
            .approvals
            .page(&listed, after, PAGE + 1)
            .await
            .map_err(unavailable)?;
        let more = page.len() > PAGE as usize;
        let grants = self.grants();
        let requests: Vec<ApprovalRequest> = page
            .into_iter()
            .take(PAGE as usize)
            .filter(|r| may_see(viewer, r))
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
                .map(|r| view(viewer, &grants, r))
                .collect(),
            next,
        })
    }

    async fn find(&self, viewer: &Viewer, id: &str) -> Result<ApprovalRequest, PortalError> {
        let found = self.records.approvals.get(id).await.map_err(unavailable)?;
        match found {
            Some(request) if may_see(viewer, &request) => Ok(request),
            // The same answer whether it exists or not: ids are not to be probed.
            _ => Err(self.refuse(
                viewer,
                format!(
                    "You may not see approval request {id}: it is shown to whoever asked for it \
                     and to its approvers."
                ),
            )),
        }
    }

    /// Request `id`, if the viewer may see it.
    pub async fn approval(&self, viewer: &Viewer, id: &str) -> Result<ApprovalView, PortalError> {
        let request = self.find(viewer, id).await?;
        Ok(view(viewer, &self.grants(), request))
    }

    /// Approves (and starts), rejects or withdraws request `id`, with `comment`.
    pub async fn decide(
        &self,
        viewer: &Viewer,
        id: &str,
        decision: Decision,
        comment: &str,
    ) -> Result<(), PortalError> {
        let not_before = self.expire_undecided().await?;
        let request = self.find(viewer, id).await?;
        let user = &viewer.user;
        let rights = &viewer.rights;
        let own = request.requested_by == user.name;
        // One person signed in two ways (a local account and single sign-on) is still one.
        let same_person = domain::same_person(&request.requested_by, &user.name);
        match decision {
            Decision::Withdraw if !own => {
                return Err(self.refuse(
                    viewer,
                    format!(
                        "Only {} may withdraw this request: approvers approve or reject it.",
                        request.requested_by
                    ),
                ))
            }
            Decision::Approve | Decision::Reject if same_person => {
                return Err(self.refuse(
                    viewer,
                    "You asked for this, so you cannot decide it: four eyes means another \
                     approver must. Nothing was started or approved.",
                ))
            }
            Decision::Approve | Decision::Reject if !rights.may_approve(&request.grant) => {
                return Err(self.refuse(
                    viewer,
                    format!(
                        "You are not an approver of the grant “{}”. Nothing was started.",
                        request.grant
                    ),
                ))
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
            Decision::Approve => (status::APPROVED, Action::ApproveRequest),
            Decision::Reject => (status::REJECTED, Action::RejectRequest),
            Decision::Withdraw => (status::WITHDRAWN, Action::WithdrawRequest),
        };
        let told = match decision {
            Decision::Approve => Some("approved"),
            Decision::Reject => Some("rejected"),
            // The requester took it back: nobody waits to hear.
            Decision::Withdraw => None,
        }
        .map(|outcome| notices::approval_decided(&request, outcome, &user.name, comment));
        // A schedule's request, approved, lets the schedule run from its next time: checked
        // first as its runs will be.
        let first_run = if request.is_for_schedule() && decision == Decision::Approve {
            self.first_approved_run(&request, &user.name).await?
        } else {
            0
        };
        let claimed = self
            .records
            .approvals
            .decide(&Deciding {
                id,
                decision: decided,
                by: &user.name,
                comment,
                not_before,
                notice: told.as_ref(),
                first_run,
            })
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
        let mut record = audit::record(viewer, action, Outcome::Succeeded);
        record.runbook = request.runbook.clone();
        record.version = request.version.clone();
        record.mode = request.mode.clone();
        record.role = request.role.clone();
        record.parameters = request.parameters.clone();
        record.targets = request.targets.clone();
        record.request_id = request.id.clone();
        record.detail = format!("request by {}: {comment}", request.requested_by);
        if request.is_for_schedule() {
            record.detail = format!(
                "schedule {} by {}: {comment}",
                request.schedule, request.requested_by
            );
        }
        if decision != Decision::Approve || request.is_for_schedule() {
            tracing::info!(request = %id, user = %user.name, %action, "approval request decided");
            return self
                .records
                .audit
                .write(&record)
                .await
                .map(drop)
                .map_err(|e| {
                    PortalError::Backend(format!("The audit trail could not be written: {e}"))
                });
        }
        record.outcome = Outcome::Pending;
        let started = self.start_approved(&request, &fields, user, record).await;
        let (execution, error) = match &started {
            Ok(execution) => (execution.as_str(), String::new()),
            Err(e) => ("", e.to_string()),
        };
        if let Err(e) = self.records.approvals.finish(id, execution, &error).await {
            tracing::error!(request = %id, error = %e, "could not record how an approved start went");
        }
        started.map(drop)
    }

    /// When the schedule `request` asks for would first run once approved by `approver`: a
    /// refusal when it could not run as its owner now.
    async fn first_approved_run(
        &self,
        request: &ApprovalRequest,
        approver: &str,
    ) -> Result<i64, PortalError> {
        let found = self
            .records
            .schedules
            .get(&request.schedule_id)
            .await
            .map_err(unavailable)?;
        let Some(schedule) = found else {
            return Err(PortalError::Forbidden(
                "The schedule this request asks for is gone: nothing was approved.".into(),
            ));
        };
        let approved = accounts::Schedule {
            approved_by: approver.to_owned(),
            ..schedule
        };
        if let Err(why) = self.runnable(&approved).await {
            return Err(PortalError::Forbidden(format!(
                "The schedule could not run as {} now, so nothing was approved: {why}",
                approved.owner
            )));
        }
        crate::schedules::next_run(&approved).ok_or_else(|| {
            PortalError::Invalid(vec![FieldError {
                field: "decision".into(),
                message: "The schedule's cron expression never comes round again: nothing was \
                          approved."
                    .into(),
            }])
        })
    }

    /// The requester's rights now.
    async fn requester_now(&self, request: &ApprovalRequest) -> Result<Rights, PortalError> {
        self.rights_now(
            &request.requested_by,
            &request.requester_groups,
            request.requester_local,
        )
        .await
    }

    /// The rights of someone not signed in now (a requester, a schedule's owner): a local
    /// account must still exist, and its groups are read again; someone signed in by single
    /// sign-on or a proxy keeps the groups they had.
    pub(crate) async fn rights_now(
        &self,
        name: &str,
        groups: &[String],
        local: bool,
    ) -> Result<Rights, PortalError> {
        let groups = if local {
            match self.records.users.get(name).await.map_err(unavailable)? {
                Some(account) => account.groups,
                None => {
                    return Err(PortalError::Forbidden(format!(
                        "the account {name} no longer exists"
                    )))
                }
            }
        } else {
            groups.to_vec()
        };
        Ok(Rights::of(&self.grants(), name, &groups))
    }

    /// Starts an approved request as its requester would, checked against the grants in force
    /// now (they may have changed since it was asked for).
    async fn start_approved(
        &self,
        request: &ApprovalRequest,
        fields: &BTreeMap<String, String>,
        approver: &SignedIn,
        intent: AuditRecord,
    ) -> Result<String, PortalError> {
        let document = fields.get("document").cloned().unwrap_or_default();
        let form = WizardForm::from_pairs(
            &document,
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let requester = self.requester_now(request).await;
        let prepared = match requester {
            Ok(requester) => self
                .prepare(&form, &requester)
                .await
                .map_err(Refused::into_error),
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
                record.outcome = Outcome::Failed;
                record.detail = format!("{}; {reason}", record.detail);
                if let Err(e) = self.records.audit.write(&record).await {
                    tracing::error!(error = %e, "could not record a failed approval");
                }
                return Err(PortalError::Forbidden(reason));
            }
        };
        let tags = [("portal:approved-by".to_owned(), approver.name.clone())];
        self.launch(&prepared, &request.requested_by, &request.id, intent, &tags)
            .await
    }
}
