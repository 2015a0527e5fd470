//! What a grant admits to a start: its runbooks, roles, modes, version and parameter rules, each
//! checked on the server whatever the form sent. A refused start starts nothing.

use aws_sdk_ssm::error::ProvideErrorMetadata;
use serde_json::json;

use crate::support::{content, forbidden, TestPortal, READ_ONLY_ROLE, ROLE};

const GRANTS: &str = r#"
[[grant]]
name = "Restart web"
users = ["sam"]
runbooks = ["Portal-RestartWithHealthCheck"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
[grant.parameters.InstanceId]
allowed = ["i-1234567890abcdef0"]
[grant.parameters.WarmUp]
fixed = "PT5S"
hidden = true

[[grant]]
name = "Notes"
users = ["sam"]
runbooks = ["Rules-Notes"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
[grant.parameters.Level]
fixed = "low"
[grant.parameters.Note]
hidden = true

[[grant]]
name = "Fixed role"
users = ["sam"]
runbooks = ["Rules-FixedRole"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]

[[grant]]
name = "Pinned"
users = ["sam"]
runbooks = ["Rules-Versioned"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
version = "1"
"#;

const RESTART: &str = "Portal-RestartWithHealthCheck";
const WEB_1: &str = "i-1234567890abcdef0";

fn sleeps() -> serde_json::Value {
    json!([{ "name": "settle", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } }])
}

async fn with_notes() -> TestPortal {
    let t = TestPortal::new(GRANTS).await;
    t.add_simple_runbook(
        "Rules-Notes",
        json!({
            "Level": { "type": "String", "default": "high" },
            "Note": { "type": "String", "default": "n" },
        }),
        sleeps(),
    )
    .await;
    t
}

/// The values execution `id` was started with, by AWS's account.
async fn parameter(t: &TestPortal, id: &str, name: &str) -> Vec<String> {
    t.execution(id)
        .await
        .parameters
        .unwrap_or_default()
        .remove(name)
        .unwrap_or_default()
}

#[tokio::test]
async fn without_a_grant_a_start_is_refused_and_nothing_starts() {
    let t = TestPortal::new(GRANTS).await;
    let vic = t.viewer("vic", &["visitors"]);
    let answer = t
        .start(
            &vic,
            RESTART,
            &[("p.InstanceId", WEB_1), ("p.AutomationAssumeRole", ROLE)],
        )
        .await;
    let refused = forbidden(answer);
    assert!(
        refused.contains(&format!("You have no grant to run {RESTART}")),
        "{refused}"
    );
    t.refusal("vic", "You have no grant").await;
    assert_eq!(t.started_count(RESTART).await, 0);
}

#[tokio::test]
async fn a_role_outside_the_grant_is_refused_and_nothing_starts() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    let answer = t
        .start(
            &sam,
            RESTART,
            &[
                ("p.InstanceId", WEB_1),
                ("p.AutomationAssumeRole", READ_ONLY_ROLE),
            ],
        )
        .await;
    let refused = forbidden(answer);
    assert!(
        refused.contains(&format!("does not allow the role {READ_ONLY_ROLE}")),
        "{refused}"
    );
    t.refusal("sam", "does not allow the role").await;
    assert_eq!(t.started_count(RESTART).await, 0);
}

#[tokio::test]
async fn a_fixed_value_cannot_be_overridden_and_is_put_in() {
    let t = with_notes().await;
    let sam = t.viewer("sam", &[]);
    t.refused_start(
        &sam,
        "Rules-Notes",
        &[("p.Level", "high"), ("p.AutomationAssumeRole", ROLE)],
        "sets Level to \"low\": it cannot be changed",
    )
    .await;

    // Left out, the grant's value runs, not the runbook's default ("high").
    let id = t.run(&sam, "Rules-Notes", &[]).await;
    assert_eq!(parameter(&t, &id, "Level").await, ["low"]);

    // An admin's form runs under no grant, even one that names them: the runbook's default runs.
    let sam_admin = t.viewer("sam", &["admins"]);
    let id = t.run(&sam_admin, "Rules-Notes", &[]).await;
    assert_eq!(parameter(&t, &id, "Level").await, ["high"]);
}

#[tokio::test]
async fn a_value_outside_the_allowed_ones_is_refused() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    t.refused_start(
        &sam,
        RESTART,
        &[
            ("p.InstanceId", "i-0a1b2c3d4e5f60718"),
            ("p.AutomationAssumeRole", ROLE),
        ],
        "does not allow \"i-0a1b2c3d4e5f60718\" for InstanceId",
    )
    .await;
}

