//! Who may see and do what to an execution. The rights come from the grants in force (read
//! again on every request, so a reloaded grants file applies at once), who started the
//! execution (or its parent) through the portal, and who approved its start. Each right that
//! matters is a value only these checks make: [`Visible`], [`Controllable`], [`StepDecidable`].

mod capability;

use std::collections::HashMap;

use domain::{same_person, PortalError};

use crate::facts::ExecutionFacts;
pub use capability::{Controllable, StepDecidable, Visible};

use crate::{Portal, Viewer};

/// How far up a chain of parents ownership is looked for (multi-account runs nest twice).
const PARENT_HOPS: usize = 3;

impl Portal {
    /// The right to see execution `id`, or a refusal.
    pub async fn may_see(&self, viewer: &Viewer, id: &str) -> Result<Visible, PortalError> {
        match self.sees(viewer, id).await? {
            true => Ok(Visible::new(id)),
            false => Err(self.refuse_about(
                viewer,
                id,
                format!(
                    "You may not see execution {id}: none of your grants shows it. Ask an \
                     administrator if you need to."
                ),
            )),
        }
    }

    async fn sees(&self, viewer: &Viewer, id: &str) -> Result<bool, PortalError> {
        let rights = &viewer.rights;
        if rights.admin {
            return Ok(true);
        }
        if rights.any() || !rights.decides_steps_of.is_empty() {
            let facts = self.facts(id).await?;
            if rights.may_see(&facts.document, false)
                || (rights.may_see(&facts.document, true)
                    && self.started_by(viewer.name(), id, &facts).await)
            {
                return Ok(true);
            }
        }
        // Asked only when the grants do not show it: the usual reads cost no query here.
        Ok(self.approved(viewer.name(), id).await)
    }

    /// What never changes about `id`, from memory or read once.
    async fn facts(&self, id: &str) -> Result<ExecutionFacts, PortalError> {
        if let Some(facts) = self.facts.known(id) {
            return Ok(facts);
        }
        let execution = crate::execution_view::automation_execution(&self.backend, id)
            .await
            .map_err(|e| e.error)?;
        let facts = ExecutionFacts {
            document: execution.document_name.unwrap_or_default(),
            parent: execution.parent_automation_execution_id.unwrap_or_default(),
        };
        self.facts.note(id, facts.clone());
        Ok(facts)
    }

    pub(crate) async fn record_start(&self, id: &str, user: &str, request: &str, grant: &str) {
        if let Err(e) = self.records.started.record(id, user, request, grant).await {
            tracing::error!(execution = id, user, error = %e, "could not record who started an execution");
        }
    }

