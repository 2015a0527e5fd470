//! The emulator's starting state, from the YAML files in `emulator/seed/` (compiled in) or from a
//! directory given with `--seed` (whose files replace the built-in ones of the same name).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::{
    Account, Document, DocumentVersion, Instance, InstanceState, ManagedPolicy, Role, World,
};
use crate::identity::Principal;
use crate::policy::PolicyDocument;
use crate::runbook::{self, Format};

/// The built-in seed files, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("accounts.yaml", include_str!("../../seed/accounts.yaml")),
    ("policies.yaml", include_str!("../../seed/policies.yaml")),
    ("roles.yaml", include_str!("../../seed/roles.yaml")),
    ("instances.yaml", include_str!("../../seed/instances.yaml")),
    ("documents.yaml", include_str!("../../seed/documents.yaml")),
    (
        "documents/AWS-RestartEC2Instance.json",
        include_str!("../../seed/documents/AWS-RestartEC2Instance.json"),
    ),
    (
        "documents/AWS-StopEC2Instance.json",
        include_str!("../../seed/documents/AWS-StopEC2Instance.json"),
    ),
    (
        "documents/AWS-StartEC2Instance.json",
        include_str!("../../seed/documents/AWS-StartEC2Instance.json"),
    ),
    (
        "documents/AWS-StopEC2InstanceWithApproval.json",
        include_str!("../../seed/documents/AWS-StopEC2InstanceWithApproval.json"),
    ),
    (
        "documents/AWS-CreateImage.json",
        include_str!("../../seed/documents/AWS-CreateImage.json"),
    ),
    (
        "documents/Portal-RestartWithHealthCheck.v1.yaml",
        include_str!("../../seed/documents/Portal-RestartWithHealthCheck.v1.yaml"),
    ),
    (
        "documents/Portal-RestartWithHealthCheck.v2.yaml",
        include_str!("../../seed/documents/Portal-RestartWithHealthCheck.v2.yaml"),
    ),
    (
        "documents/Portal-RestartWithHealthCheck.v3.yaml",
        include_str!("../../seed/documents/Portal-RestartWithHealthCheck.v3.yaml"),
    ),
    (
        "documents/Portal-BranchByPlatform.yaml",
        include_str!("../../seed/documents/Portal-BranchByPlatform.yaml"),
    ),
    (
        "documents/Portal-PauseForReview.json",
        include_str!("../../seed/documents/Portal-PauseForReview.json"),
    ),
    (
        "documents/TeamA-StopTaggedInstances.json",
        include_str!("../../seed/documents/TeamA-StopTaggedInstances.json"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed file {path}: {message}")]
    File { path: String, message: String },
    #[error("seed: {0}")]
    Inconsistent(String),
}

fn file_error(path: &str, message: impl ToString) -> SeedError {
    SeedError::File {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

/// Where seed files come from.
struct Source<'a> {
    dir: Option<&'a Path>,
}

impl Source<'_> {
    fn read(&self, name: &str) -> Result<String, SeedError> {
        if let Some(path) = self.dir.map(|d| d.join(name)).filter(|p| p.exists()) {
            return std::fs::read_to_string(&path)
                .map_err(|e| file_error(&path.display().to_string(), e));
        }
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| (*text).to_owned())
            .ok_or_else(|| {
                file_error(
                    name,
                    "not found in the seed directory nor among the built-in files",
                )
            })
    }

    fn yaml<T: for<'de> Deserialize<'de>>(&self, name: &str) -> Result<T, SeedError> {
        runbook::from_yaml(&self.read(name)?).map_err(|e| file_error(name, e))
    }
}

