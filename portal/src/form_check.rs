//! The wizard's form checked while it is filled in, as the page offers it: against the runbook's
//! parameters as the user's grant shapes them (hidden ones left out, fixed ones as their one
//! value), and the commands that would start it. Only for a runbook the viewer may run, as the
//! form itself. Execute checks the form again, with the grant's own rules (`start`), against the
//! runbook read afresh; the checks take it as read in the last few seconds (by the page, or the
//! previous check). Nothing here is sent to AWS but the runbook's reading, and nothing is recorded
//! but a refusal: a form being typed is not a request yet.

use domain::runbook::shaped;
use domain::wizard::cli::mask_secrets;
use domain::wizard::{FormCheck, WizardForm};
use domain::PortalError;

use crate::{Portal, Viewer};

impl Portal {
    /// What the page says of `form` while the viewer fills it in; refused, as the form is, for
    /// a runbook the viewer may not run.
    pub async fn check_form(
        &self,
        viewer: &Viewer,
        form: &WizardForm,
    ) -> Result<FormCheck, PortalError> {
        let document = &form.document;
        if document.is_empty() {
            return Err(PortalError::NotFound(
                "No runbook was chosen: choose one in Execute automation.".into(),
            ));
        }
        let runbook = self
            .runbook_as_lately_read(viewer, document, &form.version)
            .await?;
        let grant = viewer.rights.run_under(&runbook.reference, &form.grant);
        let specs = shaped(&runbook.parameters, grant);
        match form.request(&specs) {
            Ok(mut request) => {
                // A runbook shared by another account is started by its ARN.
                request.document_name = runbook.reference.clone();
                mask_secrets(&mut request, &specs);
                Ok(FormCheck::ready(document, &request))
            }
            Err(errors) => Ok(FormCheck::mistakes(document, errors)),
        }
    }
}
