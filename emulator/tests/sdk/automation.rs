use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_ssm::types::{
    AutomationExecutionFilter, AutomationExecutionFilterKey, AutomationExecutionStatus, SignalType,
    StepExecution,
};
use aws_sdk_ssm::Client;

use crate::{code_and_message, TestEmulator};

pub const WEB_1: &str = "i-1234567890abcdef0";
pub const AUTOMATION_ROLE: &str = "arn:aws:iam::123456789012:role/AmazonSSMAutomationRole";

pub fn params(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
        .collect()
}

/// Polls GetAutomationExecution until `done` holds, at most `limit` of real time.
pub async fn wait_for(
    ssm: &Client,
    id: &str,
    limit: Duration,
    done: impl Fn(&aws_sdk_ssm::types::AutomationExecution) -> bool,
) -> aws_sdk_ssm::types::AutomationExecution {
    let start = std::time::Instant::now();
    loop {
        let answer = ssm
            .get_automation_execution()
            .automation_execution_id(id)
            .send()
            .await
            .expect("GetAutomationExecution");
        let execution = answer.automation_execution().expect("an execution").clone();
        if done(&execution) {
            return execution;
        }
        assert!(start.elapsed() < limit, "gave up waiting: {execution:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub fn status(e: &aws_sdk_ssm::types::AutomationExecution) -> Option<&AutomationExecutionStatus> {
    e.automation_execution_status()
}

/// Starts `document` with `parameters` and returns the execution's id.
pub async fn start(ssm: &Client, document: &str, parameters: &[(&str, &[&str])]) -> String {
    ssm.start_automation_execution()
        .document_name(document)
        .set_parameters(Some(params(parameters)))
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartAutomationExecution {document}: {e:?}"))
        .automation_execution_id()
        .expect("an id")
        .to_owned()
}

/// Waits (up to 20 s of real time) until the execution has ended.
pub async fn wait_for_end(ssm: &Client, id: &str) -> aws_sdk_ssm::types::AutomationExecution {
    wait_for(ssm, id, Duration::from_secs(20), |e| {
        status(e).is_some_and(|s| {
            matches!(
                s,
                AutomationExecutionStatus::Success
                    | AutomationExecutionStatus::Failed
                    | AutomationExecutionStatus::Cancelled
                    | AutomationExecutionStatus::Timedout
            )
        })
    })
    .await
}

/// Creates an Automation runbook from YAML.
pub async fn create_runbook(ssm: &Client, name: &str, yaml: &str) {
    ssm.create_document()
        .name(name)
        .content(yaml)
        .document_format(aws_sdk_ssm::types::DocumentFormat::Yaml)
        .document_type(aws_sdk_ssm::types::DocumentType::Automation)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateDocument {name}: {e:?}"));
}

/// Each step's name and status, in the execution's order.
pub fn step_statuses(steps: &[StepExecution]) -> Vec<(String, String)> {
    steps
        .iter()
        .map(|s| {
            (
                s.step_name().unwrap_or_default().to_owned(),
                s.step_status()
                    .map(|x| x.as_str().to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_restart_runbook_stops_and_starts_the_instance_under_the_service_role() {
    // Slow enough (a 30 s stop takes 1 s) to observe the execution while it runs.
    let emulator = TestEmulator::start_scaled(30.0).await;
    let ssm = Client::new(&emulator.config);
    let started = ssm
        .start_automation_execution()
        .document_name("AWS-RestartEC2Instance")
        .set_parameters(Some(params(&[
            ("InstanceId", &[WEB_1]),
            ("AutomationAssumeRole", &[AUTOMATION_ROLE]),
        ])))
        .send()
        .await
        .expect("StartAutomationExecution");
    let id = started.automation_execution_id().expect("an id").to_owned();

    let running = wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        e.current_step_name() == Some("stopInstances")
    })
    .await;
    assert_eq!(
        status(&running),
        Some(&AutomationExecutionStatus::Inprogress)
    );
    assert_eq!(running.current_action(), Some("aws:changeInstanceState"));
    assert_eq!(running.mode().map(|m| m.as_str()), Some("Auto"));
    assert_eq!(running.document_version(), Some("1"));
    assert_eq!(
        running.executed_by(),
        Some("arn:aws:sts::123456789012:assumed-role/Administrator/Admin")
    );
    assert_eq!(
        step_statuses(running.step_executions())[1],
        ("startInstances".to_owned(), "Pending".to_owned())
    );

    let done = wait_for(&ssm, &id, Duration::from_secs(20), |e| {
        status(e) != Some(&AutomationExecutionStatus::Inprogress)
    })
    .await;
    assert_eq!(
        status(&done),
        Some(&AutomationExecutionStatus::Success),
        "{done:?}"
    );
    assert_eq!(
        step_statuses(done.step_executions()),
        [
            ("stopInstances".to_owned(), "Success".to_owned()),
            ("startInstances".to_owned(), "Success".to_owned())
        ]
    );
    let first = &done.step_executions()[0];
    assert_eq!(
        first
            .inputs()
            .and_then(|i| i.get("InstanceIds"))
            .map(String::as_str),
        Some("[\"i-1234567890abcdef0\"]")
    );
    assert_eq!(
        first.outputs().and_then(|o| o.get("InstanceStates")),
        Some(&vec!["stopped".to_owned()])
    );
    assert!(done.execution_end_time().is_some());
    let parameters = done.parameters().expect("parameters");
    assert_eq!(parameters["AutomationAssumeRole"], [AUTOMATION_ROLE]);

    let ec2 = aws_sdk_ec2::Client::new(&emulator.config);
    let instance = ec2
        .describe_instances()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect("DescribeInstances");
    let state = instance.reservations()[0].instances()[0]
        .state()
        .and_then(|s| s.name())
        .cloned();
    assert_eq!(state, Some(aws_sdk_ec2::types::InstanceStateName::Running));

    let listed = ssm
        .describe_automation_executions()
        .filters(
            AutomationExecutionFilter::builder()
                .key(AutomationExecutionFilterKey::ExecutionId)
                .values(&id)
                .build()
                .expect("filter"),
        )
        .send()
        .await
        .expect("DescribeAutomationExecutions");
    let metadata = &listed.automation_execution_metadata_list()[0];
    assert_eq!(metadata.document_name(), Some("AWS-RestartEC2Instance"));
    assert_eq!(
        metadata.automation_execution_status(),
        Some(&AutomationExecutionStatus::Success)
    );
}

#[tokio::test]
async fn a_refused_start_creates_no_execution() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let cases = [
        (
            "AWS-RestartEC2Instance",
            params(&[]),
            "InvalidAutomationExecutionParametersException",
            "\"InstanceId\" is required",
        ),
        (
            "AWS-RestartEC2Instance",
            params(&[("InstanceId", &[WEB_1]), ("Colour", &["red"])]),
            "InvalidAutomationExecutionParametersException",
            "\"Colour\" is not defined",
        ),
        (
            "Portal-PauseForReview",
            params(&[("InstanceId", &[WEB_1]), ("Reviewer", &["Ann!"])]),
            "InvalidAutomationExecutionParametersException",
            "allowed pattern",
        ),
        (
            "AWS-RestartEC2Instance",
            params(&[
                ("InstanceId", &[WEB_1]),
                ("AutomationAssumeRole", &["not-an-arn"]),
            ]),
            "InvalidAutomationExecutionParametersException",
            "The format of the supplied assume role ARN isn't valid.",
        ),
        (
            "AWS-RestartEC2Instance",
            params(&[
                ("InstanceId", &[WEB_1]),
                (
                    "AutomationAssumeRole",
                    &["arn:aws:iam::123456789012:role/EC2InstanceProfileRole"],
                ),
            ]),
            "InvalidAutomationExecutionParametersException",
            "The defined assume role is unable to be assumed.",
        ),
        (
            "AWS-RestartEC2Instance",
            params(&[
                ("InstanceId", &[WEB_1]),
                (
                    "AutomationAssumeRole",
                    &["arn:aws:iam::123456789012:role/Missing"],
                ),
            ]),
            "InvalidAutomationExecutionParametersException",
            "The defined assume role is unable to be assumed.",
        ),
    ];
    for (document, parameters, code, says) in cases {
        let err = ssm
            .start_automation_execution()
            .document_name(document)
            .set_parameters(Some(parameters))
            .send()
            .await
            .expect_err("refused");
        let (got_code, message) = code_and_message(&err);
        assert_eq!(got_code, code, "{message}");
        assert!(message.contains(says), "{message} should say {says}");
    }
    let listed = ssm
        .describe_automation_executions()
        .send()
        .await
        .expect("listed");
    assert!(listed.automation_execution_metadata_list().is_empty());
}

#[tokio::test]
async fn the_caller_needs_pass_role_on_the_service_role() {
    let emulator = TestEmulator::start_as("AKIAPORTALSERVER0001").await;
    let ssm = Client::new(&emulator.config);
    let role = "arn:aws:iam::123456789012:role/SSMAutomationReadOnlyRole";
    let err = ssm
        .start_automation_execution()
        .document_name("AWS-RestartEC2Instance")
        .set_parameters(Some(params(&[
            ("InstanceId", &[WEB_1]),
            ("AutomationAssumeRole", &[role]),
        ])))
        .send()
        .await
        .expect_err("no PassRole on that role");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, "AccessDeniedException");
    assert!(
        message.contains(&format!("iam:PassRole on resource: {role}")),
        "{message}"
    );

    let err = ssm
        .start_automation_execution()
        .document_name("AWS-CreateImage")
        .set_parameters(Some(params(&[
            ("InstanceId", &[WEB_1]),
            ("AutomationAssumeRole", &[AUTOMATION_ROLE]),
        ])))
        .send()
        .await
        .expect_err("may not start this runbook");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, "AccessDeniedException");
    assert!(message.contains("ssm:StartAutomationExecution on resource: arn:aws:ssm:us-east-1::document/AWS-CreateImage"), "{message}");
}

#[tokio::test]
async fn a_role_without_ec2_permissions_fails_the_step_with_ec2s_words() {
    let emulator = TestEmulator::start_scaled(300.0).await;
    let ssm = Client::new(&emulator.config);
    let id = ssm
        .start_automation_execution()
        .document_name("AWS-StopEC2Instance")
        .set_parameters(Some(params(&[
            ("InstanceId", &[WEB_1]),
            (
                "AutomationAssumeRole",
                &["arn:aws:iam::123456789012:role/SSMAutomationReadOnlyRole"],
            ),
        ])))
        .send()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned();
    let done = wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        status(e).is_some_and(|s| {
            !matches!(
                s,
                AutomationExecutionStatus::Inprogress | AutomationExecutionStatus::Pending
            )
        })
    })
    .await;
    assert_eq!(status(&done), Some(&AutomationExecutionStatus::Failed));
    // stopInstances has onFailure: Continue, so both steps ran and failed.
    assert_eq!(
        step_statuses(done.step_executions()),
        [
            ("stopInstances".to_owned(), "Failed".to_owned()),
            ("forceStopInstances".to_owned(), "Failed".to_owned())
        ]
    );
    let failure = done.step_executions()[0]
        .failure_message()
        .expect("a failure message");
    assert!(
        failure.contains(
            "An error occurred (UnauthorizedOperation) when calling the StopInstances operation"
        ),
        "{failure}"
    );
    assert!(
        failure.contains("assumed-role/SSMAutomationReadOnlyRole/"),
        "{failure}"
    );
    assert!(done
        .failure_message()
        .is_some_and(|m| m.contains("forceStopInstances")));
}

