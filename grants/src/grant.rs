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

/// Which executions of its runbooks a grant shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Only those the user started (and their child executions).
    #[default]
    Own,
    /// Everyone's.
    All,
}

/// How a grant constrains one input parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// Shown to the user and in refusals, e.g. "Web team restarts web servers".
    pub name: String,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// Runbook names; `*` and `?` match any text and any one character.
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
    /// Four eyes: a start waits in the portal until one of these (not the requester) approves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Members>,
}

fn simple_only() -> Vec<String> {
    vec!["simple".to_owned()]
}

fn matches_any(patterns: &[String], text: &str) -> bool {
    patterns.iter().any(|p| WildMatch::new(p).matches(text))
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
            .is_some_and(|a| a.includes(user, groups))
    }

    pub fn covers(&self, runbook: &str) -> bool {
        matches_any(&self.runbooks, runbook)
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
