//! Which parts of the browser bundle a page loads. Pages are rendered whole on the server; in the
//! browser only their islands hydrate (`#[island]`): the form that starts a runbook, the live
//! executions list, execution and step, the catalog's stars, and the shell's switches.
//! The build (`scripts/site-pack`) cuts the module at the lazy islands (`#[island(lazy)]`): the
//! main module holds the reactive system and the shell's small islands; each lazy island is a
//! chunk, and code two of them share a chunk of its own. So a page loads the code of the islands
//! it shows and nothing of the others.
//!
//! The hydration script finds the page's islands (`<leptos-island data-component>`) and asks for
//! their chunks with the main module; once someone is at the page, it prefetches the chunks of
//! the page it leads to most.

use std::collections::HashMap;
use std::sync::Arc;

/// The lazy islands of the page the page at `path` leads to most, other than its own: the form
/// from the catalog and a runbook's page (Next, Execute), the execution from the form (Execute),
/// the executions list from signing in.
pub fn next_islands_of(path: &str) -> &'static [&'static str] {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["login"] => &["executions_table"],
        ["automation"] => &["catalog_list"],
        ["automation", "execute"] | ["documents", _] => &["form_checks", "role_picker"],
        ["automation", "execute", _] => &["live_execution"],
        _ => &[],
    }
}

/// Each lazy island's chunk files (without `.wasm`), by the island's name in snake case, read
/// once from what the build wrote of each split point (`site/bundle.json`); the server provides it.
#[derive(Clone, Debug, Default)]
pub struct Chunks(Arc<[(String, Vec<String>)]>);

impl Chunks {
    /// From the files each split point needs. The splitter names a lazy island's split point
    /// `<island>_loader_<hash digits>`; other split points are left out.
    pub fn of_islands(needs: &HashMap<String, Vec<String>>) -> Self {
        let mut islands: Vec<(String, Vec<String>)> = needs
            .iter()
            .filter_map(|(point, files)| {
                let (island, hash) = point.rsplit_once("_loader_")?;
                let digits = !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit());
                digits.then(|| (island.to_owned(), files.clone()))
            })
            .collect();
        islands.sort();
        Self(islands.into())
    }

    pub fn by_island(&self) -> &[(String, Vec<String>)] {
        &self.0
    }
}

/// The chunks of every lazy island, and those of the islands of the page this one leads to (to
/// fetch once someone is there); none outside a request.
#[cfg(feature = "ssr")]
pub fn chunks_of_this_page() -> (Chunks, Vec<String>) {
    use leptos::prelude::use_context;

    let path = use_context::<http::request::Parts>()
        .map(|parts| parts.uri.path().to_owned())
        .unwrap_or_default();
    let islands = use_context::<Chunks>().unwrap_or_default();
    let mut next: Vec<String> = islands
        .by_island()
        .iter()
        .filter(|(island, _)| next_islands_of(&path).contains(&island.as_str()))
        .flat_map(|(_, files)| files.iter().cloned())
        .collect();
    next.sort();
    next.dedup();
    (islands, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_island_is_its_split_point_without_the_loader_and_hash() {
        let chunks = Chunks::of_islands(&HashMap::from([
            (
                "wizard_loader_123".to_owned(),
                vec!["chunk_1".to_owned(), "split_wizard_loader_123".to_owned()],
            ),
            (
                "executions_table_loader_456".to_owned(),
                vec!["chunk_1".to_owned()],
            ),
            ("not_an_island_789".to_owned(), vec!["chunk_2".to_owned()]),
            ("odd_loader_12x".to_owned(), vec!["chunk_3".to_owned()]),
        ]));
        assert_eq!(
            chunks.by_island(),
            [
                ("executions_table".to_owned(), vec!["chunk_1".to_owned()]),
                (
                    "wizard".to_owned(),
                    vec!["chunk_1".to_owned(), "split_wizard_loader_123".to_owned()]
                ),
            ]
        );
    }

    #[test]
    fn the_pages_of_the_procedure_lead_on() {
        assert_eq!(
            next_islands_of("/automation/execute"),
            ["form_checks", "role_picker"]
        );
        assert_eq!(
            next_islands_of("/documents/X"),
            ["form_checks", "role_picker"]
        );
        assert_eq!(next_islands_of("/automation/execute/X"), ["live_execution"]);
        assert!(next_islands_of("/audit").is_empty());
    }
}
