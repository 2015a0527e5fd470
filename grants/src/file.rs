//! The grants file: TOML, one `[[grant]]` table per grant, checked whole when it is read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::grant::{is_arn, Grant, Members, Visibility, MODES, NOTIFY_EVENTS};

/// Every grant of the file, in the file's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    pub grants: Vec<Grant>,
    /// Who may read the audit trail, besides admins.
    pub auditors: Members,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantsError {
    #[error("cannot read the grants file {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("the grants file {path} is not valid TOML or has unknown keys: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("the grants file {path} has {} mistake(s); nothing in it was applied:\n  - {}", .mistakes.len(), .mistakes.join("\n  - "))]
    Invalid {
        path: PathBuf,
        mistakes: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    #[serde(default)]
    grant: Vec<Grant>,
    #[serde(default)]
    auditors: Members,
}

impl Grants {
    pub fn read(path: &Path) -> Result<Self, GrantsError> {
        let text = std::fs::read_to_string(path).map_err(|e| GrantsError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        Self::parse(path, &text)
    }

    /// `path` names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, GrantsError> {
        let file: FileText = toml::from_str(text).map_err(|e| GrantsError::Syntax {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let mut mistakes = check(&file.grant);
        if file
            .auditors
            .users
            .iter()
            .chain(&file.auditors.groups)
            .any(|w| w.trim().is_empty())
        {
            mistakes.push("auditors: an empty user or group name: remove it".into());
        }
        if mistakes.is_empty() {
            Ok(Self {
                grants: file.grant,
                auditors: file.auditors,
            })
        } else {
            Err(GrantsError::Invalid {
                path: path.to_owned(),
                mistakes,
            })
        }
    }
}

/// The parts of an ARN pattern of `service`: `arn:<partition>:<service>:<Region>:<account>:<resource>`,
/// the account 12 digits or `*`; `None` when it is not one.
fn arn_pattern<'a>(text: &'a str, service: &str) -> Option<(&'a str, &'a str)> {
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(named), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let account_ok =
        account == "*" || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()));
    (named == service && account_ok).then_some((region, resource))
}

/// A runbook ARN pattern: `arn:<partition>:ssm:<Region>:<account>:document/<name>`, the Region a
/// name or `*`.
fn is_document_arn_pattern(text: &str) -> bool {
    arn_pattern(text, "ssm").is_some_and(|(region, resource)| {
        !region.is_empty()
            && resource.len() > "document/".len()
            && resource.starts_with("document/")
    })
}

fn is_account_pattern(text: &str) -> bool {
    let wild = |c: char| c == '*' || c == '?';
    (text.len() == 12 && text.chars().all(|c| c.is_ascii_digit() || wild(c)))
        || (text.starts_with("ou-") && text.len() > 3)
        || text == "*"
}

/// An IAM role ARN pattern (IAM ARNs name no Region).
fn is_role_pattern(text: &str) -> bool {
    arn_pattern(text, "iam").is_some_and(|(region, resource)| {
        region.is_empty() && resource.len() > "role/".len() && resource.starts_with("role/")
    })
}

impl Grants {
    /// Who may approve a start under `grant`, as the pages word it (administrators always may).
    pub fn approvers_of(&self, grant: &str) -> String {
        let Some(approval) = self
            .grants
            .iter()
            .find(|g| g.name == grant)
            .and_then(|g| g.approval.as_ref())
        else {
            return "administrators".into();
        };
        let mut names: Vec<String> = approval
            .groups
            .iter()
            .map(|g| format!("group {g}"))
            .collect();
        names.extend(approval.users.iter().cloned());
        names.push("administrators".into());
        names.join(", ")
    }

    /// What the file now means where it says nothing, for the log: a file written before these
    /// keys existed keeps working with the safe defaults, and its operator learns what they are.
    pub fn notices(&self) -> Vec<String> {
        let mut notices = Vec::new();
        for grant in &self.grants {
            let name = &grant.name;
            if grant.executions == Visibility::All && grant.control.is_none() {
                notices.push(format!(
                    "grant {name:?} shows everyone's executions but lets its users cancel, step \
                     and resume only their own: add control = \"all\" to let them control \
                     others'"
                ));
            }
            if grant.modes.iter().any(|m| m == "multi-account") && grant.multi_account.is_none() {
                notices.push(format!(
                    "grant {name:?} allows multi-account runs but names no accounts, Regions or \
                     execution roles: such runs are refused until it has multi_account = \
                     {{ accounts = [...], regions = [...], execution_roles = [...] }}"
                ));
            }
            if grant.approval.is_none() && grant.step_approvers.is_none() {
                notices.push(format!(
                    "grant {name:?} names no step_approvers: the aws:approve steps of its \
                     runbooks are decided in the portal by administrators only (never by the \
                     person who started the execution)"
                ));
            }
        }
        if self
            .grants
            .iter()
            .flat_map(|g| &g.runbooks)
            .any(|r| !is_arn(r))
        {
            notices.push(
                "runbook names in grants match only the runbooks of the portal's own account and \
                 Amazon's: a runbook another account shares is granted by its ARN"
                    .into(),
            );
        }
        notices
    }
}

