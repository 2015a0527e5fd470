//! What the server says of the wizard's form while it is filled in: its mistakes, field by field,
//! and the equivalent commands in each shell. The browser asks for it as the form changes, so the
//! checks and the commands live in one place, the server's, and the page's code carries neither.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::wizard::cli::{describe_command, start_command, Shell};
use crate::wizard::StartRequest;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormCheck {
    /// The form's mistakes, field by field (none when it is complete).
    pub errors: Vec<FieldError>,
    /// The commands, one entry per shell in the order the guide prints them.
    pub commands: Vec<ShellCommands>,
}

/// The commands for one shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellCommands {
    /// `unix`, `windows` or `powershell`.
    pub shell: String,
    pub label: String,
    /// The start, or a comment that says why there is none yet.
    pub start: String,
    /// The command that lists the runbook's executions.
    pub describe: String,
}

impl FormCheck {
    /// A form that makes `request` (its secret values masked already); `document` is the
    /// runbook's name as the user knows it.
    pub fn ready(document: &str, request: &StartRequest) -> Self {
        Self::with(document, Vec::new(), |shell| start_command(request, shell))
    }

    /// A form with mistakes.
    pub fn mistakes(document: &str, errors: Vec<FieldError>) -> Self {
        let text = format!(
            "Complete the form to see the command ({} field{} to fix).",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        );
        Self::with(document, errors, |shell| comment(shell, &text))
    }

    /// A form that cannot be checked, for `why` (its runbook cannot be read).
    pub fn unchecked(document: &str, why: &str) -> Self {
        Self::with(document, Vec::new(), |shell| comment(shell, why))
    }

    fn with(document: &str, errors: Vec<FieldError>, start: impl Fn(Shell) -> String) -> Self {
        let commands = Shell::ALL
            .into_iter()
            .map(|shell| ShellCommands {
                shell: shell.key().to_owned(),
                label: shell.label().to_owned(),
                start: start(shell),
                describe: describe_command(document, shell),
            })
            .collect();
        Self { errors, commands }
    }
}

/// `text` on one comment line of `shell`.
fn comment(shell: Shell, text: &str) -> String {
    let line = text.replace(['\r', '\n'], " ");
    match shell {
        Shell::Windows => format!("REM {line}"),
        _ => format!("# {line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistakes_leave_a_comment_in_each_shell_and_count_the_fields() {
        let check = FormCheck::mistakes(
            "Restart",
            vec![FieldError {
                field: "p.InstanceId".into(),
                message: "InstanceId is required: enter a value.".into(),
            }],
        );
        let starts: Vec<&str> = check.commands.iter().map(|c| c.start.as_str()).collect();
        assert_eq!(
            starts,
            [
                "# Complete the form to see the command (1 field to fix).",
                "REM Complete the form to see the command (1 field to fix).",
                "# Complete the form to see the command (1 field to fix).",
            ]
        );
        assert_eq!(check.errors.len(), 1);
    }

    #[test]
    fn why_a_form_is_unchecked_stays_on_its_comment_line() {
        let check = FormCheck::unchecked("Restart", "The runbook Restart\nwas not found.");
        assert_eq!(
            check.commands[0].start,
            "# The runbook Restart was not found."
        );
        assert!(check.commands[2]
            .describe
            .starts_with("Get-SSMAutomationExecutionList"));
    }
}
