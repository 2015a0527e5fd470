//! The runbook catalog, IAM roles and EC2 instances, read with the server's credentials and
//! shown only as far as the viewer's grants reach.

mod content;
mod markdown;

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_ssm::types::{DocumentFormat, DocumentKeyValuesFilter};
use backend::Backend;
use domain::runbook::{
    CatalogPage, InstanceChoice, RoleChoice, RunbookDetails, RunbookSummary, VersionInfo, PAGE_SIZE,
};
use domain::PortalError;

use crate::aws_error::aws_error;
use crate::{Portal, Viewer};

impl Portal {
    /// A page of the catalog tab `owner` (`Self`: Owned by me, `Private`: Shared with me, or
    /// `All`), only the runbooks the viewer may run.
    pub async fn list_runbooks(
        &self,
        viewer: &Viewer,
        owner: &str,
        categories: &[String],
        search: &str,
        page: usize,
    ) -> Result<CatalogPage, PortalError> {
        let rights = &viewer.rights;
        list_runbooks(self, owner, categories, search, page, &|name| {
            rights.may_run(name)
        })
        .await
    }

    /// One version (`$DEFAULT` when empty, `$LATEST`, or a number) of a runbook the viewer may
    /// run, with its content.
    pub async fn runbook(
        &self,
        viewer: &Viewer,
        name: &str,
        version: &str,
    ) -> Result<RunbookDetails, PortalError> {
        let no_grant = |runbook: &str| {
            self.refuse(
                viewer,
                format!("You have no grant to run {runbook}. Ask an administrator for one."),
            )
        };
        if !viewer.rights.any() {
            return Err(no_grant(name));
        }
        // Grants name the runbook SSM resolves the name to: another account's shared runbook
        // of the same name is not the one a name pattern grants.
        let details = self.read_runbook(name, version).await?;
        if !viewer.rights.may_run(&details.reference) {
            return Err(no_grant(&details.reference));
        }
        Ok(details)
    }

    /// The roles the viewer may run `runbook` as (every role for admins).
    pub async fn roles(
        &self,
        viewer: &Viewer,
        runbook: &str,
    ) -> Result<Vec<RoleChoice>, PortalError> {
        let rights = &viewer.rights;
        let mut grants = rights.for_runbook(runbook);
        if !rights.admin && grants.is_empty() && rights.any() {
            // A runbook another account shares is granted by its ARN.
            let reference = resolve(&self.backend, runbook).await?;
            grants = rights.for_runbook(&reference);
        }
        if !rights.admin && grants.is_empty() {
            return Err(self.refuse(
                viewer,
                format!("You have no grant to run {runbook}, so no role to run it as."),
            ));
        }
        let mut roles = list_roles(&self.backend).await?;
        if !rights.admin {
            roles.retain(|r| grants.iter().any(|g| g.allows_role(&r.arn)));
        }
        Ok(roles)
    }

    /// The EC2 instances to run a runbook on, for a viewer with a grant.
    pub async fn instances(&self, viewer: &Viewer) -> Result<Vec<InstanceChoice>, PortalError> {
        if !viewer.rights.any() {
            return Err(self.refuse(
                viewer,
                "You have no grants, so no instances to run runbooks on. Ask an administrator for one.",
            ));
        }
        list_instances(&self.backend).await
    }
}

/// What DescribeDocument says of a version, kept a while: the catalog shows it for every row.
#[derive(Clone)]
struct Description {
    description: String,
    categories: Vec<String>,
    default_version: String,
}

const DESCRIBED_FOR: Duration = Duration::from_secs(300);

/// Descriptions by (name, latest version), with when they were read.
#[derive(Default)]
pub(crate) struct Described(Mutex<HashMap<(String, String), (Instant, Description)>>);

async fn describe(
    backend: &Backend,
    cache: &Described,
    name: &str,
    latest: &str,
) -> Result<Description, PortalError> {
    let key = (name.to_owned(), latest.to_owned());
    if let Ok(cache) = cache.0.lock() {
        if let Some((at, found)) = cache.get(&key) {
            if at.elapsed() < DESCRIBED_FOR {
                return Ok(found.clone());
            }
        }
    }
    let answer = backend
        .ssm
        .describe_document()
        .name(name)
        .send()
        .await
        .map_err(|e| aws_error("read the runbook", e))?;
    let document = answer.document.ok_or_else(|| {
        PortalError::NotFound(format!("SSM has no description of the runbook {name}."))
    })?;
    let found = Description {
        description: document.description.unwrap_or_default(),
        categories: document.category.unwrap_or_default(),
        default_version: document.default_version.unwrap_or_default(),
    };
    if let Ok(mut cache) = cache.0.lock() {
        cache.insert(key, (Instant::now(), found.clone()));
    }
    Ok(found)
}