#[tokio::test]
async fn a_hidden_parameter_cannot_be_given_and_its_fixed_value_stays_on_the_server() {
    let t = with_notes().await;
    let sam = t.viewer("sam", &[]);
    let refused = forbidden(
        t.start(
            &sam,
            "Rules-Notes",
            &[("p.Note", "mine"), ("p.AutomationAssumeRole", ROLE)],
        )
        .await,
    );
    assert!(
        refused.contains("leaves Note at the runbook's default"),
        "{refused}"
    );
    let refused = forbidden(
        t.start(
            &sam,
            RESTART,
            &[
                ("p.InstanceId", WEB_1),
                ("p.WarmUp", "PT1M"),
                ("p.AutomationAssumeRole", ROLE),
            ],
        )
        .await,
    );
    // Nor does the refusal tell the hidden value.
    assert!(
        refused.contains("sets WarmUp itself") && !refused.contains("PT5S"),
        "{refused}"
    );
    t.refusal("sam", "sets WarmUp").await;
    assert_eq!(t.started_count(RESTART).await, 0);
    assert_eq!(t.started_count("Rules-Notes").await, 0);

    // The rights the browser is sent never hold the hidden value; the run gets it.
    let rights = serde_json::to_string(sam.rights()).expect("rights serialise");
    assert!(
        rights.contains("WarmUp") && !rights.contains("PT5S"),
        "{rights}"
    );
    let id = t.run(&sam, RESTART, &[("p.InstanceId", WEB_1)]).await;
    assert_eq!(parameter(&t, &id, "WarmUp").await, ["PT5S"]);
}

#[tokio::test]
async fn a_runbook_acting_as_a_fixed_role_is_for_admins_only() {
    let t = TestPortal::new(GRANTS).await;
    let mut fixed = content(json!({}), sleeps());
    fixed["assumeRole"] = json!(READ_ONLY_ROLE);
    t.add_runbook("Rules-FixedRole", fixed).await;
    let refused = forbidden(
        t.start(
            &t.viewer("sam", &[]),
            "Rules-FixedRole",
            &[("p.AutomationAssumeRole", ROLE)],
        )
        .await,
    );
    assert!(
        refused.contains(&format!("acts as {READ_ONLY_ROLE} (its assumeRole)")),
        "{refused}"
    );
    t.refusal("sam", "only administrators may run it").await;
    assert_eq!(t.started_count("Rules-FixedRole").await, 0);

    t.run(&t.admin(), "Rules-FixedRole", &[]).await;
    assert_eq!(t.started_count("Rules-FixedRole").await, 1);
}

#[tokio::test]
async fn a_pinned_version_is_the_version_run_whatever_the_default() {
    let t = TestPortal::new(GRANTS).await;
    t.add_simple_runbook("Rules-Versioned", json!({}), sleeps())
        .await;
    let longer =
        json!([{ "name": "settle", "action": "aws:sleep", "inputs": { "Duration": "PT2S" } }]);
    let second = t
        .add_version("Rules-Versioned", content(json!({}), longer))
        .await;
    t.set_default_version("Rules-Versioned", &second).await;
    let sam = t.viewer("sam", &[]);

    // The default is now 2: the form's "default version" is checked as 2, and refused.
    let refused = forbidden(
        t.start(&sam, "Rules-Versioned", &[("p.AutomationAssumeRole", ROLE)])
            .await,
    );
    assert!(
        refused.contains("allows version 1 of Rules-Versioned only, not version 2"),
        "{refused}"
    );
    t.refusal("sam", "allows version 1").await;
    assert_eq!(t.started_count("Rules-Versioned").await, 0);

    let id = t.run(&sam, "Rules-Versioned", &[("version", "1")]).await;
    assert_eq!(
        t.execution(&id).await.document_version.as_deref(),
        Some("1")
    );
}

#[tokio::test]
async fn the_version_checked_is_the_version_sent() {
    let t = with_notes().await;
    let id = t.run(&t.viewer("sam", &[]), "Rules-Notes", &[]).await;
    // Sent as a number, not as "the default at runtime", which could move after the check.
    let started = t
        .audit()
        .await
        .into_iter()
        .find(|r| r.action.as_str() == "start" && r.execution_id == id)
        .expect("the start is recorded");
    assert_eq!(started.version, "1");
    assert_eq!(
        t.execution(&id).await.document_version.as_deref(),
        Some("1")
    );
}

#[tokio::test]
async fn a_start_sent_again_with_its_request_id_is_known_to_aws_and_starts_nothing_new() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    let id = t.run(&sam, RESTART, &[("p.InstanceId", WEB_1)]).await;
    let record = t
        .audit()
        .await
        .into_iter()
        .find(|r| r.execution_id == id)
        .expect("the start is in the audit trail");
    // The request id was the call's ClientToken: AWS refuses it for any other request, so a
    // replayed or retried call can only ever answer this execution.
    let replay = t
        .aws
        .ssm
        .start_automation_execution()
        .document_name(RESTART)
        .client_token(&record.request_id)
        .send()
        .await
        .expect_err("the token is taken");
    assert_eq!(
        replay.as_service_error().and_then(|e| e.code()),
        Some("IdempotentParameterMismatch"),
        "{replay:?}"
    );
    assert_eq!(t.started_count(RESTART).await, 1);
}
