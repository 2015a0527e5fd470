//! Who may do what. The signed-in user's rights come from the grants in force (read again on
//! every request, so a reloaded grants file applies at once); every server function, page and
//! stream checks them on the server. The browser gets the same rights to shape the wizard by.

use leptos::prelude::*;

use crate::error::PortalError;
use crate::runbook::ParameterSpec;

pub use grants::{Grant, Rights};

/// The signed-in user's rights.
#[server(endpoint = "my_rights")]
pub async fn my_rights() -> Result<Rights, PortalError> {
    ssr::current().map(|(_, rights)| rights)
}

/// The runbook's parameters as `grant` lets the user fill them in: hidden ones left out, fixed
/// ones offered as their one value, narrowed ones as the allowed values.
pub fn shaped(specs: &[ParameterSpec], grant: Option<&Grant>) -> Vec<ParameterSpec> {
    let Some(grant) = grant else {
        return specs.to_vec();
    };
    specs
        .iter()
        .filter_map(|spec| {
            if spec.is_assume_role() {
                // Under a grant the automation always runs as one of the grant's roles.
                let mut spec = spec.clone();
                spec.default = None;
                return Some(spec);
            }
            let Some(rule) = grant.rule(&spec.name) else {
                return Some(spec.clone());
            };
            if rule.hidden {
                return None;
            }
            let mut spec = spec.clone();
            if let Some(fixed) = &rule.fixed {
                spec.allowed_values = vec![fixed.clone()];
                spec.default = Some(fixed.clone());
            } else if !rule.allowed.is_empty() {
                let runbook_allows = spec.allowed_values.clone();
                spec.allowed_values = rule
                    .allowed
                    .iter()
                    .filter(|v| runbook_allows.is_empty() || runbook_allows.contains(v))
                    .cloned()
                    .collect();
            }
            Some(spec)
        })
        .collect()
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use accounts::{Approvals, AuditTrail, StartedExecutions, Users};
    use backend::Backend;
    use grants::{LiveGrants, Rights, SecretNames};

    use crate::error::PortalError;
    use crate::session::SignedIn;

    /// What never changes about an execution and decides who sees it.
    #[derive(Debug, Clone)]
    pub struct Facts {
        pub document: String,
        /// The parent execution's id, or empty.
        pub parent: String,
    }

    /// Executions whose facts are kept before the memory is cleared and read again as needed.
    const FACTS_KEPT: usize = 100_000;
    /// How far up a chain of parents ownership is looked for (multi-account runs nest twice).
    const PARENT_HOPS: usize = 3;

    /// What the portal keeps of people's deeds, in its database.
    pub struct Records {
        pub started: StartedExecutions,
        pub audit: AuditTrail,
        pub approvals: Approvals,
        /// The local accounts (an approved start is checked as its requester is now).
        pub users: Users,
    }

    /// The right to cancel, step, complete or resume one execution. Only
    /// [`Access::may_control`] makes one, so a control cannot be sent unchecked.
    #[derive(Debug)]
    pub struct Controllable {
        id: String,
    }

    /// The right to approve or reject one execution's `aws:approve` step. Only
    /// [`Access::may_decide_step`] makes one.
    #[derive(Debug)]
    pub struct StepDecidable {
        id: String,
    }

    impl Controllable {
        pub fn id(&self) -> &str {
            &self.id
        }
    }

    impl StepDecidable {
        pub fn id(&self) -> &str {
            &self.id
        }
    }

    pub struct Access {
        grants: Arc<LiveGrants>,
        records: Records,
        secrets: SecretNames,
        facts: Mutex<HashMap<String, Facts>>,
        approval_expiry: Duration,
    }

    /// How long an approval request waits for a decision unless configured otherwise.
    pub const DEFAULT_APPROVAL_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

    impl Access {
        pub fn new(grants: Arc<LiveGrants>, records: Records, secrets: SecretNames) -> Self {
            Self {
                grants,
                records,
                secrets,
                facts: Mutex::default(),
                approval_expiry: DEFAULT_APPROVAL_EXPIRY,
            }
        }

        /// Approval requests nobody decides within `expiry` expire.
        pub fn with_approval_expiry(mut self, expiry: Duration) -> Self {
            self.approval_expiry = expiry;
            self
        }

        pub fn approval_expiry(&self) -> Duration {
            self.approval_expiry
        }

        pub fn audit(&self) -> &AuditTrail {
            &self.records.audit
        }

        pub fn approvals(&self) -> &Approvals {
            &self.records.approvals
        }

        pub fn users(&self) -> &Users {
            &self.records.users
        }

        /// Which parameters' values are secret.
        pub fn secrets(&self) -> &SecretNames {
            &self.secrets
        }

        /// The grants in force.
        pub fn grants(&self) -> Arc<grants::Grants> {
            self.grants.current()
        }

        /// Records a refused request in the audit trail, without holding up the answer.
        pub fn record_refusal(&self, mut record: accounts::AuditRecord) {
            let audit = self.records.audit.clone();
            record.outcome = "refused".into();
            tokio::spawn(async move {
                if let Err(e) = audit.write(&record).await {
                    tracing::error!(error = %e, "could not record a refused request in the audit trail");
                }
            });
        }

        pub fn rights(&self, user: &SignedIn) -> Rights {
            Rights::of(&self.grants.current(), &user.name, &user.groups)
        }

        /// Keeps what a read of an execution told of it.
        pub fn note(&self, id: &str, facts: Facts) {
            if let Ok(mut known) = self.facts.lock() {
                if known.len() >= FACTS_KEPT {
                    known.clear();
                }
                known.insert(id.to_owned(), facts);
            }
        }

        async fn facts(&self, backend: &Backend, id: &str) -> Result<Facts, PortalError> {
            let known = self.facts.lock().ok().and_then(|f| f.get(id).cloned());
            if let Some(facts) = known {
                return Ok(facts);
            }
            let execution = crate::execution::read::automation_execution(backend, id)
                .await
                .map_err(|e| e.error)?;
            let facts = Facts {
                document: execution.document_name.unwrap_or_default(),
                parent: execution.parent_automation_execution_id.unwrap_or_default(),
            };
            self.note(id, facts.clone());
            Ok(facts)
        }

        pub async fn record_start(&self, id: &str, user: &str, request: &str) {
            if let Err(e) = self.records.started.record(id, user, request).await {
                tracing::error!(execution = id, user, error = %e, "could not record who started an execution");
            }
        }

        /// Who started each of `ids` through the portal.
        pub async fn starters(&self, ids: &[&str]) -> HashMap<String, String> {
            self.records
                .started
                .starters(ids)
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "could not read who started executions");
                    HashMap::new()
                })
        }

        /// Whether `user` started `id`, or the execution it is a child of. Rights follow the
        /// exact identity: a single sign-on user is not a local account of the same name.
        async fn started_by(&self, backend: &Backend, user: &str, id: &str, facts: &Facts) -> bool {
            self.starters_of(backend, id, facts)
                .await
                .iter()
                .any(|starter| starter == user)
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

        /// Refuses (403) unless `user` may see execution `id`.
        pub async fn may_see(
            &self,
            backend: &Backend,
            user: &SignedIn,
            id: &str,
        ) -> Result<(), PortalError> {
            let rights = self.rights(user);
            if rights.admin {
                return Ok(());
            }
            let not_yours = || {
                forbidden(format!(
                    "You may not see execution {id}: none of your grants shows it. Ask an \
                     administrator if you need to."
                ))
            };
            if rights.any() || !rights.decides_steps_of.is_empty() {
                let facts = self.facts(backend, id).await?;
                if rights.may_see(&facts.document, false)
                    || (rights.may_see(&facts.document, true)
                        && self.started_by(backend, &user.name, id, &facts).await)
                {
                    return Ok(());
                }
            }
            // Asked only when the grants do not show it: the usual reads cost no query here.
            if self.approved(&user.name, id).await {
                return Ok(());
            }
            Err(not_yours())
        }

        /// Who started `id` (or the execution it is a child of) through the portal, if anyone.
        async fn starters_of(&self, backend: &Backend, id: &str, facts: &Facts) -> Vec<String> {
            self.starter_chain(backend, id, facts).await.0
        }

        /// The starters up the chain of parents, and whether the whole chain was read (a parent
        /// that could not be read, or a chain deeper than [`PARENT_HOPS`], leaves it unknown).
        async fn starter_chain(
            &self,
            backend: &Backend,
            id: &str,
            facts: &Facts,
        ) -> (Vec<String>, bool) {
            let mut chain = vec![id.to_owned()];
            let mut parent = facts.parent.clone();
            let mut complete = true;
            while !parent.is_empty() {
                if chain.len() > PARENT_HOPS {
                    complete = false;
                    break;
                }
                chain.push(parent.clone());
                parent = match self.facts(backend, &parent).await {
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

        /// The right to cancel, step, complete or resume execution `id`, or a 403: seeing an
        /// execution is not enough. Its starter has it (under a grant for its runbook), others
        /// where a grant says `control = "all"`, an approver who let it run where the grant's
        /// `approval.control` says so, and admins.
        pub async fn may_control(
            &self,
            backend: &Backend,
            user: &SignedIn,
            id: &str,
        ) -> Result<Controllable, PortalError> {
            if !self.rights(user).admin {
                self.may_see(backend, user, id).await?;
            }
            self.control_right(backend, user, id)
                .await?
                .map_err(forbidden)
        }

        /// Whether the page should offer `user` the controls of `id` (nothing is recorded).
        pub async fn can_control(&self, backend: &Backend, user: &SignedIn, id: &str) -> bool {
            matches!(self.control_right(backend, user, id).await, Ok(Ok(_)))
        }

        /// The control right, or the reason `user` lacks it (the outer error: `id` could not
        /// be read).
        async fn control_right(
            &self,
            backend: &Backend,
            user: &SignedIn,
            id: &str,
        ) -> Result<Result<Controllable, String>, PortalError> {
            let rights = self.rights(user);
            let granted = Controllable { id: id.to_owned() };
            if rights.admin {
                return Ok(Ok(granted));
            }
            let facts = self.facts(backend, id).await?;
            let theirs = self.started_by(backend, &user.name, id, &facts).await;
            if rights.may_control(&facts.document, theirs)
                || self.approved_with_control(user, id).await
            {
                return Ok(Ok(granted));
            }
            Ok(Err(format!(
                "You may not control execution {id}: you may follow it, but its starter controls \
                 it, and others only where a grant says control = \"all\". Nothing was sent."
            )))
        }

        /// Whether `user` approved the request that started `id` under a grant whose approvers
        /// may control what they approved.
        async fn approved_with_control(&self, user: &SignedIn, id: &str) -> bool {
            let Ok(Some(request)) = self.records.approvals.of_execution(id).await else {
                return false;
            };
            request.decided_by == user.name
                && self.grants().grants.iter().any(|g| {
                    g.name == request.grant && g.approval.as_ref().is_some_and(|a| a.control)
                })
        }

        /// The right to approve or reject the `aws:approve` step of execution `id`, or a 403.
        /// The person who started it never has it (AWS sees only the portal as the approver, so
        /// separation of duties lives here); a grant's step approvers and admins do.
        pub async fn may_decide_step(
            &self,
            backend: &Backend,
            user: &SignedIn,
            id: &str,
        ) -> Result<StepDecidable, PortalError> {
            if !self.rights(user).admin {
                self.may_see(backend, user, id).await?;
            }
            self.step_right(backend, user, id).await?.map_err(forbidden)
        }

        /// Whether the page should offer `user` the decision on `id`'s approval step.
        pub async fn can_decide_step(&self, backend: &Backend, user: &SignedIn, id: &str) -> bool {
            matches!(self.step_right(backend, user, id).await, Ok(Ok(_)))
        }

        async fn step_right(
            &self,
            backend: &Backend,
            user: &SignedIn,
            id: &str,
        ) -> Result<Result<StepDecidable, String>, PortalError> {
            let rights = self.rights(user);
            let facts = self.facts(backend, id).await?;
            // Refusals err the other way: one person signed in two ways is still one.
            let (starters, complete) = self.starter_chain(backend, id, &facts).await;
            if !complete {
                return Ok(Err(format!(
                    "You may not approve or reject the approval step of execution {id}: who \
                     started it cannot be told (its chain of parent executions could not be read \
                     whole), and its starter may not decide it. Nothing was sent."
                )));
            }
            if starters
                .iter()
                .any(|starter| crate::session::same_person(starter, &user.name))
            {
                return Ok(Err(format!(
                    "You may not approve or reject the approval step of execution {id}: you \
                     started it, so another approver must decide. Nothing was sent."
                )));
            }
            if rights.may_decide_steps(&facts.document) {
                return Ok(Ok(StepDecidable { id: id.to_owned() }));
            }
            Ok(Err(format!(
                "You may not approve or reject the steps of execution {id}: its grant's \
                 step_approvers (or approvers) and administrators decide them. Nothing was sent."
            )))
        }

        /// The executions among `listed` (id, runbook, parent) that `user` may see.
        pub async fn visible<'a>(
            &self,
            backend: &Backend,
            user: &SignedIn,
            listed: &[(&'a str, &'a str, &'a str)],
        ) -> Vec<&'a str> {
            let rights = self.rights(user);
            for (id, document, parent) in listed {
                self.note(
                    id,
                    Facts {
                        document: (*document).to_owned(),
                        parent: (*parent).to_owned(),
                    },
                );
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
            let mine = |id: &str| starters.get(id).is_some_and(|u| *u == user.name);
            let mut shown = Vec::new();
            for (id, document, parent) in listed {
                let seen = rights.may_see(document, false)
                    || (rights.may_see(document, true)
                        && (mine(id)
                            || mine(parent)
                            || (!parent.is_empty()
                                && self
                                    .started_by(
                                        backend,
                                        &user.name,
                                        id,
                                        &Facts {
                                            document: (*document).to_owned(),
                                            parent: (*parent).to_owned(),
                                        },
                                    )
                                    .await)));
                if seen {
                    shown.push(*id);
                }
            }
            shown
        }
    }

    pub fn access() -> Arc<Access> {
        leptos::prelude::expect_context::<Arc<Access>>()
    }

    /// The signed-in user and their rights (the sign-in gate lets no other request through).
    pub fn current() -> Result<(SignedIn, Rights), PortalError> {
        let user = crate::session::ssr::signed_in().ok_or_else(|| {
            PortalError::Forbidden("Sign in first: this needs a signed-in user.".into())
        })?;
        let rights = access().rights(&user);
        Ok((user, rights))
    }

    /// A refusal, answered with 403.
    pub fn forbidden(text: impl Into<String>) -> PortalError {
        let text = text.into();
        if let Some(access) = leptos::prelude::use_context::<Arc<Access>>() {
            let mut record = crate::audit::ssr::record("refused", "refused");
            record.detail = format!("{}: {text}", crate::session::ssr::request_line());
            access.record_refusal(record);
        }
        let refusal = PortalError::Forbidden(text);
        refusal.set_status();
        refusal
    }
}
