//! One grant: a self-contained tuple of who × runbooks [× version] × roles × modes × parameter
//! constraints × which executions they see.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wildmatch::WildMatch;

/// The execution modes, by the keys the wizard's form uses.
pub const MODES: [&str; 4] = ["simple", "rate-control", "multi-account", "manual"];

/// A mode's name as the console shows it.
pub fn mode_label(key: &str) -> &str {
    match key {
        "simple" => "Simple execution",
        "rate-control" => "Rate control",
        "multi-account" => "Multi-account and Region",
        "manual" => "Manual execution",
        other => other,
    }
}

/// Whose executions of its runbooks a grant lets its users see (`executions`) or control
/// (`control`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Only those the user started (and their child executions).
    #[default]
    Own,
    /// Everyone's.
    All,
}

/// The execution role multi-account runs assume in each target account when the form names none.
pub const DEFAULT_EXECUTION_ROLE: &str = "AWS-SystemsManager-AutomationExecutionRole";

/// How a grant constrains one input parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterRule {
    /// The only value the parameter may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// Not shown and not given by the user: the fixed value, or the runbook's default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// The values the user may choose among (narrower than the runbook's own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
}

/// A rule as the user's browser gets it: the value of a hidden parameter stays on the server (it
/// may be a secret, and the form never shows it anyway).
impl Serialize for ParameterRule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            fixed: Option<&'a String>,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            hidden: bool,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            allowed: &'a [String],
        }
        Shown {
            fixed: self.fixed.as_ref().filter(|_| !self.hidden),
            hidden: self.hidden,
            allowed: &self.allowed,
        }
        .serialize(serializer)
    }
}

impl ParameterRule {
    /// Whether the rule narrows what the parameter may be.
    pub fn restricts(&self) -> bool {
        self.fixed.is_some() || self.hidden || !self.allowed.is_empty()
    }
}

/// Some people, by name and by group: a grant's approvers, or the auditors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Members {
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

impl Members {
    pub fn includes(&self, user: &str, groups: &[String]) -> bool {
        self.users.iter().any(|u| u == user) || self.groups.iter().any(|g| groups.contains(g))
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty()
    }
}

/// A grant's four-eyes approvers, and whether they may also control the runs they approved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// Approvers may cancel, step and resume an execution they approved (they always follow it).
    #[serde(default)]
    pub control: bool,
}

impl Approval {
    pub fn members(&self) -> Members {
        Members {
            users: self.users.clone(),
            groups: self.groups.clone(),
        }
    }
}

/// The notification events a grant's `notify` entries may name (the portal's words for them).
pub const NOTIFY_EVENTS: [&str; 7] = [
    "approval-waiting",
    "approval-decided",
    "execution-succeeded",
    "execution-failed",
    "step-waiting",
    "execution-overdue",
    "schedule-paused",
];

/// A team channel every run (or request) under a grant is told to: an endpoint the portal's
/// configuration names (`[[notifications.endpoint]]`), and the events it gets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    pub endpoint: String,
    pub events: Vec<String>,
}

/// Where a multi-account and Region run under a grant may go. Nothing is allowed that is not
/// listed: a grant without this table allows no multi-account run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiAccount {
    /// Account ids and organizational units (`ou-…`); `*` and `?` as in `runbooks`.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Region names (`us-east-1`, `eu-*`).
    #[serde(default)]
    pub regions: Vec<String>,
    /// The role names the run may assume in each target account (default
    /// `AWS-SystemsManager-AutomationExecutionRole` when the form names none).
    #[serde(default)]
    pub execution_roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// Shown to the user and in refusals, e.g. "Web team restarts web servers".
    pub name: String,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// Runbook names, which name the runbooks of the portal's own account and Amazon's; a
    /// runbook another account shares is named by its ARN
    /// (`arn:aws:ssm:*:111122223333:document/TeamA-*`). `*` and `?` match any text and any one
    /// character.
    pub runbooks: Vec<String>,
    /// The one version (a number) these runbooks may be run at; any version when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The `AutomationAssumeRole` ARNs allowed (with `*` and `?` as in `runbooks`).
    pub roles: Vec<String>,
    #[serde(default = "simple_only")]
    pub modes: Vec<String>,
    #[serde(default)]
    pub parameters: BTreeMap<String, ParameterRule>,
    #[serde(default)]
    pub executions: Visibility,
    /// Whose executions its users may cancel, step, complete and resume: their own unless this
    /// says `all` (the file gives no default so that the log can say what an old file now means).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<Visibility>,
    /// Four eyes: a start waits in the portal until one of these (not the requester) approves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// Who may approve or reject the `aws:approve` steps of its runbooks' executions in the portal
    /// (never the person who started the execution); the `approval` members when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_approvers: Option<Members>,
    /// Where multi-account and Region runs may go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_account: Option<MultiAccount>,
    /// Team channels told of its runs and requests. Not sent to browsers: endpoint names are
    /// the operator's.
    #[serde(default, skip_serializing)]
    pub notify: Vec<Notify>,
    /// Whether its starts may be scheduled (a schedule runs as its owner under this grant).
    /// Default deny, as everything else: a grant says so.
    #[serde(default)]
    pub schedules: bool,
}

