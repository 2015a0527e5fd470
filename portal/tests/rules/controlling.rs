//! Who may cancel, step, complete and resume an execution: seeing it is not enough. Its starter
//! may, others where a grant says `control = "all"`, an approver where the grant's
//! `approval.control` says so, and admins.

use domain::approval::Decision;
use domain::execution::Control;
use serde_json::json;

use crate::support::{forbidden, TestPortal};

const GRANTS: &str = r#"
[[grant]]
name = "Own runs, everyone's seen"
users = ["olive", "oscar", "wanda"]
runbooks = ["Rules-Pause", "Rules-Manual"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
modes = ["simple", "manual"]
executions = "all"

[[grant]]
name = "Operators"
users = ["otto"]
runbooks = ["Rules-Pause"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
executions = "all"
control = "all"

[[grant]]
name = "Approver controls"
users = ["rita"]
runbooks = ["Rules-Approved"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
approval = { users = ["lena"], control = true }

[[grant]]
name = "Approver follows"
users = ["rita"]
runbooks = ["Rules-ApprovedPlain"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
approval = { users = ["lena"] }
"#;

async fn portal() -> TestPortal {
    let t = TestPortal::new(GRANTS).await;
    t.add_pausing_runbook("Rules-Pause").await;
    t
}

const CANCELLED: [&str; 2] = ["Cancelling", "Cancelled"];

#[tokio::test]
async fn seeing_is_not_controlling_executions_all_cannot_cancel_anothers_run() {
    let t = portal().await;
    let wanda = t.viewer("wanda", &[]);
    let oscars = t.waiting_run(&t.viewer("oscar", &[]), "Rules-Pause").await;

    let view = t
        .portal
        .execution(&wanda, &oscars)
        .await
        .expect("she sees it");
    assert!(!view.may.control, "the page offers her no controls");
    for control in [Control::Cancel, Control::Resume, Control::Complete] {
        let refused = forbidden(t.portal.control(&wanda, &oscars, control, "", "").await);
        assert!(
            refused.contains("You may not control execution"),
            "{refused}"
        );
    }
    forbidden(t.portal.may_control(&wanda, &oscars).await);
    t.refusal("wanda", "You may not control execution").await;
    assert_eq!(t.status(&oscars).await, "Waiting", "nothing was sent");
}

#[tokio::test]
async fn control_all_cancels_anothers_run() {
    let t = portal().await;
    let otto = t.viewer("otto", &[]);
    let oscars = t.waiting_run(&t.viewer("oscar", &[]), "Rules-Pause").await;
    assert!(
        t.portal
            .execution(&otto, &oscars)
            .await
            .expect("seen")
            .may
            .control
    );
    t.portal
        .control(&otto, &oscars, Control::Cancel, "", "")
        .await
        .expect("control = \"all\" cancels");
    t.wait_for(&oscars, &CANCELLED).await;
}

#[tokio::test]
async fn the_starter_controls_their_own_run() {
    let t = portal().await;
    let oscar = t.viewer("oscar", &[]);
    let his = t.waiting_run(&oscar, "Rules-Pause").await;
    t.portal
        .control(&oscar, &his, Control::Resume, "", "")
        .await
        .expect("he resumes his run");
    t.wait_for(&his, &["Success"]).await;
    let again = t.waiting_run(&oscar, "Rules-Pause").await;
    t.portal
        .control(&oscar, &again, Control::Cancel, "", "")
        .await
        .expect("he cancels his run");
    t.wait_for(&again, &CANCELLED).await;
}

#[tokio::test]
async fn an_approver_controls_what_they_approved_only_where_the_grant_says_control() {
    let t = portal().await;
    t.add_pausing_runbook("Rules-Approved").await;
    t.add_pausing_runbook("Rules-ApprovedPlain").await;
    let rita = t.viewer("rita", &[]);
    let lena = t.viewer("lena", &["leads"]);
    let mut started = Vec::new();
    for runbook in ["Rules-Approved", "Rules-ApprovedPlain"] {
        let request = t.request(&rita, runbook, &[]).await;
        t.portal
            .decide(&lena, &request, Decision::Approve, "ok")
            .await
            .expect("approved");
        let id = t
            .portal
            .approval(&lena, &request)
            .await
            .expect("read")
            .request
            .execution_id;
        t.wait_for(&id, &["Waiting"]).await;
        started.push(id);
    }
    let (controlled, followed) = (&started[0], &started[1]);

    // approval.control = false: she follows it, but may not cancel it.
    assert!(
        !t.portal
            .execution(&lena, followed)
            .await
            .expect("seen")
            .may
            .control
    );
    forbidden(
        t.portal
            .control(&lena, followed, Control::Cancel, "", "")
            .await,
    );
    t.refusal("lena", followed).await;
    assert_eq!(t.status(followed).await, "Waiting");

    t.portal
        .control(&lena, controlled, Control::Cancel, "", "")
        .await
        .expect("approval.control = true: she cancels what she approved");
    t.wait_for(controlled, &CANCELLED).await;
}

#[tokio::test]
async fn an_admin_controls_any_run() {
    let t = portal().await;
    let oscars = t.waiting_run(&t.viewer("oscar", &[]), "Rules-Pause").await;
    t.portal
        .control(&t.admin(), &oscars, Control::Cancel, "", "")
        .await
        .expect("admins control all");
    t.wait_for(&oscars, &CANCELLED).await;
}

#[tokio::test]
async fn someone_who_cannot_see_a_run_cannot_control_it() {
    let t = portal().await;
    let oscars = t.waiting_run(&t.viewer("oscar", &[]), "Rules-Pause").await;
    let refused = forbidden(
        t.portal
            .control(&t.viewer("vic", &[]), &oscars, Control::Cancel, "", "")
            .await,
    );
    assert!(refused.contains("You may not see execution"), "{refused}");
    t.refusal("vic", &oscars).await;
    assert_eq!(t.status(&oscars).await, "Waiting");
}

#[tokio::test]
async fn in_manual_mode_a_non_admin_executes_only_the_next_step() {
    let t = portal().await;
    t.add_simple_runbook(
        "Rules-Manual",
        json!({}),
        json!([
            { "name": "first", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } },
            { "name": "second", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } },
        ]),
    )
    .await;
    let olive = t.viewer("olive", &[]);
    let id = t.run(&olive, "Rules-Manual", &[("mode", "manual")]).await;
    t.wait_for(&id, &["Waiting"]).await;

    let refused = forbidden(
        t.portal
            .control(&olive, &id, Control::ExecuteStep, "second", "")
            .await,
    );
    assert!(
        refused.contains("only the next step (first) may run"),
        "{refused}"
    );
    t.refusal("olive", "only the next step").await;
    let ran: Vec<String> = t
        .execution(&id)
        .await
        .step_executions()
        .iter()
        .filter(|s| s.step_name() == Some("second"))
        .filter_map(|s| s.step_status().map(|st| st.as_str().to_owned()))
        .filter(|status| status != "Pending")
        .collect();
    assert!(ran.is_empty(), "the second step did not run: {ran:?}");

    t.portal
        .control(&olive, &id, Control::ExecuteStep, "first", "")
        .await
        .expect("the next step runs");
}
