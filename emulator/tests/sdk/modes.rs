//! Execution modes and quotas through the SDK: Interactive (step by step), rate control over
//! targets, multi-account and Region runs, the running / queued quotas and ClientToken.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_ssm::types::{
    AutomationExecutionFilter, AutomationExecutionFilterKey, AutomationExecutionStatus,
    ExecutionMode, SignalType, Target, TargetLocation,
};
use aws_sdk_ssm::Client;

use crate::automation::{
    create_runbook, params, start, status, step_statuses, wait_for, wait_for_end, AUTOMATION_ROLE,
    WEB_1,
};
use crate::{code_and_message, TestEmulator};

fn filter(key: AutomationExecutionFilterKey, value: &str) -> AutomationExecutionFilter {
    AutomationExecutionFilter::builder()
        .key(key)
        .values(value)
        .build()
        .expect("filter")
}

async fn children(
    ssm: &Client,
    parent: &str,
) -> Vec<aws_sdk_ssm::types::AutomationExecutionMetadata> {
    ssm.describe_automation_executions()
        .filters(filter(
            AutomationExecutionFilterKey::ParentExecutionId,
            parent,
        ))
        .send()
        .await
        .expect("DescribeAutomationExecutions")
        .automation_execution_metadata_list()
        .to_vec()
}

async fn signal(
    ssm: &Client,
    id: &str,
    kind: SignalType,
    payload: &[(&str, &str)],
) -> Result<(), (String, String)> {
    let payload: HashMap<String, Vec<String>> = payload
        .iter()
        .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
        .collect();
    ssm.send_automation_signal()
        .automation_execution_id(id)
        .signal_type(kind)
        .set_payload((!payload.is_empty()).then_some(payload))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code_and_message(&e))
}

async fn start_interactive(ssm: &Client, document: &str, parameters: &[(&str, &[&str])]) -> String {
    ssm.start_automation_execution()
        .document_name(document)
        .mode(ExecutionMode::Interactive)
        .set_parameters(Some(params(parameters)))
        .send()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned()
}

#[tokio::test]
async fn an_interactive_execution_runs_one_step_per_signal_until_completed() {
    let emulator = TestEmulator::start_scaled(60.0).await;
    let ssm = Client::new(&emulator.config);
    let id = start_interactive(
        &ssm,
        "AWS-RestartEC2Instance",
        &[
            ("InstanceId", &[WEB_1]),
            ("AutomationAssumeRole", &[AUTOMATION_ROLE]),
        ],
    )
    .await;
    let waiting = wait_for(&ssm, &id, Duration::from_secs(5), |e| {
        status(e) == Some(&AutomationExecutionStatus::Waiting)
    })
    .await;
    assert_eq!(waiting.mode(), Some(&ExecutionMode::Interactive));
    assert!(waiting.current_step_name().is_none());
    assert!(step_statuses(waiting.step_executions())
        .iter()
        .all(|(_, s)| s == "Pending"));
    assert_eq!(
        waiting.step_executions()[0].valid_next_steps(),
        ["startInstances"]
    );

    let unknown = signal(&ssm, &id, SignalType::StartStep, &[("StepName", "reboot")]).await;
    assert_eq!(
        unknown.expect_err("no such step").0,
        "AutomationStepNotFoundException"
    );
    let no_payload = signal(&ssm, &id, SignalType::StartStep, &[]).await;
    assert!(no_payload
        .expect_err("needs StepName")
        .1
        .contains("StepName"));

    signal(
        &ssm,
        &id,
        SignalType::StartStep,
        &[("StepName", "stopInstances")],
    )
    .await
    .expect("StartStep");
    let stopped = wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        e.step_executions()[0].step_status() == Some(&AutomationExecutionStatus::Success)
            && status(e) == Some(&AutomationExecutionStatus::Waiting)
    })
    .await;
    assert_eq!(step_statuses(stopped.step_executions())[1].1, "Pending");
    signal(
        &ssm,
        &id,
        SignalType::StartStep,
        &[("StepName", "startInstances")],
    )
    .await
    .expect("StartStep");
    wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        e.step_executions()[1].step_status() == Some(&AutomationExecutionStatus::Success)
            && status(e) == Some(&AutomationExecutionStatus::Waiting)
    })
    .await;
    ssm.stop_automation_execution()
        .automation_execution_id(&id)
        .r#type(aws_sdk_ssm::types::StopType::Complete)
        .send()
        .await
        .expect("Complete");
    let done = wait_for_end(&ssm, &id).await;
    assert_eq!(status(&done), Some(&AutomationExecutionStatus::Success));

    // StopStep ends the running step; the execution waits for the next instruction.
    let id = start_interactive(
        &ssm,
        "Portal-RestartWithHealthCheck",
        &[
            ("InstanceId", &[WEB_1]),
            ("WarmUp", &["PT30M"]),
            ("AutomationAssumeRole", &[AUTOMATION_ROLE]),
        ],
    )
    .await;
    signal(&ssm, &id, SignalType::StartStep, &[("StepName", "warmUp")])
        .await
        .expect("StartStep");
    let running = wait_for(&ssm, &id, Duration::from_secs(5), |e| {
        e.current_step_name() == Some("warmUp")
    })
    .await;
    let step_id = running.step_executions()[4]
        .step_execution_id()
        .expect("a step id")
        .to_owned();
    let busy = signal(&ssm, &id, SignalType::StartStep, &[("StepName", "stop")]).await;
    assert_eq!(
        busy.expect_err("a step runs").0,
        "InvalidAutomationSignalException"
    );
    signal(
        &ssm,
        &id,
        SignalType::StopStep,
        &[("StepExecutionId", &step_id)],
    )
    .await
    .expect("StopStep");
    let stopped = wait_for(&ssm, &id, Duration::from_secs(5), |e| {
        status(e) == Some(&AutomationExecutionStatus::Waiting) && e.current_step_name().is_none()
    })
    .await;
    assert_eq!(step_statuses(stopped.step_executions())[4].1, "Cancelled");

    // Complete is for Interactive executions only.
    let auto = start(
        &ssm,
        "Portal-PauseForReview",
        &[("InstanceId", &[WEB_1]), ("Reviewer", &["ann"])],
    )
    .await;
    let err = ssm
        .stop_automation_execution()
        .automation_execution_id(&auto)
        .r#type(aws_sdk_ssm::types::StopType::Complete)
        .send()
        .await
        .expect_err("not interactive");
    assert_eq!(
        code_and_message(&err).0,
        "InvalidAutomationStatusUpdateException"
    );
}

