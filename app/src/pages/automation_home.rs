use leptos::prelude::*;
use leptos_meta::Title;

use crate::shell::{crumb, Breadcrumbs};

/// Automation's landing page. The executions list arrives here with its own work item.
#[component]
pub fn AutomationHome() -> impl IntoView {
    view! {
        <Title text="Automation" />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation")] />
        <div class="page-header">
            <h1>"Automation"</h1>
            <a class="button button-primary" href="/automation/execute">"Execute automation"</a>
        </div>
        <section class="panel">
            <h2>"Executions"</h2>
            <p>"Runbooks you start from this portal run with an IAM service role, as AutomationAssumeRole."</p>
        </section>
    }
}
