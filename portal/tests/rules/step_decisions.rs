//! Who decides an execution's `aws:approve` step. AWS sees only the portal as the approver, so
//! separation of duties lives in the portal: the starter never decides (under any of their
//! names), the grant's step approvers and admins do, nobody else.

use domain::execution::Control;
use serde_json::json;

use crate::support::{forbidden, TestPortal, PORTAL_ARN};

const GRANTS: &str = r#"
[[grant]]
name = "Approval-step runs"
users = ["bob", "carol"]
runbooks = ["Rules-ApproveStep"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
executions = "all"
step_approvers = { users = ["lena", "bob@login.example.com"] }
"#;

const RUNBOOK: &str = "Rules-ApproveStep";

/// A portal with a runbook that waits at an approval step, and a run of it by `starter`.
async fn waiting_for_a_decision(starter: &str) -> (TestPortal, String) {
    let t = TestPortal::new(GRANTS).await;
    t.add_simple_runbook(
        RUNBOOK,
        json!({ "Approvers": { "type": "StringList", "default": [PORTAL_ARN] } }),
        json!([
            { "name": "approve", "action": "aws:approve",
              "inputs": { "Approvers": "{{ Approvers }}", "MinRequiredApprovals": 1, "Message": "Go?" } },
            { "name": "settle", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } },
        ]),
    )
    .await;
    let id = t.run(&t.viewer(starter, &[]), RUNBOOK, &[]).await;
    t.wait_for(&id, &["Waiting"]).await;
    (t, id)
}

#[tokio::test]
async fn the_starter_never_decides_their_own_approval_step() {
    let (t, id) = waiting_for_a_decision("bob").await;
    let bob = t.viewer("bob", &[]);
    assert!(
        !t.portal
            .execution(&bob, &id)
            .await
            .expect("his run")
            .may
            .decide_steps
    );
    for control in [Control::Approve, Control::Reject] {
        let refused = forbidden(t.portal.control(&bob, &id, control, "", "me").await);
        assert!(refused.contains("you started it"), "{refused}");
    }
    t.refusal("bob", "you started it").await;
    assert_eq!(t.status(&id).await, "Waiting", "nothing was sent");
}

#[tokio::test]
async fn the_starter_under_their_other_name_does_not_decide_it_either() {
    let (t, id) = waiting_for_a_decision("bob").await;
    // A step approver of the grant, and the same Bob signed in by single sign-on.
    let sso_bob = t.viewer("bob@login.example.com", &[]);
    let refused = forbidden(t.portal.may_decide_step(&sso_bob, &id).await);
    assert!(refused.contains("you started it"), "{refused}");
    forbidden(
        t.portal
            .control(&sso_bob, &id, Control::Approve, "", "")
            .await,
    );
    t.refusal("bob@login.example.com", "you started it").await;
    assert_eq!(t.status(&id).await, "Waiting");

    // Carol's run he may decide: the refusal is about who started it.
    let carols = t.run(&t.viewer("carol", &[]), RUNBOOK, &[]).await;
    t.wait_for(&carols, &["Waiting"]).await;
    t.portal
        .may_decide_step(&sso_bob, &carols)
        .await
        .expect("a step approver decides another's run");
}

#[tokio::test]
async fn a_step_approver_decides_it_and_the_decision_is_audited() {
    let (t, id) = waiting_for_a_decision("bob").await;
    let lena = t.viewer("lena", &["leads"]);
    let view = t.portal.execution(&lena, &id).await.expect("she sees it");
    assert!(view.may.decide_steps && !view.may.control, "{:?}", view.may);
    t.portal
        .control(&lena, &id, Control::Approve, "", "Second pair of eyes")
        .await
        .expect("the step approver approves");
    t.wait_for(&id, &["Success"]).await;
    let decided = t.audit().await;
    assert!(
        decided.iter().any(|r| r.user == "lena"
            && r.action.as_str() == "approve"
            && r.outcome.as_str() == "succeeded"
            && r.execution_id == id
            && r.detail.contains("Second pair of eyes")),
        "{decided:#?}"
    );
}

#[tokio::test]
async fn others_cannot_decide_it_and_deciding_is_not_controlling() {
    let (t, id) = waiting_for_a_decision("bob").await;
    // Carol sees everyone's runs but is no step approver.
    let carol = t.viewer("carol", &[]);
    let refused = forbidden(
        t.portal
            .control(&carol, &id, Control::Approve, "", "")
            .await,
    );
    assert!(refused.contains("step_approvers"), "{refused}");
    t.refusal("carol", "step_approvers").await;
    // Lena decides it but may not cancel it.
    let lena = t.viewer("lena", &["leads"]);
    forbidden(t.portal.control(&lena, &id, Control::Cancel, "", "").await);
    t.refusal("lena", "You may not control").await;
    assert_eq!(t.status(&id).await, "Waiting");
    // An admin who did not start it decides.
    t.portal
        .may_decide_step(&t.admin(), &id)
        .await
        .expect("admins decide");
}
