//! Who asks: the signed-in user, their rights under the grants in force when they asked, and
//! where the request came from (for the audit trail).

use domain::{ClientInfo, SignedIn};
use grants::Rights;

/// Made only by `Portal::viewer`, which admits the request (its fields are the crate's own), so
/// no operation can be asked for by a viewer the portal did not admit.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub(crate) user: SignedIn,
    pub(crate) rights: Rights,
    pub(crate) client: ClientInfo,
    /// The request's method and path (e.g. `POST /api/start_automation`), for refusals.
    pub(crate) request: String,
}

impl Viewer {
    pub fn name(&self) -> &str {
        &self.user.name
    }

    /// What the grants in force let them do.
    pub fn rights(&self) -> &Rights {
        &self.rights
    }
}
