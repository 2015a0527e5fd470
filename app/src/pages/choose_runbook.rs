//! Execute automation, step 1: choose a runbook from the catalog (Owned by me / Shared with me /
//! All documents, by category and name; the user's starred runbooks first), read its details,
//! pick the document version.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::{stars, RunbookDetailsView, StarToggle};
use crate::notice::Refused;
use crate::runbook::{get_runbook, list_runbooks};
use crate::runbook::{CatalogPage, RunbookDetails, RunbookSummary, StarRunbook};
use crate::shell::{crumb, Breadcrumbs};
use crate::transfer::Wire;
use crate::wizard::form::encode;

/// The catalog tabs: query key, label, ListDocuments `Owner` filter.
const TABS: [(&str, &str, &str); 3] = [
    ("owned", "Owned by me", "Self"),
    ("shared", "Shared with me", "Private"),
    ("all", "All documents", "All"),
];

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct CatalogQuery {
    tab: String,
    categories: Vec<String>,
    search: String,
    page: usize,
    runbook: String,
}

impl CatalogQuery {
    fn url(&self) -> String {
        let mut pairs = vec![format!("tab={}", encode(&self.tab))];
        pairs.extend(
            self.categories
                .iter()
                .map(|c| format!("category={}", encode(c))),
        );
        if !self.search.is_empty() {
            pairs.push(format!("q={}", encode(&self.search)));
        }
        if self.page > 1 {
            pairs.push(format!("page={}", self.page));
        }
        if !self.runbook.is_empty() {
            pairs.push(format!("runbook={}", encode(&self.runbook)));
        }
        format!("/automation/execute?{}", pairs.join("&"))
    }
}

