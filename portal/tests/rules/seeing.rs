//! Who may see an execution: its starter (and of its children) under an own-only grant, everyone
//! a grant with `executions = "all"` names, the approver who let it run, and admins.

use domain::approval::Decision;
use domain::executions::ExecutionFilters;
use serde_json::json;

use crate::support::{forbidden, TestPortal};

const GRANTS: &str = r#"
[[grant]]
name = "Own runs"
users = ["olive", "oscar"]
runbooks = ["Rules-Pause", "Rules-Fleet"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
modes = ["simple", "rate-control"]

[[grant]]
name = "Everyone's runs"
users = ["wanda"]
runbooks = ["Rules-Pause"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
executions = "all"

[[grant]]
name = "Four eyes"
users = ["rita"]
runbooks = ["Rules-Approved"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
approval = { users = ["lena"] }
# Not the approver: she sees what she approved as its approver, not as a step approver.
step_approvers = { users = ["sid"] }
"#;

async fn portal() -> TestPortal {
    let t = TestPortal::new(GRANTS).await;
    t.add_pausing_runbook("Rules-Pause").await;
    t.add_pausing_runbook("Rules-Other").await;
    t
}

#[tokio::test]
async fn an_own_only_grant_sees_its_own_runs_and_their_children_but_not_others() {
    let t = portal().await;
    let olive = t.viewer("olive", &["web"]);
    let oscar = t.viewer("oscar", &["web"]);
    let hers = t.waiting_run(&olive, "Rules-Pause").await;
    let his = t.waiting_run(&oscar, "Rules-Pause").await;

    assert_eq!(
        t.portal.may_see(&olive, &hers).await.expect("hers").id(),
        hers
    );
    let seen = t.portal.execution(&olive, &hers).await.expect("her run");
    assert_eq!(seen.summary.id, hers);
    let refused = forbidden(t.portal.execution(&olive, &his).await);
    assert!(refused.contains("You may not see execution"), "{refused}");
    t.refusal("olive", &his).await;

    // A rate-control run's children were started by the engine, not by her: still hers.
    t.add_simple_runbook(
        "Rules-Fleet",
        json!({ "Note": { "type": "String" } }),
        json!([{ "name": "settle", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } }]),
    )
    .await;
    let fleet = t
        .run(
            &olive,
            "Rules-Fleet",
            &[
                ("mode", "rate-control"),
                ("target-parameter", "Note"),
                ("p.Note", "first\nsecond"),
                ("concurrency", "10"),
                ("errors", "10"),
            ],
        )
        .await;
    let children = t.children_of("Rules-Fleet", &fleet, 2).await;
    for child in &children {
        t.portal
            .may_see(&olive, child)
            .await
            .expect("her run's child");
        forbidden(t.portal.may_see(&oscar, child).await);
    }
}

#[tokio::test]
async fn executions_all_shows_everyones_runs_of_its_runbooks_and_no_other_runbooks() {
    let t = portal().await;
    let wanda = t.viewer("wanda", &[]);
    let oscars = t.waiting_run(&t.viewer("oscar", &[]), "Rules-Pause").await;
    let other = t.waiting_run(&t.admin(), "Rules-Other").await;

    t.portal
        .may_see(&wanda, &oscars)
        .await
        .expect("everyone's runs");
    let refused = forbidden(t.portal.execution(&wanda, &other).await);
    assert!(
        refused.contains("none of your grants shows it"),
        "{refused}"
    );
    t.refusal("wanda", &other).await;
}

#[tokio::test]
async fn without_a_grant_nothing_is_seen() {
    let t = portal().await;
    let vic = t.viewer("vic", &["visitors"]);
    let run = t.waiting_run(&t.viewer("olive", &[]), "Rules-Pause").await;

    forbidden(t.portal.execution(&vic, &run).await);
    t.refusal("vic", &run).await;
    let listed = t
        .portal
        .list_executions(&vic, &ExecutionFilters::default())
        .await
        .expect("an empty list, not an error");
    assert!(listed.rows.is_empty(), "{:?}", listed.rows);
}

#[tokio::test]
async fn an_admin_sees_every_run_whoever_started_it() {
    let t = portal().await;
    let admin = t.admin();
    let olives = t.waiting_run(&t.viewer("olive", &[]), "Rules-Pause").await;
    let others = t.waiting_run(&admin, "Rules-Other").await;
    for id in [&olives, &others] {
        let view = t
            .portal
            .execution(&admin, id)
            .await
            .expect("admins see all");
        assert!(view.may.control, "admins control all");
    }
}

#[tokio::test]
async fn the_approver_of_a_request_sees_the_run_it_started_and_nobody_else_without_a_grant() {
    let t = portal().await;
    t.add_pausing_runbook("Rules-Approved").await;
    let rita = t.viewer("rita", &[]);
    let request = t.request(&rita, "Rules-Approved", &[]).await;
    // Lena has no grant to run it: she sees it only as its approver.
    let lena = t.viewer("lena", &["leads"]);
    t.portal
        .decide(&lena, &request, Decision::Approve, "go")
        .await
        .expect("the approver approves");
    let started = t
        .portal
        .approval(&lena, &request)
        .await
        .expect("the approver reads it")
        .request
        .execution_id;
    assert!(!started.is_empty());

    t.portal
        .may_see(&lena, &started)
        .await
        .expect("what she let run");
    t.portal
        .may_see(&rita, &started)
        .await
        .expect("her own run");
    forbidden(
        t.portal
            .may_see(&t.viewer("lou", &["leads"]), &started)
            .await,
    );
    t.refusal("lou", &started).await;
}

#[tokio::test]
async fn the_executions_list_leaves_out_what_the_viewer_may_not_see() {
    let t = portal().await;
    let olive = t.viewer("olive", &[]);
    let hers = t.waiting_run(&olive, "Rules-Pause").await;
    let his = t.waiting_run(&t.viewer("oscar", &[]), "Rules-Pause").await;
    let admins = t.waiting_run(&t.admin(), "Rules-Other").await;
    let ids = |page: domain::executions::ExecutionsPage| -> Vec<String> {
        page.rows.into_iter().map(|r| r.id).collect()
    };
    let all = ExecutionFilters::default();

    let shown = ids(t.portal.list_executions(&olive, &all).await.expect("list"));
    assert_eq!(shown, [hers.as_str()]);
    let shown = ids(t
        .portal
        .list_executions(&t.viewer("wanda", &[]), &all)
        .await
        .expect("list"));
    assert!(shown.contains(&hers) && shown.contains(&his), "{shown:?}");
    assert!(!shown.contains(&admins), "{shown:?}");
    let shown = ids(t
        .portal
        .list_executions(&t.admin(), &all)
        .await
        .expect("list"));
    for id in [&hers, &his, &admins] {
        assert!(shown.contains(id), "{shown:?}");
    }
    // Who started each run is told to those who see it.
    let rows = t
        .portal
        .list_executions(&olive, &all)
        .await
        .expect("list")
        .rows;
    assert_eq!(rows[0].started_by, "olive");
}
