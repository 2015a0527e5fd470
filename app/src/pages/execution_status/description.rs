//! The execution description: identity, status, mode, who and when, parent, targets, progress.

use leptos::prelude::*;

use crate::components::{clock, Moment, StatusBadge};
use crate::execution::{ExecutionSummary, Progress, Targeting};

#[component]
pub fn Description(summary: Memo<ExecutionSummary>) -> impl IntoView {
    let now = clock();
    move || {
        let s = summary.get();
        view! {
            <section class="panel">
                <h2>"Execution description"</h2>
                <dl class="facts">
                    <dt>"Execution ID"</dt><dd>{s.id.clone()}</dd>
                    <dt>"Document name"</dt><dd><a href=format!("/documents/{}", s.document)>{s.document.clone()}</a></dd>
                    <dt>"Document version"</dt><dd>{s.version.clone()}</dd>
                    <dt>"Execution status"</dt><dd data-field="status" aria-live="polite"><StatusBadge status=s.status.clone() /></dd>
                    <dt>"Mode"</dt><dd>{s.mode.clone()}</dd>
                    <dt>"Executed by"</dt><dd class="arn">{s.executed_by.clone()}</dd>
                    <dt>"Start time"</dt><dd><Moment at=s.start.clone() /></dd>
                    <dt>"End time"</dt><dd data-field="end"><Moment at=s.end.clone() /></dd>
                    <dt>"Duration"</dt><dd data-field="duration">{move || summary.with(|s| {
                        domain::time::duration(&s.start, &s.end, now.get()).unwrap_or_else(|| "–".into())
                    })}</dd>
                    {(!s.parent.is_empty()).then(|| view! {
                        <dt>"Parent execution"</dt><dd><a href=format!("/automation/executions/{}", s.parent)>{s.parent.clone()}</a></dd>
                    })}
                    {(!s.target.is_empty()).then(|| view! { <dt>"Target"</dt><dd>{s.target.clone()}</dd> })}
                    {s.targeting.as_ref().is_some_and(|t| !t.locations.is_empty()).then(|| view! { <dt>"Automation type"</dt><dd>"Multi-account and Region"</dd> })}
                    <dt>"Progress"</dt><dd data-field="progress">{progress(s.progress)}</dd>
                </dl>
                {s.targeting.clone().map(|t| view! { <TargetingFacts targeting=t /> })}
            </section>
        }
    }
}

fn progress(p: Progress) -> String {
    let mut parts = vec![format!("{} of {} steps succeeded", p.success, p.total)];
    for (n, what) in [
        (p.failed, "failed"),
        (p.cancelled, "cancelled"),
        (p.timed_out, "timed out"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.join(", ")
}

#[component]
fn TargetingFacts(targeting: Targeting) -> impl IntoView {
    let Targeting {
        target_parameter,
        targets,
        max_concurrency,
        max_errors,
        resolved,
        locations,
    } = targeting;
    view! {
        <h3>"Targets and rate control"</h3>
        <dl class="facts">
            {(!target_parameter.is_empty()).then(|| view! { <dt>"Parameter"</dt><dd>{target_parameter}</dd> })}
            {(!targets.is_empty()).then(|| view! { <dt>"Targets"</dt><dd><code>{targets.join(" ")}</code></dd> })}
            {(!resolved.is_empty()).then(|| view! { <dt>"Resolved targets"</dt><dd>{resolved.join(", ")}</dd> })}
            {(!max_concurrency.is_empty()).then(|| view! { <dt>"Concurrency"</dt><dd>{max_concurrency}</dd> })}
            {(!max_errors.is_empty()).then(|| view! { <dt>"Error threshold"</dt><dd>{max_errors}</dd> })}
            {(!locations.is_empty()).then(|| view! {
                <dt>"Target locations"</dt>
                <dd><ul class="plain">{locations.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul></dd>
            })}
        </dl>
    }
}

/// Name → values, as a definition list.
#[component]
pub fn Values(list: Vec<(String, Vec<String>)>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="hint">"None."</p> }.into_any();
    }
    view! {
        <dl class="facts">
            {list.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v.join(", ")}</dd> }).collect_view()}
        </dl>
    }
    .into_any()
}
