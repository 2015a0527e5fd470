//! Who asks, admitted: the signed-in user with the rights the grants in force give them, unless
//! they have been refused so often lately that their requests are held back (`refusal_limit`).
//! Every operation takes a `Viewer`, and this is where one is made.

use domain::audit::{Action, Outcome};
use domain::{ClientInfo, PortalError, SignedIn};

use crate::refusal_limit::Hearing;
use crate::{Portal, Viewer};

impl Portal {
    /// `user`, with the rights the grants in force give them, asking `request` from `client`;
    /// answered 429 while they are held back.
    pub fn viewer(
        &self,
        user: SignedIn,
        client: ClientInfo,
        request: impl Into<String>,
    ) -> Result<Viewer, PortalError> {
        let rights = grants::Rights::of(&self.grants.current(), &user.name, &user.groups);
        let viewer = Viewer {
            user,
            rights,
            client,
            request: request.into(),
        };
        let Hearing::HeldBack { wait, first } = self.refusal_limit.hears(viewer.name()) else {
            return Ok(viewer);
        };
        if first {
            let mut record = crate::audit::record(&viewer, Action::Refused, Outcome::Refused);
            record.detail = format!(
                "{}: held back: {} of this user's requests were refused within a minute, so the \
                 rest of it is answered 429 unread ({} s more)",
                viewer.request,
                self.refusal_limit.per_window(),
                wait.as_secs().max(1)
            );
            self.record_refusal(record);
        }
        Err(PortalError::TooMany(format!(
            "Too many of your requests were refused in the last minute: wait {} s, then try \
             again.",
            wait.as_secs().max(1)
        )))
    }
}