#[component]
pub fn ChooseRunbook() -> impl IntoView {
    let query = use_query_map();
    let catalog_query = Memo::new(move |_| {
        let q = query.read();
        CatalogQuery {
            tab: q
                .get("tab")
                .filter(|t| TABS.iter().any(|(k, _, _)| k == t))
                .unwrap_or_else(|| "all".into()),
            categories: q.get_all("category").unwrap_or_default(),
            search: q.get("q").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
            runbook: q.get("runbook").unwrap_or_default(),
        }
    });
    let catalog = Resource::new_serde_wb(
        move || catalog_query.get(),
        |q| {
            let owner = TABS
                .iter()
                .find(|(k, _, _)| *k == q.tab)
                .map_or("All", |(_, _, owner)| *owner)
                .to_owned();
            list_runbooks(owner, q.categories, q.search, q.page)
        },
    );
    let chosen = Resource::new_serde_wb(
        move || catalog_query.get().runbook,
        |name| async move {
            if name.is_empty() {
                None
            } else {
                Some(get_runbook(name, String::new()).await)
            }
        },
    );
    view! {
        <Title text="Execute automation" />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation"), crumb("Execute automation", "/automation/execute")] />
        <div class="page-header">
            <h1>"Execute automation"</h1>
        </div>
        <ol class="wizard-steps" aria-label="Steps">
            <li aria-current="step">"Choose runbook"</li>
            <li>"Specify parameters and execute"</li>
        </ol>
        <section class="panel">
            <h2>"Automation document"</h2>
            <nav class="tabs" aria-label="Runbook owners">
                {move || {
                    let current = catalog_query.get();
                    TABS.iter().map(|(key, label, _)| {
                        let url = CatalogQuery { tab: (*key).to_owned(), page: 1, runbook: String::new(), ..current.clone() }.url();
                        let selected = current.tab == *key;
                        view! {
                            <a href=url class="tab" aria-current=selected.then_some("page")>{*label}</a>
                        }
                    }).collect_view()
                }}
            </nav>
            <Refused />
            <div class="catalog">
                <Suspense fallback=|| view! { <p>"Loading runbooks…"</p> }>
                    {move || catalog.get().map(|answer| match answer {
                        Ok(page) => view! { <Catalog page query=catalog_query.get() /> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    })}
                </Suspense>
            </div>
        </section>
        <Suspense fallback=|| ()>
            {move || chosen.get().flatten().map(|answer| match answer {
                Ok(details) => view! { <ChosenRunbook details /> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Catalog(page: CatalogPage, query: CatalogQuery) -> impl IntoView {
    let CatalogPage {
        runbooks,
        categories,
        page: number,
        pages,
        total,
    } = page;
    let previous = (number > 1).then(|| {
        CatalogQuery {
            page: number - 1,
            ..query.clone()
        }
        .url()
    });
    let next = (number < pages).then(|| {
        CatalogQuery {
            page: number + 1,
            ..query.clone()
        }
        .url()
    });
    view! {
        <form class="catalog-filters" method="get" action="/automation/execute" role="search">
            <input type="hidden" name="tab" value=query.tab.clone() />
            <label class="field">
                <span>"Search by name"</span>
                <input type="search" name="q" value=query.search.clone() placeholder="AWS-Restart" />
            </label>
            <fieldset>
                <legend>"Document categories"</legend>
                {categories.into_iter().map(|c| {
                    let checked = query.categories.contains(&c);
                    view! {
                        <label class="check">
                            <input type="checkbox" name="category" value=c.clone() checked=checked />
                            {c.clone()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <button type="submit" class="button">"Apply filters"</button>
        </form>
        <CatalogList runbooks=Wire(runbooks) total number pages query=Wire(query) previous next />
    }
}

/// The listed runbooks with their stars: an island, so that a star moves its runbook to (or from)
/// the top without a page load.
#[island(lazy)]
fn CatalogList(
    runbooks: Wire<Vec<RunbookSummary>>,
    total: usize,
    number: usize,
    pages: usize,
    query: Wire<CatalogQuery>,
    previous: Option<String>,
    next: Option<String>,
) -> impl IntoView {
    let (Wire(runbooks), Wire(query)) = (runbooks, query);
    let post = crate::components::FormPost::<StarRunbook>::new();
    let initial = runbooks
        .iter()
        .filter(|r| r.starred)
        .map(|r| r.name.clone())
        .collect();
    let (starred, refused) = stars(post, initial);
    let rows = Memo::new(move |_| {
        let mut rows = runbooks.clone();
        starred.with(|set| {
            rows.iter_mut()
                .for_each(|r| r.starred = set.contains(&r.name))
        });
        domain::runbook::catalog_order(&mut rows);
        rows
    });
    let back = query.url();
    view! {
        {move || refused.get().map(|text| view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> })}
        <div class="catalog-list">
            <p class="count">{format!("{total} runbooks")}</p>
            <table class="table">
                <thead><tr><th>"Name"</th><th>"Owner"</th><th>"Platform types"</th><th>"Default version"</th><th>"Description"</th><th><span class="visually-hidden">"Star"</span></th></tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|r| (r.name.clone(), r.starred) let(r)>
                        {
                            let url = CatalogQuery { runbook: r.name.clone(), ..query.clone() }.url();
                            let chosen = query.runbook == r.name;
                            let on = Signal::stored(r.starred);
                            view! {
                                <tr class:chosen=chosen data-runbook=r.name.clone()>
                                    <td><a href=url aria-current=chosen.then_some("true")>{r.name.clone()}</a></td>
                                    <td>{r.owner}</td>
                                    <td>{r.platform_types.join(", ")}</td>
                                    <td>{r.default_version}</td>
                                    <td>{first_line(&r.description)}</td>
                                    <td><StarToggle runbook=r.name.clone() starred=on back=back.clone() post /></td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
            <nav class="pagination" aria-label="Pages">
                {previous.map(|u| view! { <a href=u rel="prev">"Previous"</a> })}
                <span>{format!("Page {number} of {pages}")}</span>
                {next.map(|u| view! { <a href=u rel="next">"Next"</a> })}
            </nav>
        </div>
    }
}

/// The first line of a Markdown description, without heading marks.
fn first_line(description: &str) -> String {
    description
        .lines()
        .map(|l| l.trim_start_matches('#').trim())
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_owned()
}

#[component]
fn ChosenRunbook(details: RunbookDetails) -> impl IntoView {
    let action = format!("/automation/execute/{}", encode(&details.name));
    let versions = details.versions.clone();
    view! {
        <form class="panel" method="get" action=action>
            <h2>"Document details"</h2>
            <label class="field">
                <span>"Document version"</span>
                <select name="version">
                    <option value="">"Default version at runtime"</option>
                    <option value="$LATEST">"Latest version at runtime"</option>
                    {versions.into_iter().map(|v| {
                        let label = if v.is_default { format!("{} (Default)", v.number) } else { v.number.clone() };
                        view! { <option value=v.number>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <div class="actions">
                <button type="submit" class="button button-primary">"Next"</button>
            </div>
        </form>
        <RunbookDetailsView details />
    }
}
