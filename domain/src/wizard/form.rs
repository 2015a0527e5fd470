//! The wizard's fields, read from and written to URL query pairs (`version=2&mode=rate-control&
//! p.InstanceId=i-…`), so a link reproduces a filled-in form.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    #[default]
    Simple,
    RateControl,
    MultiAccount,
    Manual,
}

impl Mode {
    pub const ALL: [Mode; 4] = [
        Mode::Simple,
        Mode::RateControl,
        Mode::MultiAccount,
        Mode::Manual,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Mode::Simple => "simple",
            Mode::RateControl => "rate-control",
            Mode::MultiAccount => "multi-account",
            Mode::Manual => "manual",
        }
    }

    pub fn from_key(key: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|m| m.key() == key)
            .unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::Simple => "Simple execution",
            Mode::RateControl => "Rate control",
            Mode::MultiAccount => "Multi-account and Region",
            Mode::Manual => "Manual execution",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Mode::Simple => "Run the runbook once, on the resources given in its input parameters.",
            Mode::RateControl => {
                "Run the runbook on many targets at once, with limits on concurrency and errors."
            }
            Mode::MultiAccount => "Run the runbook in several AWS accounts and Regions.",
            Mode::Manual => "Run the runbook step by step: each step waits for you to start it.",
        }
    }

    /// Modes that run the runbook on targets.
    pub fn has_targets(self) -> bool {
        matches!(self, Mode::RateControl | Mode::MultiAccount)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetKind {
    #[default]
    ParameterValues,
    Tags,
    ResourceGroup,
    AllInstances,
}

impl TargetKind {
    pub const ALL: [TargetKind; 4] = [
        TargetKind::ParameterValues,
        TargetKind::ResourceGroup,
        TargetKind::Tags,
        TargetKind::AllInstances,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TargetKind::ParameterValues => "parameter-values",
            TargetKind::Tags => "tags",
            TargetKind::ResourceGroup => "resource-group",
            TargetKind::AllInstances => "all-instances",
        }
    }

    pub fn from_key(key: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|t| t.key() == key)
            .unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            TargetKind::ParameterValues => "Parameter values",
            TargetKind::Tags => "Tags",
            TargetKind::ResourceGroup => "Resource group",
            TargetKind::AllInstances => "All instances",
        }
    }
}

/// A limit given as a number of targets (or errors) or as a percentage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    #[default]
    Count,
    Percent,
}

