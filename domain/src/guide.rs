//! The AWS user guide's procedure for running an automation, in its words, and which of its
//! steps a page is at. The step follows from the route and the form's state alone, so no page
//! needs a marker of its own.

/// The procedure's steps, as the guide words them (the console's names in bold there).
pub const STEPS: [&str; 7] = [
    "In the navigation pane, choose Automation, and then choose Execute automation.",
    "In the Automation document list, choose a runbook. Choose one or more options in the \
     Document categories pane to filter documents according to their purpose. To view a runbook \
     that you own, choose the Owned by me tab; shared with your account, Shared with me; all \
     runbooks, All documents.",
    "In the Document details section, verify that Document version is set to the version that \
     you want to run, and then choose Next.",
    "In the Execution Mode section, choose Simple execution (or Rate control, Multi-account and \
     Region, or Manual execution).",
    "In the Input parameters section, specify the required inputs. Optionally, choose an IAM \
     service role from the AutomationAssumeRole list.",
    "Choose Execute.",
    "The console displays the status of the automation.",
];

/// How far the wizard's form has come (its own fields read, nothing marked by hand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FormProgress {
    /// An input parameter has been given a value (or the address carries one).
    pub inputs_started: bool,
    /// Every required input has a value.
    pub inputs_complete: bool,
}

impl FormProgress {
    /// What the address says: a link to the wizard carries the form's values (`p.<name>=`).
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            inputs_started: pairs
                .into_iter()
                .any(|(key, value)| key.starts_with("p.") && !value.is_empty()),
            inputs_complete: false,
        }
    }
}

/// The step (index into [`STEPS`]) a page at `path` is at, or `None` off the procedure.
/// `runbook_chosen` is the catalog's `?runbook=` (its details are open).
pub fn current_step(path: &str, runbook_chosen: bool, form: FormProgress) -> Option<usize> {
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    match segments.as_slice() {
        ["automation"] => Some(0),
        ["automation", "execute"] if runbook_chosen => Some(2),
        ["automation", "execute"] => Some(1),
        ["automation", "execute", _] if form.inputs_complete => Some(5),
        ["automation", "execute", _] if form.inputs_started => Some(4),
        ["automation", "execute", _] => Some(3),
        ["automation", "executions", _, ..] => Some(6),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_page_of_the_flow_is_at_its_step_and_others_at_none() {
        let none = FormProgress::default();
        assert_eq!(current_step("/automation", false, none), Some(0));
        assert_eq!(current_step("/automation/execute", false, none), Some(1));
        assert_eq!(current_step("/automation/execute", true, none), Some(2));
        assert_eq!(
            current_step("/automation/execute/AWS-RestartEC2Instance", false, none),
            Some(3)
        );
        assert_eq!(
            current_step("/automation/executions/abc/steps/def", false, none),
            Some(6)
        );
        assert_eq!(current_step("/automation/approvals", false, none), None);
        assert_eq!(current_step("/audit", false, none), None);
    }

    #[test]
    fn the_wizard_moves_on_as_its_form_is_filled() {
        let wizard = "/automation/execute/AWS-RestartEC2Instance";
        let started = FormProgress::from_query([("mode", "simple"), ("p.InstanceId", "i-1")]);
        assert_eq!(current_step(wizard, false, started), Some(4));
        let empty = FormProgress::from_query([("mode", "simple"), ("p.InstanceId", "")]);
        assert_eq!(current_step(wizard, false, empty), Some(3));
        let complete = FormProgress {
            inputs_started: true,
            inputs_complete: true,
        };
        assert_eq!(current_step(wizard, false, complete), Some(5));
    }
}
