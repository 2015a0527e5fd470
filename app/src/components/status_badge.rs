use leptos::prelude::*;

/// An execution or step status, coloured by what it means.
#[component]
pub fn StatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let tone = match status.as_str() {
        "Success" | "CompletedWithSuccess" => "success",
        "Failed" | "TimedOut" | "CompletedWithFailure" | "Rejected" => "error",
        "Cancelled" | "Cancelling" => "stopped",
        "Waiting" | "PendingApproval" => "waiting",
        "InProgress" => "progress",
        _ => "pending",
    };
    view! { <span class=format!("status status-{tone}")>{status}</span> }
}