fn simple_only() -> Vec<String> {
    vec!["simple".to_owned()]
}

pub(crate) fn matches_any(patterns: &[String], text: &str) -> bool {
    patterns.iter().any(|p| WildMatch::new(p).matches(text))
}

/// Whether a runbook pattern names runbooks by ARN (another account's) rather than by name.
pub(crate) fn is_arn(pattern: &str) -> bool {
    pattern.starts_with("arn:")
}

impl Grant {
    pub fn is_for(&self, user: &str, groups: &[String]) -> bool {
        self.users.iter().any(|u| u == user) || self.groups.iter().any(|g| groups.contains(g))
    }

    /// Whether a start under this grant waits for an approver.
    pub fn needs_approval(&self) -> bool {
        self.approval.is_some()
    }

    /// Whether `user` may approve starts under this grant (never their own: the caller checks).
    pub fn approved_by(&self, user: &str, groups: &[String]) -> bool {
        self.approval
            .as_ref()
            .is_some_and(|a| a.members().includes(user, groups))
    }

    /// Whether `user` may decide the `aws:approve` steps of this grant's runbooks (never of an
    /// execution they started: the caller checks).
    pub fn step_approved_by(&self, user: &str, groups: &[String]) -> bool {
        match &self.step_approvers {
            Some(members) => members.includes(user, groups),
            None => self.approved_by(user, groups),
        }
    }

    /// Whose executions of its runbooks its users may control.
    pub fn controls(&self) -> Visibility {
        self.control.unwrap_or_default()
    }

    /// Whether the grant covers the runbook SSM knows as `reference`: a name for the portal's
    /// own account's runbooks and Amazon's, an ARN for one another account shares. A name pattern
    /// never matches another account's runbook, however its name reads.
    pub fn covers(&self, reference: &str) -> bool {
        let by_arn = is_arn(reference);
        self.runbooks
            .iter()
            .filter(|p| is_arn(p) == by_arn)
            .any(|p| WildMatch::new(p).matches(reference))
    }

    /// Whether `given`, a runbook as someone names it (a name or an ARN, before SSM resolves
    /// it), could turn out to be one this grant covers. Wider than `covers`: a bare name may
    /// resolve to another account's runbook, and an ARN may be of the portal's own account.
    pub fn might_cover(&self, given: &str) -> bool {
        let document = |text: &'_ str| -> String {
            match text.split_once(":document/") {
                Some((_, name)) if is_arn(text) => name.to_owned(),
                _ => text.to_owned(),
            }
        };
        let given_name = document(given);
        self.covers(given)
            || self
                .runbooks
                .iter()
                .any(|p| WildMatch::new(&document(p)).matches(&given_name))
    }

    pub fn allows_role(&self, arn: &str) -> bool {
        matches_any(&self.roles, arn)
    }

    pub fn allows_mode(&self, mode: &str) -> bool {
        self.modes.iter().any(|m| m == mode)
    }

    pub fn rule(&self, parameter: &str) -> Option<&ParameterRule> {
        self.parameters.get(parameter)
    }

    /// The values this grant puts in for parameters the user does not give: fixed ones.
    pub fn fixed_values(&self) -> impl Iterator<Item = (&str, &str)> {
        self.parameters
            .iter()
            .filter_map(|(name, rule)| Some((name.as_str(), rule.fixed.as_deref()?)))
    }
}
