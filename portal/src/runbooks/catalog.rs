//! The catalog: ListDocuments for the tab asked for, each runbook described (DescribeDocument,
//! kept a while), filtered by the viewer's grants, categories and search, a page at a time.

use std::collections::BTreeSet;
use std::time::Instant;

use aws_sdk_ssm::types::DocumentKeyValuesFilter;
use backend::Backend;
use domain::runbook::{CatalogPage, RunbookSummary, PAGE_SIZE};
use domain::PortalError;

use crate::aws_error::aws_error;
use crate::catalog_cache::{Described, Description, DESCRIBED_FOR};
use crate::Portal;

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

pub(super) async fn list_runbooks(
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
pub(super) fn reference(name: &str, owner: &str, account: &str, region: &str) -> String {
    if owner.is_empty() || owner == "Amazon" || owner == account || name.starts_with("arn:") {
        name.to_owned()
    } else {
        format!("arn:aws:ssm:{region}:{owner}:document/{name}")
    }
}
