//! The engine's flow control and actions, driven through the SDK: branches, outputs feeding later
//! steps, retries, timeouts, onFailure / isCritical, cancellation paths, images and child
//! automations.

use std::time::Duration;

use aws_sdk_ssm::types::AutomationExecutionStatus;
use aws_sdk_ssm::Client;

use crate::automation::{
    create_runbook, start, status, step_statuses, wait_for, wait_for_end, AUTOMATION_ROLE, WEB_1,
};
use crate::TestEmulator;

const WINDOWS_1: &str = "i-0123456789abcdef1";
const BATCH_1_STOPPED: &str = "i-0fedcba9876543210";

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn output<'e>(
    execution: &'e aws_sdk_ssm::types::AutomationExecution,
    step: &str,
    name: &str,
) -> Option<&'e Vec<String>> {
    execution
        .step_executions()
        .iter()
        .find(|s| s.step_name() == Some(step))?
        .outputs()?
        .get(name)
}

fn failure_of(execution: &aws_sdk_ssm::types::AutomationExecution, step: &str) -> String {
    execution
        .step_executions()
        .iter()
        .find(|s| s.step_name() == Some(step))
        .and_then(|s| s.failure_message())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_branch_follows_each_instance_platform_and_leaves_the_other_paths_pending() {
    let emulator = TestEmulator::start_scaled(120.0).await;
    let ssm = Client::new(&emulator.config);
    for (instance, path, platform) in [
        (WEB_1, "linuxPath", "Linux/UNIX"),
        (WINDOWS_1, "windowsPath", "Windows"),
    ] {
        let id = start(
            &ssm,
            "Portal-BranchByPlatform",
            &[
                ("InstanceId", &[instance]),
                ("AutomationAssumeRole", &[AUTOMATION_ROLE]),
            ],
        )
        .await;
        let done = wait_for_end(&ssm, &id).await;
        assert_eq!(
            status(&done),
            Some(&AutomationExecutionStatus::Success),
            "{done:?}"
        );
        assert_eq!(
            output(&done, "GetInstance", "platform"),
            Some(&vec![platform.to_owned()])
        );
        assert_eq!(
            output(&done, "GetInstance", "state"),
            Some(&vec!["running".to_owned()])
        );
        let statuses = step_statuses(done.step_executions());
        for (name, state) in &statuses {
            let expected = match name.as_str() {
                "GetInstance" | "ChooseByPlatform" => "Success",
                taken if taken == path => "Success",
                _ => "Pending",
            };
            assert_eq!(state, expected, "{name} in {statuses:?}");
        }
        let branch = done
            .step_executions()
            .iter()
            .find(|s| s.step_name() == Some("ChooseByPlatform"))
            .expect("the branch step");
        assert_eq!(branch.valid_next_steps(), [path]);
        // The runbook's outputs come from the step's outputs.
        assert_eq!(
            done.outputs().and_then(|o| o.get("GetInstance.platform")),
            Some(&vec![platform.to_owned()])
        );
    }
}

#[tokio::test]
async fn the_health_checked_restart_asserts_waits_and_reports_its_outputs() {
    let emulator = TestEmulator::start_scaled(120.0).await;
    let ssm = Client::new(&emulator.config);
    let id = start(
        &ssm,
        "Portal-RestartWithHealthCheck",
        &[
            ("InstanceId", &[WEB_1]),
            ("WarmUp", &["PT5S"]),
            ("AutomationAssumeRole", &[AUTOMATION_ROLE]),
        ],
    )
    .await;
    let done = wait_for_end(&ssm, &id).await;
    assert_eq!(
        status(&done),
        Some(&AutomationExecutionStatus::Success),
        "{done:?}"
    );
    assert!(step_statuses(done.step_executions())
        .iter()
        .all(|(_, s)| s == "Success"));
    assert_eq!(
        done.outputs().and_then(|o| o.get("start.InstanceStates")),
        Some(&vec!["running".to_owned()])
    );

    // On a stopped instance the assertion fails, and nothing is restarted.
    let id = start(
        &ssm,
        "Portal-RestartWithHealthCheck",
        &[
            ("InstanceId", &[BATCH_1_STOPPED]),
            ("AutomationAssumeRole", &[AUTOMATION_ROLE]),
        ],
    )
    .await;
    let done = wait_for_end(&ssm, &id).await;
    assert_eq!(status(&done), Some(&AutomationExecutionStatus::Failed));
    let message = failure_of(&done, "checkRunning");
    assert!(
        message.contains("is stopped, not one of the desired values running"),
        "{message}"
    );
    assert_eq!(
        done.outputs().and_then(|o| o.get("start.InstanceStates")),
        Some(&vec![
            "No output available yet because the step is not successfully executed".to_owned()
        ])
    );
    assert_eq!(step_statuses(done.step_executions())[1].1, "Pending");
}

const FLOW: &str = r#"
schemaVersion: '0.3'
description: Outputs feed later steps; retries, timeouts and onFailure decide the path.
assumeRole: '{{ AutomationAssumeRole }}'
parameters:
  AutomationAssumeRole: { type: String }
  Team: { type: String, default: web }
mainSteps:
  - name: whoAmI
    action: aws:executeAwsApi
    inputs: { Service: sts, Api: GetCallerIdentity }
    outputs:
      - { Name: Arn, Selector: $.Arn, Type: String }
  - name: findTeam
    action: aws:executeAwsApi
    inputs:
      Service: ec2
      Api: DescribeInstances
      Filters: [ { Name: 'tag:Team', Values: [ '{{ Team }}' ] } ]
    outputs:
      - { Name: ids, Selector: '$.Reservations[*].Instances[*].InstanceId', Type: StringList }
  - name: tagTeam
    action: aws:createTags
    inputs:
      ResourceIds: '{{ findTeam.ids }}'
      Tags: [ { Key: CheckedBy, Value: '{{ whoAmI.Arn }}' }, { Key: Run, Value: '{{ automation:EXECUTION_ID }}' } ]
  - name: expectStopped
    action: aws:assertAwsResourceProperty
    maxAttempts: 3
    onFailure: Continue
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds: [ i-1234567890abcdef0 ]
      PropertySelector: $.Reservations[0].Instances[0].State.Name
      DesiredValues: [ stopped ]
  - name: tooSlow
    action: aws:sleep
    timeoutSeconds: 5
    onFailure: step:last
    inputs: { Duration: PT1H }
  - name: skipped
    action: aws:sleep
    inputs: { Duration: PT1S }
  - name: last
    action: aws:sleep
    isEnd: true
    inputs: { Duration: PT1S }
"#;

#[tokio::test]
async fn outputs_feed_later_steps_and_failures_follow_on_failure_and_is_critical() {
    let emulator = TestEmulator::start_scaled(60.0).await;
    let ssm = Client::new(&emulator.config);
    create_runbook(&ssm, "Flow", FLOW).await;
    let id = start(
        &ssm,
        "Flow",
        &[("AutomationAssumeRole", &[AUTOMATION_ROLE])],
    )
    .await;
    let done = wait_for_end(&ssm, &id).await;
    let role_session =
        format!("arn:aws:sts::123456789012:assumed-role/AmazonSSMAutomationRole/{id}");
    assert_eq!(
        output(&done, "whoAmI", "Arn"),
        Some(&vec![role_session.clone()])
    );
    assert_eq!(
        output(&done, "findTeam", "ids"),
        Some(&vec!["i-0a1b2c3d4e5f60718".to_owned(), WEB_1.to_owned()])
    );
    let steps = step_statuses(done.step_executions());
    assert_eq!(
        steps,
        pairs(&[
            ("whoAmI", "Success"),
            ("findTeam", "Success"),
            ("tagTeam", "Success"),
            ("expectStopped", "Failed"),
            ("tooSlow", "TimedOut"),
            ("skipped", "Pending"),
            ("last", "Success"),
        ])
    );
    assert!(failure_of(&done, "expectStopped")
        .starts_with("Step expectStopped failed maximum allowed times."));
    // tooSlow is critical (the default with step:…), so the run ends Failed though it went on;
    // expectStopped (onFailure Continue) is not.
    assert_eq!(status(&done), Some(&AutomationExecutionStatus::Failed));
    let message = done.failure_message().unwrap_or_default();
    assert!(message.contains("tooSlow"), "{message}");
    let tagged = done
        .step_executions()
        .iter()
        .find(|s| s.step_name() == Some("tagTeam"))
        .and_then(|s| s.inputs())
        .and_then(|i| i.get("ResourceIds"))
        .cloned();
    assert_eq!(
        tagged.as_deref(),
        Some("[\"i-0a1b2c3d4e5f60718\",\"i-1234567890abcdef0\"]")
    );

    // The tags reached EC2, written by the service role.
    let ec2 = aws_sdk_ec2::Client::new(&emulator.config);
    let described = ec2
        .describe_instances()
        .instance_ids("i-0a1b2c3d4e5f60718")
        .send()
        .await
        .expect("DescribeInstances");
    let tags = described.reservations()[0].instances()[0].tags();
    let tag = |key: &str| {
        tags.iter()
            .find(|t| t.key() == Some(key))
            .and_then(|t| t.value())
            .map(str::to_owned)
    };
    assert_eq!(tag("CheckedBy"), Some(role_session));
    assert_eq!(tag("Run"), Some(id));
}

const CLEAN_UP_ON_CANCEL: &str = r#"
schemaVersion: '0.3'
assumeRole: '{{ AutomationAssumeRole }}'
parameters:
  AutomationAssumeRole: { type: String }
mainSteps:
  - name: hold
    action: aws:pause
    onCancel: step:cleanUp
    inputs: {}
  - name: work
    action: aws:sleep
    inputs: { Duration: PT1S }
  - name: cleanUp
    action: aws:createTags
    inputs:
      ResourceIds: [ i-1234567890abcdef0 ]
      Tags: [ { Key: CleanedUp, Value: 'yes' } ]
"#;

#[tokio::test]
async fn a_cancel_runs_the_steps_cancellation_path_then_ends_cancelled() {
    let emulator = TestEmulator::start_scaled(60.0).await;
    let ssm = Client::new(&emulator.config);
    create_runbook(&ssm, "CleanUpOnCancel", CLEAN_UP_ON_CANCEL).await;
    let id = start(
        &ssm,
        "CleanUpOnCancel",
        &[("AutomationAssumeRole", &[AUTOMATION_ROLE])],
    )
    .await;
    wait_for(&ssm, &id, Duration::from_secs(10), |e| {
        status(e) == Some(&AutomationExecutionStatus::Waiting)
    })
    .await;
    ssm.stop_automation_execution()
        .automation_execution_id(&id)
        .send()
        .await
        .expect("StopAutomationExecution");
    let done = wait_for_end(&ssm, &id).await;
    assert_eq!(status(&done), Some(&AutomationExecutionStatus::Cancelled));
    assert_eq!(
        step_statuses(done.step_executions()),
        pairs(&[
            ("hold", "Cancelled"),
            ("work", "Pending"),
            ("cleanUp", "Success")
        ])
    );
    let ec2 = aws_sdk_ec2::Client::new(&emulator.config);
    let described = ec2
        .describe_instances()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect("DescribeInstances");
    assert!(described.reservations()[0].instances()[0]
        .tags()
        .iter()
        .any(|t| t.key() == Some("CleanedUp") && t.value() == Some("yes")));
}

const BACKUP: &str = r#"
schemaVersion: '0.3'
description: Images an instance through the AWS-CreateImage runbook, as a child automation.
assumeRole: '{{ AutomationAssumeRole }}'
parameters:
  AutomationAssumeRole: { type: String }
  InstanceId: { type: String }
mainSteps:
  - name: image
    action: aws:executeAutomation
    inputs:
      DocumentName: AWS-CreateImage
      RuntimeParameters:
        InstanceId: '{{ InstanceId }}'
        AutomationAssumeRole: '{{ AutomationAssumeRole }}'
outputs:
  - image.ExecutionId
"#;

#[tokio::test]
async fn a_child_automation_creates_an_image_and_reports_back_to_its_parent() {
    let emulator = TestEmulator::start_scaled(120.0).await;
    let ssm = Client::new(&emulator.config);
    create_runbook(&ssm, "Backup", BACKUP).await;
    let id = start(
        &ssm,
        "Backup",
        &[
            ("InstanceId", &[WEB_1]),
            ("AutomationAssumeRole", &[AUTOMATION_ROLE]),
        ],
    )
    .await;
    let done = wait_for_end(&ssm, &id).await;
    assert_eq!(
        status(&done),
        Some(&AutomationExecutionStatus::Success),
        "{done:?}"
    );
    let child_id = output(&done, "image", "ExecutionId").expect("the child's id")[0].clone();
    assert_eq!(
        output(&done, "image", "Status"),
        Some(&vec!["Success".to_owned()])
    );
    let child = wait_for_end(&ssm, &child_id).await;
    assert_eq!(child.parent_automation_execution_id(), Some(id.as_str()));
    assert_eq!(child.document_name(), Some("AWS-CreateImage"));
    // The child runs as the same principal as the parent: the service role.
    assert_eq!(
        child.executed_by(),
        Some(
            format!("arn:aws:sts::123456789012:assumed-role/AmazonSSMAutomationRole/{id}").as_str()
        )
    );
    let image_id = output(&child, "createImage", "ImageId").expect("an image")[0].clone();
    assert_eq!(
        output(&child, "createImage", "ImageState"),
        Some(&vec!["available".to_owned()])
    );
    let ec2 = aws_sdk_ec2::Client::new(&emulator.config);
    let images = ec2
        .describe_images()
        .image_ids(&image_id)
        .send()
        .await
        .expect("DescribeImages");
    assert_eq!(
        images.images()[0].name(),
        Some(format!("{WEB_1}_{child_id}").as_str())
    );
    assert_eq!(
        done.outputs().and_then(|o| o.get("image.ExecutionId")),
        Some(&vec![child_id])
    );
}

#[tokio::test]
async fn an_action_the_emulator_cannot_perform_fails_its_step_and_says_so() {
    let emulator = TestEmulator::start_scaled(60.0).await;
    let ssm = Client::new(&emulator.config);
    create_runbook(
        &ssm,
        "RunsAScript",
        "schemaVersion: '0.3'\nmainSteps:\n  - name: script\n    action: aws:executeScript\n    inputs: { Runtime: python3.8, Handler: main, Script: 'def main(e, c): return 1' }\n",
    )
    .await;
    let id = start(&ssm, "RunsAScript", &[]).await;
    let done = wait_for_end(&ssm, &id).await;
    assert_eq!(status(&done), Some(&AutomationExecutionStatus::Failed));
    let message = failure_of(&done, "script");
    assert!(
        message.contains("does not perform aws:executeScript"),
        "{message}"
    );
}
