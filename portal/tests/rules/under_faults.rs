//! What the portal promises when AWS misbehaves (faults injected in the emulator): a start is
//! never made twice, and says whether it happened; reads ride out brief throttling; every failure
//! says what went wrong and what to do, in words, not the SDK's dump; and live status keeps to a
//! budget of AWS calls below the account's rate limit, however many runs are watched.

use domain::audit::{Action, Outcome};
use domain::executions::ExecutionFilters;
use domain::PortalError;
use serde_json::json;

use crate::support::{TestPortal, ROLE};

const RUNBOOK: &str = "Faults-Sleep";

async fn portal() -> TestPortal {
    let t = TestPortal::new("").await;
    t.add_simple_runbook(
        RUNBOOK,
        json!({}),
        json!([{ "name": "settle", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } }]),
    )
    .await;
    t
}

/// The backend error's text; anything else fails the test.
fn backend_text<T: std::fmt::Debug>(answer: Result<T, PortalError>) -> String {
    match answer {
        Err(PortalError::Backend(text)) => {
            assert!(!text.contains("Error {"), "the SDK's dump: {text}");
            text
        }
        other => panic!("expected an AWS failure, got {other:?}"),
    }
}

/// The outcome and detail of the newest start in the audit trail.
async fn last_start(t: &TestPortal) -> (Outcome, String, String) {
    let record = t
        .audit()
        .await
        .into_iter()
        .find(|r| r.action == Action::Start)
        .expect("a start is recorded");
    (record.outcome, record.execution_id, record.detail)
}

#[tokio::test]
async fn a_start_whose_answer_is_lost_is_asked_again_with_its_token_and_runs_once() {
    let t = portal().await;
    t.inject(json!({ "operation": "StartAutomationExecution", "fault": "drop", "count": 1 }))
        .await;
    let id = t.run(&t.admin(), RUNBOOK, &[]).await;
    assert_eq!(
        t.executions_of(RUNBOOK).await,
        [(id.clone(), String::new())]
    );
    let (outcome, execution, _) = last_start(&t).await;
    assert_eq!((outcome, execution), (Outcome::Succeeded, id));
}

#[tokio::test]
async fn a_start_never_answered_says_it_may_have_started_and_is_recorded_as_unknown() {
    let t = portal().await;
    t.inject(json!({ "operation": "StartAutomationExecution", "fault": "drop", "count": 20 }))
        .await;
    let text = backend_text(
        t.start(&t.admin(), RUNBOOK, &[("p.AutomationAssumeRole", ROLE)])
            .await,
    );
    assert!(text.contains("It may have started all the same"), "{text}");
    assert!(text.contains("executions list"), "{text}");
    assert!(!text.contains("Nothing was started"), "{text}");
    // It did start, once, however often it was asked.
    assert_eq!(t.started_count(RUNBOOK).await, 1);
    let (outcome, _, detail) = last_start(&t).await;
    assert_eq!(outcome, Outcome::Interrupted);
    assert!(detail.contains("may have started"), "{detail}");
}

#[tokio::test]
async fn a_start_throttled_past_the_retries_starts_nothing_and_says_to_wait() {
    let t = portal().await;
    t.inject(json!({ "operation": "StartAutomationExecution", "fault": "throttle", "count": 20 }))
        .await;
    let text = backend_text(
        t.start(&t.admin(), RUNBOOK, &[("p.AutomationAssumeRole", ROLE)])
            .await,
    );
    assert!(text.contains("(ThrottlingException)"), "{text}");
    assert!(text.contains("wait a minute and try again"), "{text}");
    assert!(text.contains("Nothing was started"), "{text}");
    assert_eq!(t.started_count(RUNBOOK).await, 0);
    assert_eq!(last_start(&t).await.0, Outcome::Failed);
}

#[tokio::test]
async fn reads_ride_out_brief_throttling_and_explain_a_long_one() {
    let t = portal().await;
    let admin = t.admin();
    let id = t.run(&admin, RUNBOOK, &[]).await;
    // Two throttled calls: the SDK's retries (three attempts, backing off) get through.
    t.inject(
        json!({ "operation": "DescribeAutomationExecutions", "fault": "throttle", "count": 2 }),
    )
    .await;
    let page = t
        .portal
        .list_executions(&admin, &ExecutionFilters::default())
        .await
        .expect("listed after two retries");
    assert!(page.rows.iter().any(|row| row.id == id));
    // Throttled for longer than the retries last: the page says so and what to do.
    t.inject(
        json!({ "operation": "DescribeAutomationExecutions", "fault": "throttle", "count": 20 }),
    )
    .await;
    let text = backend_text(
        t.portal
            .list_executions(&admin, &ExecutionFilters::default())
            .await,
    );
    assert!(text.contains("wait a minute and try again"), "{text}");
}

