//! The notices the portal writes to its outbox, and who each is for: a request's approvers, its
//! requester, an execution's starter, a step's approvers. Facts name things, never a parameter's
//! value, so no message carries a secret.

use domain::approval::ApprovalRequest;
use domain::notification::{Audience, Event, Notice};
use grants::{Grant, Grants};

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

fn facts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

fn grant<'a>(grants: &'a Grants, name: &str) -> Option<&'a Grant> {
    grants.grants.iter().find(|g| g.name == name)
}

/// A request waits: to the grant's approvers.
pub(crate) fn approval_waiting(grants: &Grants, request: &ApprovalRequest) -> Notice {
    let approvers = grant(grants, &request.grant)
        .and_then(|g| g.approval.as_ref())
        .map(|a| Audience {
            users: a.users.clone(),
            groups: a.groups.clone(),
        })
        .unwrap_or_default();
    let title = if request.is_for_schedule() {
        format!(
            "Approval requested: a schedule of {} by {}",
            request.runbook, request.requested_by
        )
    } else {
        format!(
            "Approval requested: {} by {}",
            request.runbook, request.requested_by
        )
    };
    Notice {
        event: Event::ApprovalWaiting,
        title,
        facts: facts(&[
            ("Schedule", &request.schedule),
            ("Runbook", &request.runbook),
            ("Version", &request.version),
            ("Execution mode", grants::mode_label(&request.mode)),
            ("Requested by", &request.requested_by),
            ("Grant", &request.grant),
            ("Targets", &request.targets),
        ]),
        path: format!("/automation/approvals/{}", request.id),
        audience: approvers,
        grant: request.grant.clone(),
    }
}

/// A request was approved, rejected or expired: to its requester.
pub(crate) fn approval_decided(
    request: &ApprovalRequest,
    outcome: &str,
    by: &str,
    comment: &str,
) -> Notice {
    let what = if request.is_for_schedule() {
        format!("Your schedule {} of {}", request.schedule, request.runbook)
    } else {
        format!("Your request to run {}", request.runbook)
    };
    let title = if by.is_empty() {
        format!("{what} {outcome}")
    } else {
        format!("{what} was {outcome} by {by}")
    };
    Notice {
        event: Event::ApprovalDecided,
        title,
        facts: facts(&[
            ("Runbook", &request.runbook),
            ("Decision", outcome),
            ("Decided by", by),
            ("Comment", comment),
            ("Request", &short(&request.id)),
        ]),
        path: format!("/automation/approvals/{}", request.id),
        audience: Audience {
            users: vec![request.requested_by.clone()],
            groups: Vec::new(),
        },
        grant: request.grant.clone(),
    }
}

/// What the notices about one execution share.
pub(crate) struct Run<'a> {
    pub id: &'a str,
    pub runbook: &'a str,
    pub starter: &'a str,
    pub grant: &'a str,
}

impl Run<'_> {
    fn notice(
        &self,
        event: Event,
        title: String,
        extra: &[(&str, &str)],
        audience: Audience,
    ) -> Notice {
        let mut all = vec![
            ("Runbook", self.runbook),
            ("Execution", self.id),
            ("Started by", self.starter),
        ];
        all.extend_from_slice(extra);
        Notice {
            event,
            title,
            facts: facts(&all),
            path: format!("/automation/executions/{}", self.id),
            audience,
            grant: self.grant.to_owned(),
        }
    }

    fn starter_only(&self) -> Audience {
        Audience {
            users: vec![self.starter.to_owned()],
            groups: Vec::new(),
        }
    }

    /// It ended: to its starter.
    pub fn ended(&self, status: &str, failure: &str) -> Notice {
        // A rate-control or multi-account parent whose children all succeeded ends
        // CompletedWithSuccess.
        let event = if matches!(status, "Success" | "CompletedWithSuccess") {
            Event::ExecutionSucceeded
        } else {
            Event::ExecutionFailed
        };
        let title = format!(
            "Execution {} of {} ended: {status}",
            short(self.id),
            self.runbook
        );
        self.notice(
            event,
            title,
            &[("Status", status), ("Failure", failure)],
            self.starter_only(),
        )
    }

    /// A step waits: an `aws:approve` step for the grant's step approvers, an `aws:pause` step
    /// for its starter.
    pub fn step_waiting(&self, grants: &Grants, step: &str, action: &str) -> Notice {
        let (title, audience) = if action == "aws:approve" {
            let approvers = grant(grants, self.grant)
                .and_then(|g| {
                    g.step_approvers
                        .clone()
                        .or_else(|| g.approval.as_ref().map(grants::Approval::members))
                })
                .map(|m| Audience {
                    users: m.users,
                    groups: m.groups,
                })
                .unwrap_or_default();
            (
                format!("Step {step} of {} waits for approval", self.runbook),
                approvers,
            )
        } else {
            (
                format!(
                    "Step {step} of {} is paused: resume it when ready",
                    self.runbook
                ),
                self.starter_only(),
            )
        };
        self.notice(
            Event::StepWaiting,
            title,
            &[("Step", step), ("Action", action)],
            audience,
        )
    }

    /// It runs past the configured time (`running_for`): to its starter.
    pub fn overdue(&self, running_for: &str) -> Notice {
        let title = format!(
            "Execution {} of {} still running after {running_for}",
            short(self.id),
            self.runbook
        );
        self.notice(
            Event::ExecutionOverdue,
            title,
            &[("Running for", running_for)],
            self.starter_only(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parent_whose_children_all_succeeded_is_told_as_a_success() {
        let run = Run {
            id: "0123456789abcdef",
            runbook: "AWS-RestartEC2Instance",
            starter: "ann",
            grant: "",
        };
        for (status, event) in [
            ("Success", Event::ExecutionSucceeded),
            ("CompletedWithSuccess", Event::ExecutionSucceeded),
            ("CompletedWithFailure", Event::ExecutionFailed),
            ("TimedOut", Event::ExecutionFailed),
            ("Cancelled", Event::ExecutionFailed),
        ] {
            let notice = run.ended(status, "");
            assert_eq!(notice.event, event, "{status}");
            assert_eq!(notice.audience.users, ["ann"]);
            assert_eq!(
                notice.title,
                format!("Execution 01234567 of AWS-RestartEC2Instance ended: {status}")
            );
        }
    }
}