const HOLD: &str = r#"
schemaVersion: '0.3'
parameters:
  Item: { type: String }
mainSteps:
  - name: check
    action: aws:branch
    inputs:
      Choices:
        - { NextStep: broken, Variable: '{{ Item }}', StartsWith: bad }
      Default: hold
  - name: hold
    action: aws:sleep
    isEnd: true
    inputs: { Duration: PT20S }
  - name: broken
    action: aws:executeScript
    inputs: { Runtime: python3.8, Handler: main, Script: 'def main(e, c): raise Exception()' }
"#;

#[tokio::test]
async fn rate_control_runs_a_child_per_target_within_max_concurrency() {
    let emulator = TestEmulator::start_scaled(20.0).await;
    let ssm = Client::new(&emulator.config);
    create_runbook(&ssm, "Hold", HOLD).await;
    let items = ["a", "b", "c", "d", "e", "f"];
    let parent = ssm
        .start_automation_execution()
        .document_name("Hold")
        .target_parameter_name("Item")
        .targets(
            Target::builder()
                .key("ParameterValues")
                .set_values(Some(items.iter().map(|s| (*s).to_owned()).collect()))
                .build(),
        )
        .max_concurrency("2")
        .max_errors("1")
        .send()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned();
    // Watch the children: never more than two running at once.
    let mut most = 0;
    let done = loop {
        let running = children(&ssm, &parent)
            .await
            .iter()
            .filter(|c| {
                c.automation_execution_status() == Some(&AutomationExecutionStatus::Inprogress)
            })
            .count();
        most = most.max(running);
        let parent_now = wait_for(&ssm, &parent, Duration::from_secs(1), |_| true).await;
        if parent_now.execution_end_time().is_some() {
            break parent_now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        status(&done),
        Some(&AutomationExecutionStatus::Success),
        "{done:?}"
    );
    assert!(
        (1..=2).contains(&most),
        "at most two children ran at once, saw {most}"
    );
    assert_eq!(done.target_parameter_name(), Some("Item"));
    assert_eq!(done.max_concurrency(), Some("2"));
    assert_eq!(
        done.resolved_targets()
            .map(|r| r.parameter_values().to_vec()),
        Some(items.iter().map(|s| (*s).to_owned()).collect())
    );
    let steps = step_statuses(done.step_executions());
    assert_eq!(steps.len(), items.len());
    assert!(steps
        .iter()
        .zip(items)
        .all(|((name, status), item)| name == item && status == "Success"));
    assert!(done
        .step_executions()
        .iter()
        .all(|s| s.action() == Some("aws:executeAutomation")));
    let kids = children(&ssm, &parent).await;
    assert_eq!(kids.len(), items.len());
    assert!(kids
        .iter()
        .all(|c| c.parent_automation_execution_id() == Some(parent.as_str())));
    let mut targets: Vec<&str> = kids.iter().filter_map(|c| c.target()).collect();
    targets.sort_unstable();
    assert_eq!(targets, items);
}

#[tokio::test]
async fn rate_control_stops_dispatching_past_the_error_threshold() {
    let emulator = TestEmulator::start_scaled(60.0).await;
    let ssm = Client::new(&emulator.config);
    create_runbook(&ssm, "Hold", HOLD).await;
    let parent = ssm
        .start_automation_execution()
        .document_name("Hold")
        .target_parameter_name("Item")
        .targets(
            Target::builder()
                .key("ParameterValues")
                .values("bad-1")
                .values("ok-1")
                .values("ok-2")
                .build(),
        )
        .max_concurrency("1")
        .max_errors("0")
        .send()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned();
    let done = wait_for_end(&ssm, &parent).await;
    assert_eq!(status(&done), Some(&AutomationExecutionStatus::Failed));
    assert_eq!(
        step_statuses(done.step_executions()),
        [
            ("bad-1", "Failed"),
            ("ok-1", "Pending"),
            ("ok-2", "Pending")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let message = done.failure_message().unwrap_or_default();
    assert!(message.contains("error threshold"), "{message}");
    assert_eq!(children(&ssm, &parent).await.len(), 1);
}

#[tokio::test]
async fn tag_targets_resolve_to_the_tagged_instances() {
    let emulator = TestEmulator::start_scaled(60.0).await;
    let ssm = Client::new(&emulator.config);
    let parent = ssm
        .start_automation_execution()
        .document_name("AWS-StartEC2Instance")
        .target_parameter_name("InstanceId")
        .targets(Target::builder().key("tag:Team").values("web").build())
        .set_parameters(Some(params(&[(
            "AutomationAssumeRole",
            &[AUTOMATION_ROLE],
        )])))
        .send()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned();
    let done = wait_for_end(&ssm, &parent).await;
    assert_eq!(
        status(&done),
        Some(&AutomationExecutionStatus::Success),
        "{done:?}"
    );
    assert_eq!(
        done.resolved_targets()
            .map(|r| r.parameter_values().to_vec()),
        Some(vec!["i-0a1b2c3d4e5f60718".to_owned(), WEB_1.to_owned()])
    );
    let err = ssm
        .start_automation_execution()
        .document_name("AWS-StartEC2Instance")
        .target_parameter_name("InstanceId")
        .targets(
            Target::builder()
                .key("ResourceGroup")
                .values("web-servers")
                .build(),
        )
        .send()
        .await
        .expect_err("no resource groups here");
    assert_eq!(code_and_message(&err).0, "InvalidTarget");
}

#[tokio::test]
async fn a_multi_account_run_assumes_the_execution_role_in_each_location() {
    let emulator = TestEmulator::start_scaled(60.0).await;
    let ssm = Client::new(&emulator.config);
    let parent = ssm
        .start_automation_execution()
        .document_name("AWS-StartEC2Instance")
        .set_parameters(Some(params(&[
            ("InstanceId", &[WEB_1]),
            (
                "AutomationAssumeRole",
                &["arn:aws:iam::{{global:ACCOUNT_ID}}:role/AWS-SystemsManager-AutomationExecutionRole"],
            ),
        ])))
        .target_locations(
            TargetLocation::builder()
                .accounts("123456789012")
                .accounts("111122223333")
                .regions("us-east-1")
                .target_location_max_concurrency("2")
                .target_location_max_errors("1")
                .build(),
        )
        .send()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned();
    let done = wait_for_end(&ssm, &parent).await;
    let listed = ssm
        .describe_automation_executions()
        .filters(filter(AutomationExecutionFilterKey::ExecutionId, &parent))
        .send()
        .await
        .expect("described");
    assert_eq!(
        listed.automation_execution_metadata_list()[0].automation_type(),
        Some(&aws_sdk_ssm::types::AutomationType::CrossAccount)
    );
    // The instance exists in the home account only: the other location's child fails there.
    assert_eq!(
        step_statuses(done.step_executions()),
        [
            ("123456789012:us-east-1", "Success"),
            ("111122223333:us-east-1", "Failed")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let failure = done.step_executions()[1]
        .failure_message()
        .unwrap_or_default();
    assert!(failure.contains("InvalidInstanceID.NotFound"), "{failure}");
    assert_eq!(status(&done), Some(&AutomationExecutionStatus::Failed));
    let location = done.step_executions()[0]
        .target_location()
        .expect("a location");
    assert_eq!(location.accounts(), ["123456789012"]);
    assert_eq!(
        location.execution_role_name(),
        Some("AWS-SystemsManager-AutomationExecutionRole")
    );
    let home = &children(&ssm, &parent).await[0];
    assert_eq!(
        home.executed_by(),
        Some(format!("arn:aws:sts::123456789012:assumed-role/AWS-SystemsManager-AutomationExecutionRole/{parent}").as_str())
    );
}

#[tokio::test]
async fn past_100_running_executions_queue_as_pending_and_past_1000_queued_are_refused() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let review: &[(&str, &[&str])] = &[("InstanceId", &[WEB_1]), ("Reviewer", &["ann"])];
    let mut running = Vec::new();
    for _ in 0..100 {
        running.push(start(&ssm, "Portal-PauseForReview", review).await);
    }
    let queued = start(&ssm, "Portal-PauseForReview", review).await;
    let pending = wait_for(&ssm, &queued, Duration::from_secs(1), |_| true).await;
    assert_eq!(status(&pending), Some(&AutomationExecutionStatus::Pending));
    // A queued execution cancels at once.
    ssm.stop_automation_execution()
        .automation_execution_id(&queued)
        .send()
        .await
        .expect("cancel the queued one");
    let cancelled = wait_for(&ssm, &queued, Duration::from_secs(1), |_| true).await;
    assert_eq!(
        status(&cancelled),
        Some(&AutomationExecutionStatus::Cancelled)
    );

    let mut queue = Vec::new();
    for _ in 0..1000 {
        queue.push(start(&ssm, "Portal-PauseForReview", review).await);
    }
    let err = ssm
        .start_automation_execution()
        .document_name("Portal-PauseForReview")
        .set_parameters(Some(params(review)))
        .send()
        .await
        .expect_err("the queue is full");
    assert_eq!(
        code_and_message(&err).0,
        "AutomationExecutionLimitExceededException"
    );

    // When a running one ends, the oldest queued one starts.
    ssm.stop_automation_execution()
        .automation_execution_id(&running[0])
        .send()
        .await
        .expect("cancel a running one");
    let started = wait_for(&ssm, &queue[0], Duration::from_secs(10), |e| {
        status(e) == Some(&AutomationExecutionStatus::Waiting)
    })
    .await;
    assert_eq!(started.current_step_name(), Some("waitForReview"));
    let still = wait_for(&ssm, &queue[1], Duration::from_secs(1), |_| true).await;
    assert_eq!(status(&still), Some(&AutomationExecutionStatus::Pending));
}

#[tokio::test]
async fn a_client_token_makes_a_start_idempotent() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let token = "5e4a2f58-2c5b-4a8e-9d38-0123456789ab";
    let send = |reviewer: &'static str, token: &'static str| {
        ssm.start_automation_execution()
            .document_name("Portal-PauseForReview")
            .client_token(token)
            .set_parameters(Some(params(&[
                ("InstanceId", &[WEB_1]),
                ("Reviewer", &[reviewer]),
            ])))
            .send()
    };
    let first = send("ann", token).await.expect("first");
    let again = send("ann", token).await.expect("same request again");
    assert_eq!(
        first.automation_execution_id(),
        again.automation_execution_id()
    );
    let err = send("bob", token)
        .await
        .expect_err("different request, same token");
    assert_eq!(code_and_message(&err).0, "IdempotentParameterMismatch");
    let err = send("ann", "short").await.expect_err("not a UUID");
    assert_eq!(code_and_message(&err).0, "ValidationException");
    let listed = ssm
        .describe_automation_executions()
        .send()
        .await
        .expect("listed");
    assert_eq!(listed.automation_execution_metadata_list().len(), 1);
}
