//! The runbook catalog's server functions: runbooks, one runbook's details, the roles to run it
//! as and the instances to run it on — each only as far as the user's grants reach — and the
//! user's own stars.

use std::collections::BTreeSet;

use leptos::prelude::*;

pub use domain::runbook::*;

use crate::error::PortalError;

/// The catalog tab: `Self` (Owned by me), `Private` (Shared with me) or `All`.
#[server(endpoint = "list_runbooks", output = domain::wire::Json)]
pub async fn list_runbooks(
    owner: String,
    #[server(default)] categories: Vec<String>,
    search: String,
    page: usize,
) -> Result<CatalogPage, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    let listed = portal
        .list_runbooks(&viewer, &owner, &categories, &search, page)
        .await;
    crate::service::ssr::answer(listed)
}

/// One version (`$DEFAULT` when empty, `$LATEST`, or a number) of a runbook, with its content.
#[server(endpoint = "get_runbook", output = domain::wire::Json)]
pub async fn get_runbook(name: String, version: String) -> Result<RunbookDetails, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.runbook(&viewer, &name, &version).await)
}

/// The roles the user may run `runbook` as (every role for admins).
#[server(endpoint = "list_roles", output = domain::wire::Json)]
pub async fn list_roles(runbook: String) -> Result<Vec<RoleChoice>, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.roles(&viewer, &runbook).await)
}

#[server(endpoint = "list_instances", output = domain::wire::Json)]
pub async fn list_instances() -> Result<Vec<InstanceChoice>, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.instances(&viewer).await)
}

/// Stars (`star = true`) or unstars a runbook for the user. A browser's post (without
/// JavaScript) goes back to the page it came from, `back`, saying why if it was refused.
#[server(endpoint = "star_runbook", output = domain::wire::Json)]
pub async fn star_runbook(
    runbook: String,
    star: bool,
    #[server(default)] back: String,
) -> Result<(), PortalError> {
    use crate::service::ssr;
    let (portal, viewer) = ssr::viewer()?;
    let starred = portal.star_runbook(&viewer, &runbook, star).await;
    if !ssr::from_a_page() {
        return ssr::answer(starred);
    }
    let back = back_to(&back, &runbook);
    match starred {
        Ok(()) => leptos_axum::redirect(&back),
        Err(e) => {
            let joiner = if back.contains('?') { '&' } else { '?' };
            let notice = crate::notice::ssr::query("refused", &e.to_string());
            leptos_axum::redirect(&format!("{back}{joiner}{notice}"));
        }
    }
    Ok(())
}

/// The runbooks the user starred.
#[server(endpoint = "starred_runbooks", output = domain::wire::Json)]
pub async fn starred_runbooks() -> Result<BTreeSet<String>, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.starred_runbooks(&viewer).await)
}

/// Where a post goes back to: the catalog or a runbook's page, as its form says, without the
/// refusal an earlier post left in the address; anything else, the runbook's page. Printable
/// ASCII only (the pages' own addresses are percent-encoded), so it goes in the `Location` header
/// as it is, and always a path of this portal: no form sends the browser to another site.
#[cfg(feature = "ssr")]
fn back_to(back: &str, runbook: &str) -> String {
    let ours = (back == "/automation/execute"
        || back.starts_with("/automation/execute?")
        || back.starts_with("/documents/"))
        && back.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if !ours {
        return format!("/documents/{}", crate::wizard::form::encode(runbook));
    }
    let Some((path, query)) = back.split_once('?') else {
        return back.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            !matches!(key, "" | "refused" | crate::notice::SEAL)
        })
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::back_to;

    #[test]
    fn a_post_goes_back_to_the_catalog_or_a_runbooks_page_only() {
        let catalog = "/automation/execute?tab=all&q=Restart&page=2";
        assert_eq!(back_to(catalog, "AWS-X"), catalog);
        assert_eq!(back_to("/documents/AWS-X", "AWS-X"), "/documents/AWS-X");
        for elsewhere in [
            "",
            "https://evil.example/",
            "//evil.example",
            "/automation/executions/x",
            "/automation/execute/AWS-X",
            "/documents/a b",
            "/documents/a\\b",
            "/documents/\u{e9}",
            "/documents/a\r\nSet-Cookie:x",
        ] {
            assert_eq!(
                back_to(elsewhere, "AWS X"),
                "/documents/AWS%20X",
                "{elsewhere:?}"
            );
        }
    }

    #[test]
    fn an_earlier_refusal_is_left_behind() {
        assert_eq!(
            back_to("/documents/AWS-X?refused=No&seal=1.x&version=2", "AWS-X"),
            "/documents/AWS-X?version=2"
        );
        assert_eq!(
            back_to("/automation/execute?refused=No&seal=1.x", "AWS-X"),
            "/automation/execute"
        );
    }
}
