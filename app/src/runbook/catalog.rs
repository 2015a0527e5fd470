//! Server functions that read the runbook catalog, IAM roles and EC2 instances with the server's
//! credentials.

use leptos::prelude::*;

use super::{CatalogPage, InstanceChoice, RoleChoice, RunbookDetails};
use crate::error::PortalError;

/// How many runbooks a catalog page lists.
pub const PAGE_SIZE: usize = 10;

/// The catalog tab: `Self` (Owned by me), `Private` (Shared with me) or `All`.
#[server(endpoint = "list_runbooks")]
pub async fn list_runbooks(
    owner: String,
    #[server(default)] categories: Vec<String>,
    search: String,
    page: usize,
) -> Result<CatalogPage, PortalError> {
    let (_, rights) = crate::access::ssr::current()?;
    ssr::list_runbooks(&owner, &categories, &search, page, &|name| {
        rights.may_run(name)
    })
    .await
}

/// One version (`$DEFAULT` when empty, `$LATEST`, or a number) of a runbook, with its content.
#[server(endpoint = "get_runbook")]
pub async fn get_runbook(name: String, version: String) -> Result<RunbookDetails, PortalError> {
    let (_, rights) = crate::access::ssr::current()?;
    let no_grant = |runbook: &str| {
        crate::access::ssr::forbidden(format!(
            "You have no grant to run {runbook}. Ask an administrator for one."
        ))
    };
    if !rights.any() {
        return Err(no_grant(&name));
    }
    // Grants name the runbook SSM resolves the name to: another account's shared runbook of
    // the same name is not the one a name pattern grants.
    let details = ssr::get_runbook(&name, &version).await?;
    if !rights.may_run(&details.reference) {
        return Err(no_grant(&details.reference));
    }
    Ok(details)
}

/// The roles the user may run `runbook` as (every role for admins).
#[server(endpoint = "list_roles")]
pub async fn list_roles(runbook: String) -> Result<Vec<RoleChoice>, PortalError> {
    let (_, rights) = crate::access::ssr::current()?;
    let mut grants = rights.for_runbook(&runbook);
    if !rights.admin && grants.is_empty() && rights.any() {
        // A runbook another account shares is granted by its ARN.
        let reference = ssr::resolve(&ssr::backend(), &runbook).await?;
        grants = rights.for_runbook(&reference);
    }
    if !rights.admin && grants.is_empty() {
        return Err(crate::access::ssr::forbidden(format!(
            "You have no grant to run {runbook}, so no role to run it as."
        )));
    }
    let mut roles = ssr::list_roles().await?;
    if !rights.admin {
        roles.retain(|r| grants.iter().any(|g| g.allows_role(&r.arn)));
    }
    Ok(roles)
}

#[server(endpoint = "list_instances")]
pub async fn list_instances() -> Result<Vec<InstanceChoice>, PortalError> {
    let (_, rights) = crate::access::ssr::current()?;
    if !rights.any() {
        return Err(crate::access::ssr::forbidden(
            "You have no grants, so no instances to run runbooks on. Ask an administrator for one.",
        ));
    }
    ssr::list_instances().await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    mod content;
    mod markdown;

    use std::collections::{BTreeSet, HashMap};
    use std::sync::{Arc, Mutex, OnceLock};
    use std::time::{Duration, Instant};

    use aws_sdk_ssm::types::{DocumentFormat, DocumentKeyValuesFilter};

    use super::super::{
        CatalogPage, InstanceChoice, RoleChoice, RunbookDetails, RunbookSummary, VersionInfo,
    };
    use super::PAGE_SIZE;
    use crate::error::{aws_error, PortalError};

    pub fn backend() -> Arc<backend::Backend> {
        leptos::prelude::expect_context::<Arc<backend::Backend>>()
    }

    /// What DescribeDocument says of a version, kept a while: the catalog shows it for every row.
    #[derive(Clone)]
    struct Described {
        description: String,
        categories: Vec<String>,
        default_version: String,
    }

    const DESCRIBED_FOR: Duration = Duration::from_secs(300);

    /// Descriptions by (name, latest version), with when they were read.
    type DescribedCache = Mutex<HashMap<(String, String), (Instant, Described)>>;

    fn described_cache() -> &'static DescribedCache {
        static CACHE: OnceLock<DescribedCache> = OnceLock::new();
        CACHE.get_or_init(Default::default)
    }

    async fn describe(
        backend: &backend::Backend,
        name: &str,
        latest: &str,
    ) -> Result<Described, PortalError> {
        let key = (name.to_owned(), latest.to_owned());
        if let Ok(cache) = described_cache().lock() {
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
        let found = Described {
            description: document.description.unwrap_or_default(),
            categories: document.category.unwrap_or_default(),
            default_version: document.default_version.unwrap_or_default(),
        };
        if let Ok(mut cache) = described_cache().lock() {
            cache.insert(key, (Instant::now(), found.clone()));
        }
        Ok(found)
    }

    pub async fn list_runbooks(
        owner: &str,
        categories: &[String],
        search: &str,
        page: usize,
        may_run: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<CatalogPage, PortalError> {
        let backend = backend();
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
        for (i, identifier) in identifiers.iter().enumerate() {
            let backend = backend.clone();
            let name = reference(
                identifier.name.as_deref().unwrap_or_default(),
                identifier.owner.as_deref().unwrap_or_default(),
                &account,
                &backend.region,
            );
            let latest = identifier.document_version.clone().unwrap_or_default();
            described.spawn(async move { (i, describe(&backend, &name, &latest).await) });
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
            .filter(|r| {
                categories.is_empty() || r.categories.iter().any(|c| categories.contains(c))
            })
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
    pub async fn resolve(backend: &backend::Backend, name: &str) -> Result<String, PortalError> {
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

    pub async fn get_runbook(name: &str, version: &str) -> Result<RunbookDetails, PortalError> {
        let backend = backend();
        let version = match version.trim() {
            "" => "$DEFAULT",
            v => v,
        };
        // Names are tried as this account's (or Amazon's) first, as SSM does.
        let described = match describe_version(&backend, name, version).await {
            Err(PortalError::NotFound(message)) => {
                let reference = resolve(&backend, name).await?;
                if reference == name {
                    return Err(PortalError::NotFound(message));
                }
                describe_version(&backend, &reference, version).await?
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
                    .map(|d| {
                        d.fmt(aws_sdk_ssm::primitives::DateTimeFormat::DateTime)
                            .unwrap_or_default()
                    })
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
                    spec.secret = crate::access::ssr::access().secrets().is_secret(&spec.name);
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

    async fn describe_version(
        backend: &backend::Backend,
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

    pub async fn list_roles() -> Result<Vec<RoleChoice>, PortalError> {
        let backend = backend();
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

    pub async fn list_instances() -> Result<Vec<InstanceChoice>, PortalError> {
        let backend = backend();
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
}