#[tokio::test]
async fn a_paused_execution_waits_for_resume_and_can_be_cancelled() {
    let emulator = TestEmulator::start_scaled(300.0).await;
    let ssm = Client::new(&emulator.config);
    let start = || {
        ssm.start_automation_execution()
            .document_name("Portal-PauseForReview")
            .set_parameters(Some(params(&[
                ("InstanceId", &[WEB_1]),
                ("Reviewer", &["ann"]),
            ])))
            .send()
    };
    let id = start()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned();
    let waiting = wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        status(e) == Some(&AutomationExecutionStatus::Waiting)
    })
    .await;
    assert_eq!(waiting.current_step_name(), Some("waitForReview"));
    let err = ssm
        .send_automation_signal()
        .automation_execution_id(&id)
        .signal_type(SignalType::Approve)
        .send()
        .await
        .expect_err("not waiting for an approval");
    assert_eq!(code_and_message(&err).0, "InvalidAutomationSignalException");
    ssm.send_automation_signal()
        .automation_execution_id(&id)
        .signal_type(SignalType::Resume)
        .send()
        .await
        .expect("resumed");
    let done = wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        status(e) == Some(&AutomationExecutionStatus::Success)
    })
    .await;
    assert_eq!(done.step_executions().len(), 3);
    let described = aws_sdk_ec2::Client::new(&emulator.config)
        .describe_instances()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect("described");
    let tags: Vec<(&str, &str)> = described.reservations()[0].instances()[0]
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?, t.value()?)))
        .filter(|(k, _)| k.starts_with("Review"))
        .collect();
    assert_eq!(tags, [("ReviewOutcome", "approved"), ("ReviewedBy", "ann")]);

    let id = start()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned();
    wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        status(e) == Some(&AutomationExecutionStatus::Waiting)
    })
    .await;
    ssm.stop_automation_execution()
        .automation_execution_id(&id)
        .send()
        .await
        .expect("cancel");
    let cancelled = wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        status(e) == Some(&AutomationExecutionStatus::Cancelled)
    })
    .await;
    assert_eq!(
        step_statuses(cancelled.step_executions()),
        [
            ("waitForReview".to_owned(), "Cancelled".to_owned()),
            ("tagReviewed".to_owned(), "Pending".to_owned()),
            ("settle".to_owned(), "Pending".to_owned())
        ]
    );
    let err = ssm
        .stop_automation_execution()
        .automation_execution_id(&id)
        .send()
        .await
        .expect_err("already over");
    assert_eq!(
        code_and_message(&err).0,
        "InvalidAutomationStatusUpdateException"
    );
    let err = ssm
        .get_automation_execution()
        .automation_execution_id("no-such-id")
        .send()
        .await
        .expect_err("unknown");
    assert_eq!(
        code_and_message(&err).0,
        "AutomationExecutionNotFoundException"
    );
}