async fn list_runbooks(
    portal: &Portal,
    owner: &str,
    categories: &[String],
    search: &str,
    page: usize,
    may_run: &(dyn Fn(&str) -> bool + Sync),
) -> Result<CatalogPage, PortalError> {
    let backend = portal.backend.clone();
    let mut filters = vec![DocumentKeyValuesFilter::builder()
        .key("DocumentType")
        .values("Automation")
        .build()];
    match owner {
        "Self" | "Private" => filters.push(
            DocumentKeyValuesFilter::builder()
                .key("Owner")
                .values(owner)
                .build(),
        ),
        _ => {}
    }
    let mut identifiers = Vec::new();
    let mut token = None;
    loop {
        let answer = backend
            .ssm
            .list_documents()
            .set_filters(Some(filters.clone()))
            .set_next_token(token)
            .max_results(50)
            .send()
            .await
            .map_err(|e| aws_error("list the runbooks", e))?;
        identifiers.extend(answer.document_identifiers.unwrap_or_default());
        token = answer.next_token;
        if token.is_none() {
            break;
        }
    }
    let account = backend
        .caller_identity()
        .await
        .map(|i| i.account)
        .unwrap_or_default();
    let needle = search.trim().to_lowercase();
    // Grants name another account's runbook by its ARN, so each is matched as SSM knows it.
    identifiers.retain(|d| {
        d.name.as_deref().is_some_and(|n| {
            let owner = d.owner.as_deref().unwrap_or_default();
            may_run(&reference(n, owner, &account, &backend.region))
                && (needle.is_empty() || n.to_lowercase().contains(&needle))
        })
    });
    // Descriptions and categories come from DescribeDocument, asked side by side.
    let mut described = tokio::task::JoinSet::new();
    let cache = portal.catalog.clone();
    for (i, identifier) in identifiers.iter().enumerate() {
        let backend = backend.clone();
        let cache = cache.clone();
        let name = reference(
            identifier.name.as_deref().unwrap_or_default(),
            identifier.owner.as_deref().unwrap_or_default(),
            &account,
            &backend.region,
        );
        let latest = identifier.document_version.clone().unwrap_or_default();
        described.spawn(async move { (i, describe(&backend, &cache, &name, &latest).await) });
    }
    let mut details = vec![None; identifiers.len()];
    while let Some(done) = described.join_next().await {
        if let Ok((i, result)) = done {
            details[i] = Some(result?);
        }
    }
    let mut all_categories = BTreeSet::new();
    let mut runbooks: Vec<RunbookSummary> = identifiers
        .into_iter()
        .zip(details)
        .filter_map(|(identifier, described)| {
            let described = described?;
            all_categories.extend(described.categories.iter().cloned());
            Some(RunbookSummary {
                name: identifier.name.unwrap_or_default(),
                owner: identifier.owner.unwrap_or_default(),
                platform_types: identifier
                    .platform_types
                    .unwrap_or_default()
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
                default_version: described.default_version,
                description: described.description,
                categories: described.categories,
            })
        })
        .filter(|r| categories.is_empty() || r.categories.iter().any(|c| categories.contains(c)))
        .collect();
    runbooks.sort_by(|a, b| a.name.cmp(&b.name));
    let total = runbooks.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let shown = runbooks
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    Ok(CatalogPage {
        runbooks: shown,
        categories: all_categories.into_iter().collect(),
        page,
        pages,
        total,
    })
}

/// How SSM names a document to this account: by name if it is Amazon's or this account's,
/// by ARN if another account shares it.
fn reference(name: &str, owner: &str, account: &str, region: &str) -> String {
    if owner.is_empty() || owner == "Amazon" || owner == account || name.starts_with("arn:") {
        name.to_owned()
    } else {
        format!("arn:aws:ssm:{region}:{owner}:document/{name}")
    }
}

/// The reference (name or ARN) of the runbook called `name`: this account's or Amazon's,
/// else one shared with this account.
async fn resolve(backend: &Backend, name: &str) -> Result<String, PortalError> {
    if name.starts_with("arn:") {
        return Ok(name.to_owned());
    }
    let shared = backend
        .ssm
        .list_documents()
        .filters(
            DocumentKeyValuesFilter::builder()
                .key("Owner")
                .values("Private")
                .build(),
        )
        .filters(
            DocumentKeyValuesFilter::builder()
                .key("Name")
                .values(name)
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error("look the runbook up", e))?;
    let found = shared
        .document_identifiers()
        .iter()
        .find(|d| d.name() == Some(name))
        .and_then(|d| d.owner());
    Ok(match found {
        Some(owner) => reference(name, owner, "", &backend.region),
        None => name.to_owned(),
    })
}