fn format_of(name: &str) -> Format {
    if name.ends_with(".json") {
        Format::Json
    } else {
        Format::Yaml
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountsFile {
    accounts: Vec<AccountEntry>,
    regions: Vec<String>,
    default_access_key_id: String,
    principals: Vec<Principal>,
}

#[derive(Deserialize)]
struct AccountEntry {
    id: String,
}

#[derive(Deserialize)]
struct PolicyEntry {
    arn: String,
    path: String,
    description: Option<String>,
    document: PolicyDocument,
}

#[derive(Deserialize)]
struct RoleEntry {
    account: String,
    name: String,
    id: String,
    #[serde(default = "root_path")]
    path: String,
    description: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    created: OffsetDateTime,
    trust: PolicyDocument,
    #[serde(default)]
    inline: BTreeMap<String, PolicyDocument>,
    #[serde(default)]
    attached: Vec<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

fn root_path() -> String {
    "/".to_owned()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstanceEntry {
    account: String,
    region: String,
    instance_id: String,
    instance_type: String,
    image_id: String,
    platform: String,
    state: InstanceState,
    #[serde(with = "time::serde::rfc3339")]
    launched: OffsetDateTime,
    private_ip_address: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocumentEntry {
    name: String,
    owner: String,
    #[serde(with = "time::serde::rfc3339")]
    created: OffsetDateTime,
    #[serde(default = "automation")]
    document_type: String,
    #[serde(default)]
    platform_types: Vec<String>,
    target_type: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    shared_with: Vec<String>,
    default_version: Option<u32>,
    versions: Vec<String>,
}

fn automation() -> String {
    "Automation".to_owned()
}

/// Builds the starting world from the built-in seed, or from `dir` over it.
pub fn load(dir: Option<&Path>) -> Result<World, SeedError> {
    let source = Source { dir };
    let accounts: AccountsFile = source.yaml("accounts.yaml")?;
    let policies: Vec<PolicyEntry> = source.yaml("policies.yaml")?;
    let roles: Vec<RoleEntry> = source.yaml("roles.yaml")?;
    let instances: Vec<InstanceEntry> = source.yaml("instances.yaml")?;
    let documents: Vec<DocumentEntry> = source.yaml("documents.yaml")?;

    let mut world = World {
        default_access_key_id: accounts.default_access_key_id.clone(),
        principals: accounts.principals,
        ..World::default()
    };
    if world.principal_for(None).is_none() {
        return Err(SeedError::Inconsistent(format!(
            "accounts.yaml: defaultAccessKeyId {} is not among the principals",
            world.default_access_key_id
        )));
    }
    for account in &accounts.accounts {
        let entry = world
            .accounts
            .entry(account.id.clone())
            .or_insert_with(|| Account {
                id: account.id.clone(),
                ..Account::default()
            });
        for region in &accounts.regions {
            entry.regions.entry(region.clone()).or_default();
        }
    }
    let known_account = |id: &str, what: &str| {
        if accounts.accounts.iter().any(|a| a.id == id) {
            Ok(())
        } else {
            Err(SeedError::Inconsistent(format!(
                "{what} names account {id}, which accounts.yaml does not list"
            )))
        }
    };

    for policy in policies {
        let name = policy.arn.rsplit('/').next().unwrap_or_default().to_owned();
        world.managed_policies.insert(
            policy.arn.clone(),
            ManagedPolicy {
                id: format!("ANPA{}", &stable_id(&policy.arn)[..17]),
                arn: policy.arn,
                name,
                path: policy.path,
                description: policy.description,
                created: OffsetDateTime::UNIX_EPOCH + time::Duration::days(17_000),
                document: policy.document,
            },
        );
    }

    for role in roles {
        known_account(&role.account, &format!("roles.yaml: role {}", role.name))?;
        if let Some(missing) = role
            .attached
            .iter()
            .find(|a| !world.managed_policies.contains_key(*a))
        {
            return Err(SeedError::Inconsistent(format!(
                "roles.yaml: role {} attaches {missing}, which policies.yaml does not define",
                role.name
            )));
        }
        let account = world.accounts.entry(role.account.clone()).or_default();
        account.roles.insert(
            role.name.clone(),
            Role {
                account: role.account,
                name: role.name,
                path: role.path,
                id: role.id,
                description: role.description,
                created: role.created,
                max_session_duration: 3600,
                trust: role.trust,
                inline: role.inline,
                attached: role.attached,
                tags: role.tags,
            },
        );
    }

    for entry in instances {
        known_account(
            &entry.account,
            &format!("instances.yaml: {}", entry.instance_id),
        )?;
        let zone = format!("{}a", entry.region);
        let region = world.region_mut(&entry.account, &entry.region);
        region.instances.insert(
            entry.instance_id.clone(),
            Instance::new(
                entry.instance_id,
                entry.instance_type,
                entry.image_id,
                entry.platform,
                entry.state,
                entry.launched.into(),
                entry.private_ip_address,
                zone,
                entry.tags,
            ),
        );
    }

    for entry in documents {
        let document = build_document(&source, entry)?;
        if document.owner == "Amazon" {
            world
                .amazon_documents
                .insert(document.name.clone(), document);
        } else {
            known_account(
                &document.owner,
                &format!("documents.yaml: {}", document.name),
            )?;
            for region in &accounts.regions {
                world
                    .region_mut(&document.owner.clone(), region)
                    .documents
                    .insert(document.name.clone(), document.clone());
            }
        }
    }
    Ok(world)
}

fn build_document(source: &Source<'_>, entry: DocumentEntry) -> Result<Document, SeedError> {
    let created: SystemTime = entry.created.into();
    let mut versions = Vec::new();
    for (index, file) in entry.versions.iter().enumerate() {
        let path = format!("documents/{file}");
        let content = source.read(&path)?;
        let format = format_of(file);
        let tree: Value = runbook::parse(&content, format).map_err(|e| file_error(&path, e))?;
        runbook::validate(&tree).map_err(|e| file_error(&path, e))?;
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        versions.push(DocumentVersion::new(
            number, created, content, format, tree, None,
        ));
    }
    if versions.is_empty() {
        return Err(SeedError::Inconsistent(format!(
            "documents.yaml: {} has no versions",
            entry.name
        )));
    }
    let default_version = entry.default_version.unwrap_or(1);
    if default_version == 0 || default_version as usize > versions.len() {
        return Err(SeedError::Inconsistent(format!(
            "documents.yaml: {} has default version {default_version} but {} versions",
            entry.name,
            versions.len()
        )));
    }
    Ok(Document {
        name: entry.name,
        owner: entry.owner,
        created,
        document_type: entry.document_type,
        platform_types: entry.platform_types,
        target_type: entry.target_type,
        categories: entry.categories,
        tags: entry.tags,
        shared_with: entry.shared_with,
        default_version,
        versions,
    })
}

/// A stable, AWS-looking identifier suffix derived from `seed` (upper-case letters and digits).
pub fn stable_id(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    Sha256::digest(seed.as_bytes())
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_runbooks_are_valid() {
        let documents = BUILTIN.iter().filter(|(n, _)| n.starts_with("documents/"));
        for (name, text) in documents {
            let tree =
                runbook::parse(text, format_of(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            runbook::validate(&tree).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn the_builtin_seed_loads_with_every_kind_of_thing() {
        let world = load(None).expect("the built-in seed is consistent");
        assert_eq!(world.accounts.len(), 3);
        assert!(world
            .role("123456789012", "AmazonSSMAutomationRole")
            .is_some());
        assert!(world
            .role("111122223333", "AWS-SystemsManager-AutomationExecutionRole")
            .is_some());
        let home = world
            .region("123456789012", "us-east-1")
            .expect("home region");
        assert!(home.instances.contains_key("i-1234567890abcdef0"));
        let owned = &home.documents["Portal-RestartWithHealthCheck"];
        assert_eq!((owned.default_version, owned.latest_number()), (2, 3));
        assert!(world
            .amazon_documents
            .contains_key("AWS-RestartEC2Instance"));
    }

    #[test]
    fn a_seed_directory_replaces_files_and_inconsistencies_are_named() {
        let dir = std::env::temp_dir().join(format!("emulator-seed-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(
            dir.join("instances.yaml"),
            "- {account: '999999999999', region: us-east-1, instanceId: i-1, instanceType: t3.micro, imageId: ami-1, platform: Linux, state: running, launched: 2025-01-01T00:00:00Z}\n",
        )
        .expect("write seed");
        let err = load(Some(&dir)).expect_err("unknown account is refused");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(err.to_string().contains("999999999999"), "{err}");
    }
}