#[tokio::test]
async fn an_approval_step_waits_for_a_listed_approver() {
    let emulator = TestEmulator::start_scaled(300.0).await;
    let admin = "arn:aws:sts::123456789012:assumed-role/Administrator/Admin";
    let ssm = Client::new(&emulator.config);
    let start = || {
        ssm.start_automation_execution()
            .document_name("AWS-StopEC2InstanceWithApproval")
            .set_parameters(Some(params(&[
                ("InstanceId", &[WEB_1]),
                ("Approvers", &[admin]),
                (
                    "SNSTopicArn",
                    &["arn:aws:sns:us-east-1:123456789012:AutomationApprovals"],
                ),
                ("AutomationAssumeRole", &[AUTOMATION_ROLE]),
            ])))
            .send()
    };
    let signal = |client: Client, id: String, kind: SignalType| async move {
        client
            .send_automation_signal()
            .automation_execution_id(id)
            .signal_type(kind)
            .payload("Comment", vec!["looks fine".to_owned()])
            .send()
            .await
    };

    // Rejected: the step and the execution fail, and the instance keeps running.
    let id = start()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned();
    wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        status(e) == Some(&AutomationExecutionStatus::Waiting)
    })
    .await;
    // Bob may signal executions (his role allows everything) but is not among the approvers.
    let bob = aws_sdk_sts::Client::new(&emulator.config)
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/Administrator")
        .role_session_name("bob")
        .send()
        .await
        .expect("AssumeRole");
    let bob_key = bob
        .credentials()
        .expect("credentials")
        .access_key_id()
        .to_owned();
    let bob = Client::new(&emulator.config_for(&bob_key).await);
    let err = signal(bob, id.clone(), SignalType::Approve)
        .await
        .expect_err("not an approver");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, "InvalidAutomationSignalException");
    assert!(
        message.contains("assumed-role/Administrator/bob is not an approver"),
        "{message}"
    );
    let outsider = Client::new(&emulator.config_for("AKIAPORTALSERVER0001").await);
    let err = signal(outsider, id.clone(), SignalType::Approve)
        .await
        .expect_err("may not signal at all");
    assert_eq!(code_and_message(&err).0, "AccessDeniedException");
    signal(ssm.clone(), id.clone(), SignalType::Reject)
        .await
        .expect("rejected");
    let rejected = wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        status(e) == Some(&AutomationExecutionStatus::Failed)
    })
    .await;
    let approve_step = &rejected.step_executions()[0];
    assert!(approve_step
        .failure_message()
        .is_some_and(|m| m.contains("rejected by") && m.contains("looks fine")));
    assert_eq!(step_statuses(rejected.step_executions())[1].1, "Pending");

    // Approved: the instance is stopped.
    let id = start()
        .await
        .expect("started")
        .automation_execution_id()
        .expect("id")
        .to_owned();
    wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        status(e) == Some(&AutomationExecutionStatus::Waiting)
    })
    .await;
    signal(ssm.clone(), id.clone(), SignalType::Approve)
        .await
        .expect("approved");
    let done = wait_for(&ssm, &id, Duration::from_secs(20), |e| {
        status(e) == Some(&AutomationExecutionStatus::Success)
    })
    .await;
    let outputs = done.step_executions()[0]
        .outputs()
        .expect("approval outputs");
    assert_eq!(outputs["ApprovalStatus"], ["Approved"]);
    assert!(outputs["ApproverDecisions"][0].contains(admin));
    let ec2 = aws_sdk_ec2::Client::new(&emulator.config);
    let state = ec2
        .describe_instances()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect("described")
        .reservations()[0]
        .instances()[0]
        .state()
        .and_then(|s| s.name())
        .cloned();
    assert_eq!(state, Some(aws_sdk_ec2::types::InstanceStateName::Stopped));
}