impl Portal {
    /// One version of the runbook `name` (unchecked: [`Portal::runbook`] checks the viewer's grants).
    pub(crate) async fn read_runbook(
        &self,
        name: &str,
        version: &str,
    ) -> Result<RunbookDetails, PortalError> {
        let backend = &self.backend;
        let version = match version.trim() {
            "" => "$DEFAULT",
            v => v,
        };
        // Names are tried as this account's (or Amazon's) first, as SSM does.
        let described = match describe_version(backend, name, version).await {
            Err(PortalError::NotFound(message)) => {
                let reference = resolve(backend, name).await?;
                if reference == name {
                    return Err(PortalError::NotFound(message));
                }
                describe_version(backend, &reference, version).await?
            }
            other => other?,
        };
        let name = described.name.clone().unwrap_or_else(|| name.to_owned());
        let reference = match described.owner.as_deref() {
            Some(owner) => {
                let account = backend
                    .caller_identity()
                    .await
                    .map(|i| i.account)
                    .unwrap_or_default();
                reference(&name, owner, &account, &backend.region)
            }
            None => name.clone(),
        };
        let name = name.as_str();
        let got = backend
            .ssm
            .get_document()
            .name(&reference)
            .document_version(version)
            .document_format(DocumentFormat::Json)
            .send()
            .await
            .map_err(|e| aws_error("read the runbook's content", e))?;
        let tree: serde_json::Value =
            serde_json::from_str(got.content().unwrap_or("{}")).map_err(|e| {
                PortalError::Backend(format!("The runbook {name} is not valid JSON: {e}"))
            })?;
        let versions = backend
            .ssm
            .list_document_versions()
            .name(&reference)
            .max_results(50)
            .send()
            .await
            .map_err(|e| aws_error("list the runbook's versions", e))?
            .document_versions
            .unwrap_or_default()
            .into_iter()
            .map(|v| VersionInfo {
                number: v.document_version.unwrap_or_default(),
                is_default: v.is_default_version,
                created: v
                    .created_date
                    .map(|d| domain::time::utc_at(d.secs(), d.subsec_nanos()))
                    .unwrap_or_default(),
            })
            .collect();
        Ok(RunbookDetails {
            name: name.to_owned(),
            reference,
            owner: described.owner.unwrap_or_default(),
            version: got.document_version.unwrap_or_default(),
            default_version: described.default_version.unwrap_or_default(),
            latest_version: described.latest_version.unwrap_or_default(),
            versions,
            description_html: markdown::to_safe_html(
                tree.get("description")
                    .and_then(|d| d.as_str())
                    .unwrap_or_default(),
            ),
            parameters: content::parameters(&tree)
                .into_iter()
                .map(|mut spec| {
                    spec.secret = self.secrets.is_secret(&spec.name);
                    spec
                })
                .collect(),
            steps: content::steps(&tree),
            assume_role: tree
                .get("assumeRole")
                .and_then(|r| r.as_str())
                .unwrap_or_default()
                .to_owned(),
            content_json: serde_json::to_string_pretty(&tree).unwrap_or_default(),
            content_yaml: serde_yaml_ng::to_string(&tree).unwrap_or_default(),
            categories: described.category.unwrap_or_default(),
            platform_types: described
                .platform_types
                .unwrap_or_default()
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            target_type: described.target_type,
        })
    }
}

async fn describe_version(
    backend: &Backend,
    name: &str,
    version: &str,
) -> Result<aws_sdk_ssm::types::DocumentDescription, PortalError> {
    backend
        .ssm
        .describe_document()
        .name(name)
        .document_version(version)
        .send()
        .await
        .map_err(|e| aws_error("read the runbook", e))?
        .document
        .ok_or_else(|| {
            PortalError::NotFound(format!("SSM has no description of the runbook {name}."))
        })
}

async fn list_roles(backend: &Backend) -> Result<Vec<RoleChoice>, PortalError> {
    let mut roles = Vec::new();
    let mut marker = None;
    loop {
        let answer = backend
            .iam
            .list_roles()
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| aws_error("list the IAM roles", e))?;
        for role in answer.roles {
            let trust = role
                .assume_role_policy_document
                .as_deref()
                .map(|d| {
                    percent_encoding::percent_decode_str(d)
                        .decode_utf8_lossy()
                        .into_owned()
                })
                .unwrap_or_default();
            roles.push(RoleChoice {
                ssm_can_assume: content::trusts_ssm(&trust),
                name: role.role_name,
                arn: role.arn,
                description: role.description.unwrap_or_default(),
            });
        }
        marker = answer.marker.filter(|_| answer.is_truncated);
        if marker.is_none() {
            break;
        }
    }
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(roles)
}

async fn list_instances(backend: &Backend) -> Result<Vec<InstanceChoice>, PortalError> {
    let mut instances = Vec::new();
    let mut token = None;
    loop {
        let answer = backend
            .ec2
            .describe_instances()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| aws_error("list the EC2 instances", e))?;
        for instance in answer.reservations().iter().flat_map(|r| r.instances()) {
            let state = instance
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default();
            if state == "terminated" {
                continue;
            }
            instances.push(InstanceChoice {
                id: instance.instance_id().unwrap_or_default().to_owned(),
                name: instance
                    .tags()
                    .iter()
                    .find(|t| t.key() == Some("Name"))
                    .and_then(|t| t.value())
                    .unwrap_or_default()
                    .to_owned(),
                state,
            });
        }
        token = answer.next_token;
        if token.is_none() {
            break;
        }
    }
    instances.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(instances)
}