/// Every mistake in the grants, each naming its grant and saying what to write instead.
fn check(grants: &[Grant]) -> Vec<String> {
    let mut mistakes = Vec::new();
    let mut names = BTreeSet::new();
    for (i, grant) in grants.iter().enumerate() {
        let which = if grant.name.trim().is_empty() {
            format!("grant {}", i + 1)
        } else {
            format!("grant {} ({:?})", i + 1, grant.name)
        };
        let mut fail = |message: String| mistakes.push(format!("{which}: {message}"));
        if grant.name.trim().is_empty() {
            fail("name is empty: give every grant a name users will recognise".into());
        } else if !names.insert(grant.name.as_str()) {
            fail("another grant has the same name: names must be unique".into());
        }
        if grant.users.is_empty() && grant.groups.is_empty() {
            fail("it is for nobody: list users = [...] or groups = [...]".into());
        }
        if grant
            .users
            .iter()
            .chain(&grant.groups)
            .any(|w| w.trim().is_empty())
        {
            fail("an empty user or group name: remove it".into());
        }
        if grant.runbooks.is_empty() || grant.runbooks.iter().any(|r| r.trim().is_empty()) {
            fail("runbooks must list runbook names or patterns, such as \"AWS-Restart*\"".into());
        }
        for runbook in grant
            .runbooks
            .iter()
            .filter(|r| is_arn(r) && !is_document_arn_pattern(r))
        {
            fail(format!(
                "{runbook:?} is not a runbook ARN: give one such as \
                 \"arn:aws:ssm:*:111122223333:document/TeamA-*\" (another account's runbook), or \
                 the bare name for your own account's and Amazon's"
            ));
        }
        if let Some(members) = &grant.step_approvers {
            if members.is_empty() {
                fail(
                    "step_approvers is for nobody: list users = [...] or groups = [...], or \
                     leave it out"
                        .into(),
                );
            }
        }
        if let Some(multi) = &grant.multi_account {
            for account in multi.accounts.iter().filter(|a| !is_account_pattern(a)) {
                fail(format!(
                    "multi_account: {account:?} is not an account id (12 digits) or an \
                     organizational unit (ou-…)"
                ));
            }
            if multi
                .regions
                .iter()
                .chain(&multi.execution_roles)
                .any(|r| r.trim().is_empty())
            {
                fail("multi_account: an empty Region or execution role: remove it".into());
            }
        }
        if let Some(version) = &grant.version {
            if version.is_empty() || !version.chars().all(|c| c.is_ascii_digit()) {
                fail(format!(
                    "version {version:?} is not a version number: give one such as \"3\" \
                     ($DEFAULT and $LATEST move, so they cannot be granted)"
                ));
            }
        }
        if grant.roles.is_empty() {
            fail("roles is empty: list the AutomationAssumeRole ARNs this grant allows".into());
        }
        for role in grant.roles.iter().filter(|r| !is_role_pattern(r)) {
            fail(format!(
                "{role:?} is not a role ARN: give one such as \
                 \"arn:aws:iam::123456789012:role/RestartWebServers\" (* and ? may stand for text)"
            ));
        }
        if grant.modes.is_empty() {
            fail(format!(
                "modes is empty: list one or more of {}",
                MODES.join(", ")
            ));
        }
        for mode in grant.modes.iter().filter(|m| !MODES.contains(&m.as_str())) {
            fail(format!(
                "mode {mode:?} is unknown: use {}",
                MODES.join(", ")
            ));
        }
        if let Some(approval) = &grant.approval {
            if approval.members().is_empty() {
                fail(
                    "approval is for nobody: list the approvers, approval = { groups = [...] } \
                     or users = [...]"
                        .into(),
                );
            }
            if approval
                .users
                .iter()
                .chain(&approval.groups)
                .any(|w| w.trim().is_empty())
            {
                fail("an empty approver name: remove it".into());
            }
        }
        for notify in &grant.notify {
            if notify.endpoint.trim().is_empty() {
                fail("notify: endpoint is empty: name an endpoint of [[notifications.endpoint]] in the portal's configuration".into());
            }
            if notify.events.is_empty() {
                fail(format!(
                    "notify: events is empty: list one or more of {}",
                    NOTIFY_EVENTS.join(", ")
                ));
            }
            for event in notify
                .events
                .iter()
                .filter(|e| !NOTIFY_EVENTS.contains(&e.as_str()))
            {
                fail(format!(
                    "notify: event {event:?} is unknown: use {}",
                    NOTIFY_EVENTS.join(", ")
                ));
            }
        }
        for (parameter, rule) in &grant.parameters {
            let mut fail_on = |message: &str| {
                mistakes.push(format!("{which}: parameter {parameter}: {message}"));
            };
            if parameter == "AutomationAssumeRole" {
                fail_on("the role is granted by roles = [...], not as a parameter");
            } else if !rule.restricts() {
                fail_on("give fixed = \"value\", hidden = true or allowed = [...]");
            } else if rule.fixed.is_some() && !rule.allowed.is_empty() {
                fail_on("fixed and allowed together: a fixed value leaves nothing to choose");
            } else if rule.hidden && !rule.allowed.is_empty() {
                fail_on("hidden and allowed together: a hidden field cannot be chosen");
            }
        }
    }
    mistakes
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Grants, GrantsError> {
        Grants::parse(Path::new("grants.toml"), text)
    }

    #[test]
    fn a_grant_reads_with_its_defaults() {
        let grants = parse(
            r#"
            [[grant]]
            name = "Web restarts"
            groups = ["web"]
            runbooks = ["AWS-Restart*"]
            roles = ["arn:aws:iam::123456789012:role/Restart"]

            [grant.parameters.WarmUp]
            fixed = "PT1M"
            hidden = true
            "#,
        )
        .expect("valid");
        let grant = &grants.grants[0];
        assert_eq!(grant.modes, ["simple"]);
        assert_eq!(grant.executions, crate::Visibility::Own);
        assert!(grant.covers("AWS-RestartEC2Instance") && !grant.covers("AWS-StopEC2Instance"));
        assert_eq!(
            grant.fixed_values().collect::<Vec<_>>(),
            [("WarmUp", "PT1M")]
        );
    }

    #[test]
    fn every_mistake_is_listed_with_its_grant_and_what_to_write() {
        let err = parse(
            r#"
            [[grant]]
            name = "A"
            runbooks = []
            version = "$LATEST"
            roles = ["RestartRole"]
            modes = ["fast"]
            [grant.parameters.AutomationAssumeRole]
            fixed = "x"
            [grant.parameters.Level]
            fixed = "1"
            allowed = ["1", "2"]

            [[grant]]
            name = "A"
            users = ["ann"]
            runbooks = ["X"]
            roles = []
            approval = {}
            [[grant.notify]]
            endpoint = "ops"
            events = ["execution-ended"]
            "#,
        )
        .expect_err("mistakes");
        let text = err.to_string();
        for expected in [
            "grant 1 (\"A\"): it is for nobody",
            "runbooks must list",
            "version \"$LATEST\" is not a version number",
            "notify: event \"execution-ended\" is unknown: use approval-waiting",
            "\"RestartRole\" is not a role ARN",
            "mode \"fast\" is unknown: use simple, rate-control, multi-account, manual",
            "parameter AutomationAssumeRole: the role is granted by roles",
            "parameter Level: fixed and allowed together",
            "grant 2 (\"A\"): another grant has the same name",
            "grant 2 (\"A\"): roles is empty",
            "grant 2 (\"A\"): approval is for nobody",
            "nothing in it was applied",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn approvers_and_auditors_are_named_by_user_or_group() {
        let grants = parse(
            r#"
            [auditors]
            groups = ["compliance"]
            users = ["ivy"]

            [[grant]]
            name = "Database restarts"
            groups = ["dba"]
            runbooks = ["Restart-Database"]
            roles = ["arn:aws:iam::123456789012:role/Restart"]
            approval = { groups = ["leads"], users = ["dora"] }
            "#,
        )
        .expect("valid");
        let grant = &grants.grants[0];
        assert!(grant.needs_approval());
        assert!(grant.approved_by("lee", &["leads".to_owned()]));
        assert!(grant.approved_by("dora", &[]));
        assert!(!grant.approved_by("dan", &["dba".to_owned()]));
        assert!(grants.auditors.includes("ivy", &[]));
        assert!(grants.auditors.includes("cy", &["compliance".to_owned()]));
        assert!(!grants.auditors.includes("dan", &["dba".to_owned()]));
    }

    #[test]
    fn a_typo_in_a_key_is_refused_with_its_line() {
        let err =
            parse("[[grant]]\nname = \"A\"\ngroup = [\"web\"]\nrunbooks = [\"X\"]\nroles = []\n")
                .expect_err("typo");
        let text = err.to_string();
        assert!(
            text.contains("unknown field `group`") && text.contains("line 3"),
            "{text}"
        );
    }

    #[test]
    fn role_patterns_take_wildcards_but_must_be_role_arns() {
        assert!(is_role_pattern("arn:aws:iam::123456789012:role/Restart*"));
        assert!(is_role_pattern("arn:aws:iam::*:role/service-role/X"));
        assert!(!is_role_pattern("arn:aws:iam::123:role/X"));
        assert!(!is_role_pattern("arn:aws:iam::123456789012:user/X"));
        assert!(!is_role_pattern("arn:aws:iam::123456789012:role/"));
    }
}
