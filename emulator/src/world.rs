//! The emulated AWS: accounts, each with its IAM roles and, per region, its documents, instances and
//! images. Amazon's documents are visible from every account and region.

pub mod document;
pub mod execution;
pub mod instance;
pub mod role;
pub mod seed;

use std::collections::BTreeMap;

pub use document::{Document, DocumentVersion};
pub use instance::{Image, Instance, InstanceState};
pub use role::{ManagedPolicy, Role};

use crate::identity::Principal;

#[derive(Debug, Clone, Default)]
pub struct World {
    pub accounts: BTreeMap<String, Account>,
    pub principals: Vec<Principal>,
    pub default_access_key_id: String,
    pub managed_policies: BTreeMap<String, ManagedPolicy>,
    pub amazon_documents: BTreeMap<String, Document>,
}

#[derive(Debug, Clone, Default)]
pub struct Account {
    pub id: String,
    pub roles: BTreeMap<String, Role>,
    pub regions: BTreeMap<String, RegionState>,
    /// Executions (region, id) waiting for the concurrency quota, oldest first.
    pub queue: std::collections::VecDeque<(String, String)>,
    /// StartAutomationExecution ClientTokens (lower-cased): the execution each started, and the
    /// request it came with.
    pub client_tokens: BTreeMap<String, (String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct RegionState {
    pub documents: BTreeMap<String, Document>,
    pub instances: BTreeMap<String, Instance>,
    pub images: BTreeMap<String, Image>,
    pub executions: BTreeMap<String, execution::Execution>,
}

impl World {
    /// The principal behind `access_key`; unknown or absent keys act as the default principal.
    pub fn principal_for(&self, access_key: Option<&str>) -> Option<&Principal> {
        let find = |key: &str| self.principals.iter().find(|p| p.access_key_id == key);
        access_key
            .and_then(find)
            .or_else(|| find(&self.default_access_key_id))
    }

    /// The state of `account` in `region`, created empty on first use (as AWS accounts have every
    /// region).
    pub fn region_mut(&mut self, account: &str, region: &str) -> &mut RegionState {
        let account = self
            .accounts
            .entry(account.to_owned())
            .or_insert_with(|| Account {
                id: account.to_owned(),
                ..Account::default()
            });
        account.regions.entry(region.to_owned()).or_default()
    }

    pub fn region(&self, account: &str, region: &str) -> Option<&RegionState> {
        self.accounts.get(account)?.regions.get(region)
    }

    pub fn role(&self, account: &str, name: &str) -> Option<&Role> {
        self.accounts.get(account)?.roles.get(name)
    }

    /// Every role by ARN, for trust and PassRole checks.
    pub fn role_by_arn(&self, arn: &str) -> Option<&Role> {
        let (account, name) = role::split_arn(arn)?;
        self.role(account, name)
    }
}
