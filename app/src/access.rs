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

    use accounts::{Approvals, AuditTrail, StartedExecutions};
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
    }

    pub struct Access {
        grants: Arc<LiveGrants>,
        records: Records,
        secrets: SecretNames,
        facts: Mutex<HashMap<String, Facts>>,
    }

    impl Access {
        pub fn new(grants: Arc<LiveGrants>, records: Records, secrets: SecretNames) -> Self {
            Self {
                grants,
                records,
                secrets,
                facts: Mutex::default(),
            }
        }

        pub fn audit(&self) -> &AuditTrail {
            &self.records.audit
        }

        pub fn approvals(&self) -> &Approvals {
            &self.records.approvals
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

        /// Whether `user` started `id`, or the execution it is a child of.
        async fn started_by(&self, backend: &Backend, user: &str, id: &str, facts: &Facts) -> bool {
            let mut chain = vec![id.to_owned()];
            let mut parent = facts.parent.clone();
            while !parent.is_empty() && chain.len() <= PARENT_HOPS {
                chain.push(parent.clone());
                parent = match self.facts(backend, &parent).await {
                    Ok(f) => f.parent,
                    Err(_) => break,
                };
            }
            let ids: Vec<&str> = chain.iter().map(String::as_str).collect();
            self.starters(&ids).await.values().any(|u| u == user)
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
            if rights.any() {
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
