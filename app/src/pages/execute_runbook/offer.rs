//! What the form offers this user of the runbook: they run under one grant — the one the form
//! names, else the first that covers the runbook (admins under none) — and the form offers only
//! what that grant allows: its roles, its modes, its parameters' values.

use crate::access::{shaped, Grant, Rights};
use crate::runbook::{RoleChoice, RunbookDetails};
use crate::wizard::{Mode, WizardForm};

pub struct Offer {
    /// The runbook, its parameters shaped by the grant.
    pub details: RunbookDetails,
    pub roles: Vec<RoleChoice>,
    pub modes: Vec<Mode>,
    /// The user's grants that cover the runbook (none for an admin), and the one run under.
    pub grants: Vec<Grant>,
    pub chosen: Option<Grant>,
    /// The form as the page shows it: a mode the grant allows, the grant named.
    pub form: WizardForm,
}

impl Offer {
    pub fn new(
        mut details: RunbookDetails,
        roles: Vec<RoleChoice>,
        rights: &Rights,
        mut form: WizardForm,
    ) -> Self {
        let grants: Vec<Grant> = if rights.admin {
            Vec::new()
        } else {
            rights
                .for_runbook(&details.reference)
                .into_iter()
                .cloned()
                .collect()
        };
        let chosen = rights.run_under(&details.reference, &form.grant).cloned();
        details.parameters = shaped(&details.parameters, chosen.as_ref());
        let roles = roles
            .into_iter()
            .filter(|r| chosen.as_ref().is_none_or(|g| g.allows_role(&r.arn)))
            .collect();
        let modes: Vec<Mode> = Mode::ALL
            .into_iter()
            .filter(|m| chosen.as_ref().is_none_or(|g| g.allows_mode(m.key())))
            .collect();
        if !modes.contains(&form.mode) {
            form.mode = modes.first().copied().unwrap_or_default();
        }
        if let Some(grant) = &chosen {
            form.grant = grant.name.clone();
        }
        Self {
            details,
            roles,
            modes,
            grants,
            chosen,
            form,
        }
    }
}
