//! The catalog: ListDocuments for the tab asked for, each runbook described (DescribeDocument,
//! kept a while), filtered by the viewer's grants, categories and search, the viewer's starred
//! runbooks first, a page at a time.

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
    starred: &BTreeSet<String>,
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
    let runbooks: Vec<RunbookSummary> = identifiers
        .into_iter()
        .zip(details)
        .filter_map(|(identifier, described)| {
            let described = described?;
            all_categories.extend(described.categories.iter().cloned());
            let name = identifier.name.unwrap_or_default();
            Some(RunbookSummary {
                starred: starred.contains(&name),
                name,
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
    Ok(page_of(
        runbooks,
        all_categories.into_iter().collect(),
        page,
    ))
}

/// Page `page` of the catalog in its order: the viewer's starred runbooks first, then by name.
/// The whole list is ordered before it is cut into pages, so a star on page 3 comes first on
/// page 1.
fn page_of(mut runbooks: Vec<RunbookSummary>, categories: Vec<String>, page: usize) -> CatalogPage {
    domain::runbook::catalog_order(&mut runbooks);
    let total = runbooks.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let shown = runbooks
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    CatalogPage {
        runbooks: shown,
        categories,
        page,
        pages,
        total,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn runbook(name: &str, starred: bool) -> RunbookSummary {
        RunbookSummary {
            name: name.to_owned(),
            owner: "Amazon".to_owned(),
            platform_types: Vec::new(),
            default_version: "1".to_owned(),
            description: String::new(),
            categories: Vec::new(),
            starred,
        }
    }

    fn names(page: &CatalogPage) -> Vec<&str> {
        page.runbooks.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn starred_runbooks_come_first_before_the_catalog_is_cut_into_pages() {
        // R00 to R24, listed backwards; R07 and R23 starred (R23 would be on page 3).
        let runbooks: Vec<RunbookSummary> = (0..25)
            .rev()
            .map(|i| runbook(&format!("R{i:02}"), i == 7 || i == 23))
            .collect();
        let first = page_of(runbooks.clone(), Vec::new(), 1);
        assert_eq!(
            names(&first),
            ["R07", "R23", "R00", "R01", "R02", "R03", "R04", "R05", "R06", "R08"]
        );
        assert_eq!((first.page, first.pages, first.total), (1, 3, 25));
        // The rest keep the order by name.
        let last = page_of(runbooks, Vec::new(), 3);
        assert_eq!(names(&last), ["R19", "R20", "R21", "R22", "R24"]);
    }

    #[test]
    fn without_stars_the_catalog_is_by_name() {
        let runbooks = vec![
            runbook("b", false),
            runbook("c", false),
            runbook("a", false),
        ];
        assert_eq!(names(&page_of(runbooks, Vec::new(), 1)), ["a", "b", "c"]);
    }
}
