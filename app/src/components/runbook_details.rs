use leptos::prelude::*;

use crate::runbook::RunbookDetails;

/// A runbook version's description, facts, parameters, steps, versions and content.
#[component]
pub fn RunbookDetailsView(details: RunbookDetails) -> impl IntoView {
    let RunbookDetails {
        name,
        reference: _,
        owner,
        version,
        default_version,
        latest_version,
        versions,
        description_html,
        parameters,
        steps,
        content_json,
        content_yaml,
        assume_role: _,
        categories,
        platform_types,
        target_type,
    } = details;
    view! {
        <section class="panel runbook-details" aria-label=format!("Runbook {name}")>
            <h2>{name.clone()}</h2>
            // Rendered on the server from Markdown with raw HTML neutralised.
            <div class="markdown" inner_html=description_html></div>
            <dl class="facts">
                <dt>"Owner"</dt><dd>{owner}</dd>
                <dt>"Version shown"</dt><dd>{version}</dd>
                <dt>"Default version"</dt><dd>{default_version}</dd>
                <dt>"Latest version"</dt><dd>{latest_version}</dd>
                <dt>"Platforms"</dt><dd>{platform_types.join(", ")}</dd>
                <dt>"Categories"</dt><dd>{categories.join(", ")}</dd>
                <dt>"Target type"</dt><dd>{target_type.unwrap_or_else(|| "–".into())}</dd>
            </dl>
            <h3>"Parameters"</h3>
            <table class="table">
                <thead><tr><th>"Name"</th><th>"Type"</th><th>"Required"</th><th>"Default"</th><th>"Description"</th></tr></thead>
                <tbody>
                    {parameters.into_iter().map(|p| {
                        let required = if p.is_required() { "Yes" } else { "No" };
                        view! {
                            <tr>
                                <td><code>{p.name}</code></td>
                                <td>{p.kind}</td>
                                <td>{required}</td>
                                <td>{p.default.unwrap_or_default()}</td>
                                <td>{p.description}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"Steps"</h3>
            <table class="table">
                <thead><tr><th>"#"</th><th>"Name"</th><th>"Action"</th><th>"Description"</th></tr></thead>
                <tbody>
                    {steps.into_iter().enumerate().map(|(i, s)| view! {
                        <tr>
                            <td>{i + 1}</td>
                            <td>{s.name}</td>
                            <td><code>{s.action}</code></td>
                            <td>{s.description}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"Versions"</h3>
            <ul class="versions">
                {versions.into_iter().map(|v| {
                    let label = if v.is_default { format!("{} (Default)", v.number) } else { v.number.clone() };
                    view! { <li>{label} " — " {v.created}</li> }
                }).collect_view()}
            </ul>
            <details class="content">
                <summary>"Content (JSON)"</summary>
                <pre><code>{content_json}</code></pre>
            </details>
            <details class="content">
                <summary>"Content (YAML)"</summary>
                <pre><code>{content_yaml}</code></pre>
            </details>
        </section>
    }
}