#[tokio::test]
async fn expired_credentials_and_failures_on_aws_side_say_who_must_act() {
    let t = portal().await;
    let admin = t.admin();
    let id = t.run(&admin, RUNBOOK, &[]).await;
    t.inject(json!({ "operation": "GetAutomationExecution", "fault": "expired_credentials", "count": 1 }))
        .await;
    let text = backend_text(t.portal.execution(&admin, &id).await);
    assert!(
        text.contains("credentials have expired: an administrator must renew them"),
        "{text}"
    );
    t.inject(json!({ "operation": "GetAutomationExecution", "fault": "unavailable", "count": 20 }))
        .await;
    let text = backend_text(t.portal.execution(&admin, &id).await);
    assert!(
        text.contains("on AWS's side: try again in a moment"),
        "{text}"
    );
}

#[tokio::test]
async fn thirty_watched_runs_keep_to_the_poll_budget_and_never_meet_the_accounts_rate_limit() {
    let t = portal().await;
    // Ten hours on the emulator's clock: running, and polled every second, for the whole test.
    t.add_simple_runbook(
        "Faults-Long",
        json!({}),
        json!([{ "name": "wait", "action": "aws:sleep", "inputs": { "Duration": "PT10H" } }]),
    )
    .await;
    let admin = t.admin();
    let mut ids = Vec::new();
    for _ in 0..30 {
        ids.push(t.run(&admin, "Faults-Long", &[]).await);
    }
    // The account's rate limit for GetAutomationExecution, as AWS enforces it: 12 a second.
    t.inject(
        json!({ "operation": "GetAutomationExecution", "fault": "throttle", "per_second": 12 }),
    )
    .await;
    let mut streams = Vec::new();
    for id in &ids {
        let visible = t.portal.may_see(&admin, id).await.expect("visible");
        streams.push(t.portal.follow(&visible, None));
    }
    let before = t.ssm_calls("GetAutomationExecution").await;
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let polls = t.ssm_calls("GetAutomationExecution").await - before;
    // Thirty watchers would poll 30 times a second; the budget (10 a second) holds them to about
    // 40 in 4 s, each in turn, and the account's limit is never met.
    // Slots are 100 ms apart: never more than the budget; a slow machine may make fewer.
    assert!((20..=45).contains(&polls), "{polls} polls in 4 s");
    assert_eq!(t.faults_struck().await, 0, "throttled by AWS");
    for stream in &mut streams {
        let first = tokio::time::timeout(std::time::Duration::from_secs(1), stream.next())
            .await
            .expect("each run had its turn")
            .expect("a frame");
        assert_eq!(first.event, domain::execution::event::EXECUTION);
    }
}

#[tokio::test]
async fn after_aws_restarts_the_portal_carries_on_without_a_restart_of_its_own() {
    let mut t = portal().await;
    let admin = t.admin();
    let before = t.run(&admin, RUNBOOK, &[]).await;
    let visible = t.portal.may_see(&admin, &before).await.expect("visible");
    let mut stream = t.portal.follow(&visible, None);
    stream.next().await.expect("the run's state");
    t.restart_emulator().await;
    // The restarted emulator knows nothing of the run: its stream says so and ends.
    let ended = tokio::time::timeout(std::time::Duration::from_secs(15), async {
        let mut last = None;
        while let Some(frame) = stream.next().await {
            last = Some(frame.event);
        }
        last
    })
    .await
    .expect("the stream ends");
    assert_eq!(ended, Some(backend::watch::Frame::END));
    // Everything else works again, on the same clients: a list, a start, its live status.
    t.portal
        .list_executions(&admin, &ExecutionFilters::default())
        .await
        .expect("listed after the restart");
    t.add_simple_runbook(
        RUNBOOK,
        json!({}),
        json!([{ "name": "settle", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } }]),
    )
    .await;
    let after = t.run(&admin, RUNBOOK, &[]).await;
    let visible = t.portal.may_see(&admin, &after).await.expect("visible");
    let mut stream = t.portal.follow(&visible, None);
    let first = stream.next().await.expect("the new run's state");
    assert_eq!(first.event, domain::execution::event::EXECUTION);
    t.wait_for(&after, &["Success"]).await;
}

#[tokio::test]
async fn a_start_failing_on_aws_side_may_have_started_and_says_so() {
    let t = portal().await;
    t.inject(
        json!({ "operation": "StartAutomationExecution", "fault": "internal_error", "count": 20 }),
    )
    .await;
    let text = backend_text(
        t.start(&t.admin(), RUNBOOK, &[("p.AutomationAssumeRole", ROLE)])
            .await,
    );
    assert!(text.contains("(InternalServerError)"), "{text}");
    assert!(text.contains("It may have started all the same"), "{text}");
    assert_eq!(last_start(&t).await.0, Outcome::Interrupted);
}
