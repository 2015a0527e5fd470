//! A panel's list as its resource answered: a sentence when there is nothing, the table, or the
//! error, said the same way on every page.

use leptos::prelude::*;

use crate::error::PortalError;

pub fn listing<T>(
    answer: Result<Vec<T>, PortalError>,
    empty: &'static str,
    table: impl FnOnce(Vec<T>) -> AnyView,
) -> AnyView {
    match answer {
        Ok(rows) if rows.is_empty() => view! { <p class="empty">{empty}</p> }.into_any(),
        Ok(rows) => table(rows),
        Err(e) => {
            view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any()
        }
    }
}
