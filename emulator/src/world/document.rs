//! SSM documents: a name, an owner, sharing, and numbered versions of content.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::runbook::{self, Format};

#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    /// `Amazon`, or the owning account's id.
    pub owner: String,
    pub created: SystemTime,
    pub document_type: String,
    pub platform_types: Vec<String>,
    pub target_type: Option<String>,
    /// Category ids (`InstanceManagement`, …).
    pub categories: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// Accounts the document is shared with (`all` for public).
    pub shared_with: Vec<String>,
    pub default_version: u32,
    pub versions: Vec<DocumentVersion>,
}

#[derive(Debug, Clone)]
pub struct DocumentVersion {
    pub number: u32,
    pub created: SystemTime,
    pub version_name: Option<String>,
    pub format: Format,
    /// The content as it was submitted.
    pub content: String,
    /// The content as a JSON tree.
    pub tree: Value,
    pub hash: String,
}

impl DocumentVersion {
    pub fn new(
        number: u32,
        created: SystemTime,
        content: String,
        format: Format,
        tree: Value,
        version_name: Option<String>,
    ) -> Self {
        let hash = Sha256::digest(content.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            number,
            created,
            version_name,
            format,
            content,
            tree,
            hash,
        }
    }

    /// The content in `format`, converted if it was stored in the other one.
    pub fn content_in(&self, format: Format) -> String {
        if format == self.format {
            self.content.clone()
        } else {
            runbook::render(&self.tree, format)
        }
    }
}

impl Document {
    pub fn latest(&self) -> &DocumentVersion {
        // A document always has at least one version.
        self.versions
            .last()
            .unwrap_or_else(|| unreachable!("document {} has no versions", self.name))
    }

    pub fn latest_number(&self) -> u32 {
        self.latest().number
    }

    pub fn version(&self, number: u32) -> Option<&DocumentVersion> {
        self.versions.iter().find(|v| v.number == number)
    }

    /// Resolves `$DEFAULT`, `$LATEST`, a number, or nothing (the default).
    pub fn resolve(&self, requested: Option<&str>) -> Option<&DocumentVersion> {
        match requested {
            None | Some("$DEFAULT") => self.version(self.default_version),
            Some("$LATEST") => Some(self.latest()),
            Some(number) => self.version(number.parse().ok()?),
        }
    }

    pub fn by_version_name(&self, name: &str) -> Option<&DocumentVersion> {
        self.versions
            .iter()
            .find(|v| v.version_name.as_deref() == Some(name))
    }

    pub fn is_shared_with(&self, account: &str) -> bool {
        self.shared_with.iter().any(|a| a == account || a == "all")
    }
}

/// The console's display name of a category id.
pub fn category_name(id: &str) -> &str {
    match id {
        "InstanceManagement" => "Instance management",
        "CostManagement" => "Cost management",
        "DataBackup" => "Data backup",
        "Patching" => "Patching",
        "Remediation" => "Remediation",
        "Security" => "Security",
        "Troubleshooting" => "Troubleshooting",
        "SelfServiceSupportWorkflows" => "Self-service support workflows",
        "ApplicationManagement" => "Application management",
        "Others" => "Others",
        other => other,
    }
}
