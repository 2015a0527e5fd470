//! Who asks: the signed-in user, their rights under the grants in force when they asked, and
//! where the request came from (for the audit trail).

use domain::{ClientInfo, SignedIn};
use grants::Rights;

#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: SignedIn,
    pub rights: Rights,
    pub client: ClientInfo,
    /// The request's method and path (e.g. `POST /api/start_automation`), for refusals.
    pub request: String,
}

impl Viewer {
    pub fn name(&self) -> &str {
        &self.user.name
    }
}
