//! Runbooks as the portal shows them: summaries for the catalog, details for the wizard. Built on
//! both sides; the server fills them from SSM.

use serde::{Deserialize, Serialize};

use grants::Grant;

/// How many runbooks a catalog page lists.
pub const PAGE_SIZE: usize = 10;

/// The catalog's order: the viewer's starred runbooks first, then by name. The server orders the
/// whole list so before cutting it into pages; a page's star toggles reorder the page so.
pub fn catalog_order(runbooks: &mut [RunbookSummary]) {
    runbooks.sort_by(|a, b| b.starred.cmp(&a.starred).then_with(|| a.name.cmp(&b.name)));
}

/// One row of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookSummary {
    pub name: String,
    /// `Amazon`, or the owning account's id.
    pub owner: String,
    pub platform_types: Vec<String>,
    pub default_version: String,
    pub description: String,
    pub categories: Vec<String>,
    /// The viewer starred it: their catalog lists it first.
    #[serde(default)]
    pub starred: bool,
}

/// A page of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPage {
    pub runbooks: Vec<RunbookSummary>,
    /// Every category among the listed runbooks' (before the category filter), for the filter pane.
    pub categories: Vec<String>,
    pub page: usize,
    pub pages: usize,
    pub total: usize,
}

/// A runbook's parameter, as its content declares it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParameterSpec {
    pub name: String,
    /// `String`, `StringList`, `Integer`, `Boolean`, `StringMap`, `MapList`, `AWS::EC2::Instance::Id`, …
    pub kind: String,
    pub description: String,
    /// The default as form text (lists one item per line); `None` when the parameter is required.
    pub default: Option<String>,
    pub allowed_values: Vec<String>,
    pub allowed_pattern: Option<String>,
    /// `textarea` or `textfield`.
    pub display_type: Option<String>,
    pub min_items: Option<u32>,
    pub max_items: Option<u32>,
    pub min_chars: Option<u32>,
    pub max_chars: Option<u32>,
    /// Its name matches the portal's secret patterns: entered masked, shown as `********`.
    #[serde(default)]
    pub secret: bool,
}

impl ParameterSpec {
    pub fn is_required(&self) -> bool {
        self.default.is_none()
    }

    pub fn is_list(&self) -> bool {
        self.kind == "StringList" || self.kind == "MapList" || self.kind.starts_with("List<")
    }

    /// The role the automation acts as, picked from IAM roles.
    pub fn is_assume_role(&self) -> bool {
        self.name == "AutomationAssumeRole"
    }

    pub fn is_instance_id(&self) -> bool {
        self.kind == "AWS::EC2::Instance::Id"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSummary {
    pub name: String,
    pub action: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub number: String,
    pub is_default: bool,
    pub created: String,
}

/// Everything the details panel and the wizard need of one version of a runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookDetails {
    pub name: String,
    /// How StartAutomationExecution names it: the name, or the ARN of a shared runbook.
    pub reference: String,
    pub owner: String,
    pub version: String,
    pub default_version: String,
    pub latest_version: String,
    pub versions: Vec<VersionInfo>,
    /// The description rendered from Markdown, with raw HTML and unsafe links neutralised.
    pub description_html: String,
    pub parameters: Vec<ParameterSpec>,
    pub steps: Vec<StepSummary>,
    pub content_json: String,
    pub content_yaml: String,
    /// The identity the automation acts as: the content's top-level `assumeRole` (usually
    /// `{{ AutomationAssumeRole }}`), empty when it has none.
    #[serde(default)]
    pub assume_role: String,
    pub categories: Vec<String>,
    pub platform_types: Vec<String>,
    pub target_type: Option<String>,
}

impl RunbookDetails {
    /// Whether the automation acts as the role its `AutomationAssumeRole` parameter names (the
    /// one parameter grants constrain), rather than as a role fixed in its content or as the
    /// portal itself.
    pub fn acts_as_the_role_parameter(&self) -> bool {
        let role = self.assume_role.trim();
        let parameter = role
            .strip_prefix("{{")
            .and_then(|r| r.strip_suffix("}}"))
            .map(str::trim);
        parameter == Some("AutomationAssumeRole")
            && self.parameters.iter().any(ParameterSpec::is_assume_role)
    }
}

/// An IAM role for the AutomationAssumeRole picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChoice {
    pub name: String,
    pub arn: String,
    pub description: String,
    /// Whether the role's trust policy lets Systems Manager (`ssm.amazonaws.com`) assume it.
    pub ssm_can_assume: bool,
}

/// An EC2 instance for instance-id parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceChoice {
    pub id: String,
    pub name: String,
    pub state: String,
}

impl InstanceChoice {
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            format!("{} ({})", self.id, self.state)
        } else {
            format!("{} — {} ({})", self.name, self.id, self.state)
        }
    }
}

/// The runbook's parameters as `grant` lets the user fill them in: hidden ones left out, fixed
/// ones offered as their one value, narrowed ones as the allowed values.
pub fn shaped(specs: &[ParameterSpec], grant: Option<&Grant>) -> Vec<ParameterSpec> {
    let Some(grant) = grant else {
        return specs.to_vec();
    };
    specs
        .iter()
        .filter_map(|spec| {
            if spec.is_assume_role() {
                // Under a grant the automation always runs as one of the grant's roles.
                let mut spec = spec.clone();
                spec.default = None;
                return Some(spec);
            }
            let Some(rule) = grant.rule(&spec.name) else {
                return Some(spec.clone());
            };
            if rule.hidden {
                return None;
            }
            let mut spec = spec.clone();
            if let Some(fixed) = &rule.fixed {
                spec.allowed_values = vec![fixed.clone()];
                spec.default = Some(fixed.clone());
            } else if !rule.allowed.is_empty() {
                let runbook_allows = spec.allowed_values.clone();
                spec.allowed_values = rule
                    .allowed
                    .iter()
                    .filter(|v| runbook_allows.is_empty() || runbook_allows.contains(v))
                    .cloned()
                    .collect();
            }
            Some(spec)
        })
        .collect()
}
