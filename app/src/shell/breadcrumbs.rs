use leptos::prelude::*;

/// The trail above a page's title (label, address); the last crumb is the page itself.
#[component]
pub fn Breadcrumbs(#[prop(into)] trail: Vec<(String, String)>) -> impl IntoView {
    let last = trail.len().saturating_sub(1);
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <ol>
                <li><a href="/automation">"Runbook Portal"</a></li>
                {trail.into_iter().enumerate().map(|(i, (label, href))| {
                    if i == last {
                        view! { <li aria-current="page">{label}</li> }.into_any()
                    } else {
                        view! { <li><a href=href>{label}</a></li> }.into_any()
                    }
                }).collect_view()}
            </ol>
        </nav>
    }
}

/// A crumb from string slices.
pub fn crumb(label: impl Into<String>, href: impl Into<String>) -> (String, String) {
    (label.into(), href.into())
}