    /// Who started each of `ids` through the portal.
    pub(crate) async fn starters(&self, ids: &[&str]) -> HashMap<String, String> {
        self.records
            .started
            .starters(ids)
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "could not read who started executions");
                HashMap::new()
            })
    }

    /// Whether `user` started `id`, or the execution it is a child of. Rights follow the exact
    /// identity: a single sign-on user is not a local account of the same name.
    async fn started_by(&self, user: &str, id: &str, facts: &ExecutionFacts) -> bool {
        let (starters, _) = self.starter_chain(id, facts).await;
        starters.iter().any(|starter| starter == user)
    }

    /// Whether `user` approved the request that started execution `id`: an approver follows
    /// what they let run.
    async fn approved(&self, user: &str, id: &str) -> bool {
        match self.records.approvals.of_execution(id).await {
            Ok(request) => request.is_some_and(|r| r.decided_by == user),
            Err(e) => {
                tracing::error!(execution = id, error = %e, "could not read approval requests");
                false
            }
        }
    }

    /// The starters up the chain of parents, and whether the whole chain was read (a parent
    /// that could not be read, or a chain deeper than [`PARENT_HOPS`], leaves it unknown).
    async fn starter_chain(&self, id: &str, facts: &ExecutionFacts) -> (Vec<String>, bool) {
        let mut chain = vec![id.to_owned()];
        let mut parent = facts.parent.clone();
        let mut complete = true;
        while !parent.is_empty() {
            if chain.len() > PARENT_HOPS {
                complete = false;
                break;
            }
            chain.push(parent.clone());
            parent = match self.facts(&parent).await {
                Ok(f) => f.parent,
                Err(_) => {
                    complete = false;
                    break;
                }
            };
        }
        let ids: Vec<&str> = chain.iter().map(String::as_str).collect();
        (self.starters(&ids).await.into_values().collect(), complete)
    }

    /// The right to cancel, step, complete or resume execution `id`, or a refusal: seeing an
    /// execution is not enough. Its starter has it (under a grant for its runbook), others
    /// where a grant says `control = "all"`, an approver who let it run where the grant's
    /// `approval.control` says so, and admins.
    pub async fn may_control(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<Controllable, PortalError> {
        if !viewer.rights.admin {
            self.may_see(viewer, id).await?;
        }
        match self.control_right(viewer, id).await? {
            Ok(right) => Ok(right),
            Err(why) => Err(self.refuse_about(viewer, id, why)),
        }
    }

    /// Whether the page should offer `viewer` the controls of `id` (nothing is recorded).
    pub(crate) async fn can_control(&self, viewer: &Viewer, id: &str) -> bool {
        matches!(self.control_right(viewer, id).await, Ok(Ok(_)))
    }

    /// The control right, or the reason the viewer lacks it (the outer error: `id` could not
    /// be read).
    async fn control_right(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<Result<Controllable, String>, PortalError> {
        let rights = &viewer.rights;
        if rights.admin {
            return Ok(Ok(Controllable::new(id)));
        }
        let facts = self.facts(id).await?;
        let theirs = self.started_by(viewer.name(), id, &facts).await;
        if rights.may_control(&facts.document, theirs)
            || self.approved_with_control(viewer.name(), id).await
        {
            return Ok(Ok(Controllable::new(id)));
        }
        Ok(Err(format!(
            "You may not control execution {id}: you may follow it, but its starter controls \
             it, and others only where a grant says control = \"all\". Nothing was sent."
        )))
    }

    /// Whether `user` approved the request that started `id` under a grant whose approvers
    /// may control what they approved.
    async fn approved_with_control(&self, user: &str, id: &str) -> bool {
        let Ok(Some(request)) = self.records.approvals.of_execution(id).await else {
            return false;
        };
        request.decided_by == user
            && self
                .grants()
                .grants
                .iter()
                .any(|g| g.name == request.grant && g.approval.as_ref().is_some_and(|a| a.control))
    }

    /// The right to approve or reject the `aws:approve` step of execution `id`, or a refusal.
    /// The person who started it never has it (AWS sees only the portal as the approver, so
    /// separation of duties lives here); a grant's step approvers and admins do.
    pub async fn may_decide_step(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<StepDecidable, PortalError> {
        if !viewer.rights.admin {
            self.may_see(viewer, id).await?;
        }
        match self.step_right(viewer, id).await? {
            Ok(right) => Ok(right),
            Err(why) => Err(self.refuse_about(viewer, id, why)),
        }
    }

    /// Whether the page should offer `viewer` the decision on `id`'s approval step.
    pub(crate) async fn can_decide_step(&self, viewer: &Viewer, id: &str) -> bool {
        matches!(self.step_right(viewer, id).await, Ok(Ok(_)))
    }

    async fn step_right(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<Result<StepDecidable, String>, PortalError> {
        let facts = self.facts(id).await?;
        // Refusals err the other way: one person signed in two ways is still one.
        let (starters, complete) = self.starter_chain(id, &facts).await;
        if !complete {
            return Ok(Err(format!(
                "You may not approve or reject the approval step of execution {id}: who \
                 started it cannot be told (its chain of parent executions could not be read \
                 whole), and its starter may not decide it. Nothing was sent."
            )));
        }
        if starters
            .iter()
            .any(|starter| same_person(starter, viewer.name()))
        {
            return Ok(Err(format!(
                "You may not approve or reject the approval step of execution {id}: you \
                 started it, so another approver must decide. Nothing was sent."
            )));
        }
        if viewer.rights.may_decide_steps(&facts.document) {
            return Ok(Ok(StepDecidable::new(id)));
        }
        Ok(Err(format!(
            "You may not approve or reject the steps of execution {id}: its grant's \
             step_approvers (or approvers) and administrators decide them. Nothing was sent."
        )))
    }

    /// The executions among `listed` (id, runbook, parent) that `viewer` may see.
    pub(crate) async fn visible<'a>(
        &self,
        viewer: &Viewer,
        listed: &[(&'a str, &'a str, &'a str)],
    ) -> Vec<&'a str> {
        let rights = &viewer.rights;
        for (id, document, parent) in listed {
            self.facts.note(id, ExecutionFacts::new(document, parent));
        }
        if rights.admin {
            return listed.iter().map(|(id, _, _)| *id).collect();
        }
        let own: Vec<&(&str, &str, &str)> = listed
            .iter()
            .filter(|(_, document, _)| {
                !rights.may_see(document, false) && rights.may_see(document, true)
            })
            .collect();
        let mut asked: Vec<&str> = own.iter().map(|(id, _, _)| *id).collect();
        asked.extend(own.iter().map(|(_, _, p)| *p).filter(|p| !p.is_empty()));
        let starters = if asked.is_empty() {
            HashMap::new()
        } else {
            self.starters(&asked).await
        };
        let mine = |id: &str| starters.get(id).is_some_and(|u| u == viewer.name());
        let mut shown = Vec::new();
        for (id, document, parent) in listed {
            let seen = rights.may_see(document, false)
                || (rights.may_see(document, true)
                    && (mine(id)
                        || mine(parent)
                        || (!parent.is_empty()
                            && self
                                .started_by(
                                    viewer.name(),
                                    id,
                                    &ExecutionFacts::new(document, parent),
                                )
                                .await)));
            if seen {
                shown.push(*id);
            }
        }
        shown
    }
}