impl Unit {
    pub fn key(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Percent => "percent",
        }
    }

    pub fn from_key(key: &str) -> Self {
        if key == "percent" {
            Unit::Percent
        } else {
            Unit::Count
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardForm {
    pub document: String,
    /// The grant the user runs under, by name, when several cover the runbook (empty: the first).
    pub grant: String,
    /// Empty for the default version at runtime, `$LATEST`, or a version number.
    pub version: String,
    pub mode: Mode,
    /// Each parameter's text as typed (lists one item per line). Absent: not touched (default).
    pub parameters: BTreeMap<String, String>,
    pub target_parameter: String,
    pub targets: TargetKind,
    pub tag_key: String,
    pub tag_value: String,
    pub resource_group: String,
    pub concurrency: String,
    pub concurrency_unit: Unit,
    pub errors: String,
    pub errors_unit: Unit,
    pub accounts: String,
    pub regions: String,
    pub location_concurrency: String,
    pub location_concurrency_unit: Unit,
    pub location_errors: String,
    pub location_errors_unit: Unit,
    pub execution_role: String,
    pub alarm: String,
    /// `Key=Value`, one tag per line.
    pub tags: String,
}

/// The prefix of a parameter's key in the URL and the form.
pub const PARAMETER_PREFIX: &str = "p.";

impl WizardForm {
    /// The form as a page posts it: the runbook in its `document` field, the rest as in
    /// `from_pairs`.
    pub fn posted(fields: &std::collections::BTreeMap<String, String>) -> Self {
        let document = fields.get("document").map_or("", String::as_str);
        Self::from_pairs(
            document,
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
    }

    /// Reads the wizard from query (or form) pairs; unknown keys are ignored.
    pub fn from_pairs<'a>(
        document: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let mut form = WizardForm {
            document: document.to_owned(),
            ..WizardForm::default()
        };
        for (key, value) in pairs {
            let value = value.to_owned();
            if let Some(name) = key.strip_prefix(PARAMETER_PREFIX) {
                form.parameters.insert(name.to_owned(), value);
                continue;
            }
            match key {
                "version" => form.version = value,
                "grant" => form.grant = value,
                "mode" => form.mode = Mode::from_key(&value),
                "target-parameter" => form.target_parameter = value,
                "targets" => form.targets = TargetKind::from_key(&value),
                "tag-key" => form.tag_key = value,
                "tag-value" => form.tag_value = value,
                "resource-group" => form.resource_group = value,
                "concurrency" => form.concurrency = value,
                "concurrency-unit" => form.concurrency_unit = Unit::from_key(&value),
                "errors" => form.errors = value,
                "errors-unit" => form.errors_unit = Unit::from_key(&value),
                "accounts" => form.accounts = value,
                "regions" => form.regions = value,
                "location-concurrency" => form.location_concurrency = value,
                "location-concurrency-unit" => {
                    form.location_concurrency_unit = Unit::from_key(&value)
                }
                "location-errors" => form.location_errors = value,
                "location-errors-unit" => form.location_errors_unit = Unit::from_key(&value),
                "execution-role" => form.execution_role = value,
                "alarm" => form.alarm = value,
                "tags" => form.tags = value,
                _ => {}
            }
        }
        form
    }

    /// The pairs that reproduce this form, leaving out what is at its default.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut put = |key: &str, value: &str| {
            if !value.is_empty() {
                pairs.push((key.to_owned(), value.to_owned()));
            }
        };
        put("grant", &self.grant);
        put("version", &self.version);
        if self.mode != Mode::Simple {
            put("mode", self.mode.key());
        }
        if self.mode.has_targets() {
            put("target-parameter", &self.target_parameter);
            if self.targets != TargetKind::ParameterValues {
                put("targets", self.targets.key());
            }
            match self.targets {
                TargetKind::Tags => {
                    put("tag-key", &self.tag_key);
                    put("tag-value", &self.tag_value);
                }
                TargetKind::ResourceGroup => put("resource-group", &self.resource_group),
                _ => {}
            }
            put("concurrency", &self.concurrency);
            if self.concurrency_unit == Unit::Percent {
                put("concurrency-unit", "percent");
            }
            put("errors", &self.errors);
            if self.errors_unit == Unit::Percent {
                put("errors-unit", "percent");
            }
        }
        if self.mode == Mode::MultiAccount {
            put("accounts", &self.accounts);
            put("regions", &self.regions);
            put("location-concurrency", &self.location_concurrency);
            if self.location_concurrency_unit == Unit::Percent {
                put("location-concurrency-unit", "percent");
            }
            put("location-errors", &self.location_errors);
            if self.location_errors_unit == Unit::Percent {
                put("location-errors-unit", "percent");
            }
            put("execution-role", &self.execution_role);
        }
        put("alarm", &self.alarm);
        put("tags", &self.tags);
        for (name, value) in &self.parameters {
            pairs.push((format!("{PARAMETER_PREFIX}{name}"), value.clone()));
        }
        pairs
    }

    /// The wizard page's address with this form filled in.
    pub fn url(&self) -> String {
        let query: Vec<String> = self
            .to_pairs()
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let base = format!("/automation/execute/{}", encode(&self.document));
        if query.is_empty() {
            base
        } else {
            format!("{base}?{}", query.join("&"))
        }
    }
}

/// Every byte but the unreserved characters of RFC 3986 (`A-Z a-z 0-9 - _ . ~`).
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a URL component (everything but unreserved characters).
pub fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, COMPONENT).to_string()
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_survives_the_round_trip_through_its_url() {
        let form = WizardForm::from_pairs(
            "AWS-RestartEC2Instance",
            [
                ("version", "2"),
                ("mode", "rate-control"),
                ("target-parameter", "InstanceId"),
                ("targets", "tags"),
                ("tag-key", "Team"),
                ("tag-value", "web"),
                ("concurrency", "10"),
                ("concurrency-unit", "percent"),
                ("errors", "1"),
                ("p.AutomationAssumeRole", "arn:aws:iam::123456789012:role/A"),
                ("unknown", "ignored"),
            ],
        );
        assert_eq!(form.mode, Mode::RateControl);
        assert_eq!(form.concurrency_unit, Unit::Percent);
        let pairs = form.to_pairs();
        let back = WizardForm::from_pairs(
            "AWS-RestartEC2Instance",
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        assert_eq!(back, form);
        assert!(form
            .url()
            .starts_with("/automation/execute/AWS-RestartEC2Instance?version=2&mode=rate-control"));
        assert!(form
            .url()
            .contains("p.AutomationAssumeRole=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FA"));
    }
}
