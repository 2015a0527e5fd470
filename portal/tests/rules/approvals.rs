//! Four eyes: a start under a grant with `approval` waits as a request until another person, one
//! of the grant's approvers, approves it; the portal then starts it, checked as the requester
//! is now, under the grants in force then, at the version that was reviewed.

use domain::approval::Decision;
use domain::PortalError;
use serde_json::json;

use crate::support::{content, forbidden, invalid, TestPortal};

const GRANTS: &str = r#"
[auditors]
users = ["audrey"]

[[grant]]
name = "Four eyes"
users = ["rita", "gone"]
runbooks = ["Rules-Approved"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
approval = { users = ["lena", "luke", "lou", "rita@login.example.com"] }
"#;

const RUNBOOK: &str = "Rules-Approved";

async fn portal() -> TestPortal {
    let t = TestPortal::new(GRANTS).await;
    t.add_simple_runbook(
        RUNBOOK,
        json!({}),
        json!([{ "name": "settle", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } }]),
    )
    .await;
    t
}

/// A portal and a request by rita, waiting.
async fn waiting_request() -> (TestPortal, String) {
    let t = portal().await;
    let id = t.request(&t.viewer("rita", &[]), RUNBOOK, &[]).await;
    (t, id)
}

async fn status_of(t: &TestPortal, id: &str) -> String {
    t.portal
        .approval(&t.admin(), id)
        .await
        .expect("admins read every request")
        .request
        .status
}

#[tokio::test]
async fn a_grant_with_approval_makes_a_start_wait_for_approval() {
    let (t, id) = waiting_request().await;
    assert_eq!(
        t.started_count(RUNBOOK).await,
        0,
        "nothing runs before approval"
    );
    let rita = t.viewer("rita", &[]);
    let own = t.portal.approval(&rita, &id).await.expect("hers");
    assert_eq!(own.request.status, "pending");
    assert!(own.may_withdraw && !own.may_decide, "{own:?}");
    let lena = t.viewer("lena", &["leads"]);
    assert!(
        t.portal
            .approval(&lena, &id)
            .await
            .expect("hers to decide")
            .may_decide
    );
    let listed = t.portal.approvals(&lena, "").await.expect("her list");
    assert!(listed.requests.iter().any(|r| r.request.id == id));
}

#[tokio::test]
async fn the_requester_cannot_approve_their_own_request_under_any_of_their_names() {
    let (t, id) = waiting_request().await;
    for name in ["rita", "rita@login.example.com"] {
        let refused = forbidden(
            t.portal
                .decide(&t.viewer(name, &[]), &id, Decision::Approve, "me")
                .await,
        );
        assert!(refused.contains("four eyes"), "{refused}");
        t.refusal(name, "four eyes").await;
    }
    assert_eq!(status_of(&t, &id).await, "pending");
    assert_eq!(t.started_count(RUNBOOK).await, 0);
}

#[tokio::test]
async fn someone_who_is_not_an_approver_cannot_decide_a_request() {
    let (t, id) = waiting_request().await;
    // An auditor sees every request, and decides none.
    let audrey = t.viewer("audrey", &[]);
    t.portal
        .approval(&audrey, &id)
        .await
        .expect("auditors see it");
    let refused = forbidden(t.portal.decide(&audrey, &id, Decision::Approve, "").await);
    assert!(refused.contains("You are not an approver"), "{refused}");
    t.refusal("audrey", "You are not an approver").await;
    // Anyone else does not even learn that it exists.
    let refused = forbidden(
        t.portal
            .decide(&t.viewer("mallory", &[]), &id, Decision::Reject, "no")
            .await,
    );
    assert!(
        refused.contains("You may not see approval request"),
        "{refused}"
    );
    t.refusal("mallory", &id).await;
    assert_eq!(status_of(&t, &id).await, "pending");
    assert_eq!(t.started_count(RUNBOOK).await, 0);
}

#[tokio::test]
async fn a_rejection_needs_a_comment() {
    let (t, id) = waiting_request().await;
    let lena = t.viewer("lena", &["leads"]);
    let errors = invalid(t.portal.decide(&lena, &id, Decision::Reject, "").await);
    assert_eq!(errors[0].field, "comment");
    assert_eq!(status_of(&t, &id).await, "pending");
    t.portal
        .decide(&lena, &id, Decision::Reject, "not tonight")
        .await
        .expect("rejected with a reason");
    assert_eq!(status_of(&t, &id).await, "rejected");
    assert_eq!(t.started_count(RUNBOOK).await, 0);
}

