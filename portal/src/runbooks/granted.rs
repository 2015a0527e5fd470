//! A runbook as someone names it, read only as far as their grants could reach it. A name no
//! grant could cover is refused before AWS is asked; a name the grants could cover only once SSM
//! resolves it (a bare name of another account's runbook, granted by ARN) gets the same refusal
//! when no such runbook exists. Either way, whether a runbook outside someone's grants exists is
//! not theirs to learn. A name their grants cover as given is theirs to ask about: its errors
//! are told as they are.

use domain::runbook::RunbookDetails;
use domain::PortalError;
use grants::Rights;

use crate::Portal;

/// The refusal's words for a runbook no grant of theirs covers.
pub(crate) fn no_grant(runbook: &str) -> String {
    format!("You have no grant to run {runbook}. Ask an administrator for one.")
}

/// Why a runbook was not read for someone.
pub(crate) enum Ungranted {
    /// No grant of theirs covers the runbook named here (as given, or as SSM resolved it).
    NoGrant(String),
    Error(PortalError),
}

impl From<PortalError> for Ungranted {
    fn from(e: PortalError) -> Self {
        Self::Error(e)
    }
}

/// Whether a runbook is read from AWS now or may be taken as read in the last few seconds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    Afresh,
    AsLatelyRead,
}

impl Portal {
    /// Version `version` of the runbook `given` names, if `rights` cover it as SSM resolves it.
    pub(crate) async fn read_granted(
        &self,
        rights: &Rights,
        given: &str,
        version: &str,
        reading: Reading,
    ) -> Result<RunbookDetails, Ungranted> {
        if !rights.might_run(given) {
            return Err(Ungranted::NoGrant(given.to_owned()));
        }
        let key = (given.to_owned(), version.to_owned());
        let read = match reading {
            Reading::AsLatelyRead => {
                let fetch = || self.read_runbook(given, version);
                self.lately_read.get(key, fetch).await
            }
            Reading::Afresh => {
                let read = self.read_runbook(given, version).await;
                if let Ok(details) = &read {
                    self.lately_read.put(key, details.clone());
                }
                read
            }
        };
        let named = rights.may_run(given);
        match read {
            Ok(details) if rights.may_run(&details.reference) => Ok(details),
            // Grants name the runbook SSM resolves the name to: another account's shared
            // runbook of the same name is not the one a name pattern grants.
            Ok(details) if named => Err(Ungranted::NoGrant(details.reference)),
            Err(e @ PortalError::NotFound(_)) if named => Err(Ungranted::Error(e)),
            Ok(_) | Err(PortalError::NotFound(_)) => Err(Ungranted::NoGrant(given.to_owned())),
            Err(e) => Err(Ungranted::Error(e)),
        }
    }
}