#[tokio::test]
async fn only_the_requester_withdraws_a_request() {
    let (t, id) = waiting_request().await;
    let refused = forbidden(
        t.portal
            .decide(&t.viewer("lena", &["leads"]), &id, Decision::Withdraw, "")
            .await,
    );
    assert!(refused.contains("Only rita may withdraw"), "{refused}");
    t.refusal("lena", "Only rita may withdraw").await;
    assert_eq!(status_of(&t, &id).await, "pending");
    t.portal
        .decide(&t.viewer("rita", &[]), &id, Decision::Withdraw, "")
        .await
        .expect("the requester withdraws");
    assert_eq!(status_of(&t, &id).await, "withdrawn");
}

#[tokio::test]
async fn a_decided_request_cannot_be_decided_again() {
    let (t, id) = waiting_request().await;
    t.portal
        .decide(&t.viewer("lena", &["leads"]), &id, Decision::Approve, "ok")
        .await
        .expect("approved");
    assert_eq!(status_of(&t, &id).await, "started");
    let luke = t.viewer("luke", &[]);
    for decision in [Decision::Approve, Decision::Reject] {
        let errors = invalid(t.portal.decide(&luke, &id, decision, "late").await);
        assert!(errors[0].message.contains("already decided"), "{errors:?}");
    }
    let withdrawn = t
        .portal
        .decide(&t.viewer("rita", &[]), &id, Decision::Withdraw, "")
        .await;
    assert!(invalid(withdrawn)[0].message.contains("already decided"));
    assert_eq!(t.started_count(RUNBOOK).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_approvals_start_exactly_one_execution() {
    let (t, id) = waiting_request().await;
    let approvers = ["lena", "luke", "lou"].map(|name| t.viewer(name, &[]));
    let portal = t.portal.clone();
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..50 {
        let (portal, id, approver) = (portal.clone(), id.clone(), approvers[i % 3].clone());
        attempts.spawn(async move {
            portal
                .decide(&approver, &id, Decision::Approve, "race")
                .await
        });
    }
    let mut approved = 0;
    let mut already = 0;
    while let Some(done) = attempts.join_next().await {
        match done.expect("the attempt ran") {
            Ok(()) => approved += 1,
            Err(PortalError::Invalid(_)) => already += 1,
            Err(other) => panic!("an attempt failed otherwise: {other:?}"),
        }
    }
    assert_eq!((approved, already), (1, 49));
    assert_eq!(t.started_count(RUNBOOK).await, 1);
}

#[tokio::test]
async fn an_approved_start_is_checked_against_the_grants_in_force_when_approved() {
    let (t, id) = waiting_request().await;
    // The grant now allows another role only: the request no longer fits it.
    t.set_grants(&GRANTS.replace("AmazonSSMAutomationRole", "SSMAutomationReadOnlyRole"));
    let answer = t
        .portal
        .decide(&t.viewer("lena", &["leads"]), &id, Decision::Approve, "ok")
        .await;
    let refused = forbidden(answer);
    assert!(
        refused.contains("no longer fits the grants in force"),
        "{refused}"
    );
    assert_eq!(status_of(&t, &id).await, "failed");
    assert_eq!(t.started_count(RUNBOOK).await, 0);
    let trail = t.audit().await;
    assert!(
        trail.iter().any(|r| r.user == "lena"
            && r.action.as_str() == "approve-request"
            && r.outcome.as_str() == "failed"),
        "{trail:#?}"
    );
}

#[tokio::test]
async fn an_approval_runs_the_version_the_approver_reviewed() {
    let (t, id) = waiting_request().await;
    let steps =
        json!([{ "name": "later", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } }]);
    let second = t.add_version(RUNBOOK, content(json!({}), steps)).await;
    t.set_default_version(RUNBOOK, &second).await;
    let lena = t.viewer("lena", &["leads"]);
    assert_eq!(
        t.portal
            .approval(&lena, &id)
            .await
            .expect("read")
            .request
            .version,
        "1"
    );
    t.portal
        .decide(&lena, &id, Decision::Approve, "v1 reviewed")
        .await
        .expect("approved");
    let started = t
        .portal
        .approval(&lena, &id)
        .await
        .expect("read")
        .request
        .execution_id;
    assert_eq!(
        t.execution(&started).await.document_version.as_deref(),
        Some("1")
    );
}

#[tokio::test]
async fn a_requester_whose_account_was_removed_is_not_started_for() {
    let t = portal().await;
    t.users
        .add("gone", &["requesters".to_owned()], "a password for gone")
        .await
        .expect("the account is added");
    let id = t
        .request(&t.viewer("gone", &["requesters"]), RUNBOOK, &[])
        .await;
    t.users
        .remove("gone")
        .await
        .expect("the account is removed");
    let refused = forbidden(
        t.portal
            .decide(&t.viewer("lena", &["leads"]), &id, Decision::Approve, "ok")
            .await,
    );
    assert!(
        refused.contains("the account gone no longer exists"),
        "{refused}"
    );
    assert_eq!(t.started_count(RUNBOOK).await, 0);
}
