use std::time::Duration;

use aws_sdk_ec2::types::{Filter, InstanceStateName, Tag};
use aws_sdk_ec2::Client;

use crate::{code_and_message, TestEmulator};

const WEB_1: &str = "i-1234567890abcdef0";
const BATCH_1: &str = "i-0fedcba9876543210";

async fn state_of(ec2: &Client, id: &str) -> InstanceStateName {
    let answer = ec2
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .expect("DescribeInstances");
    answer.reservations()[0].instances()[0]
        .state()
        .and_then(|s| s.name())
        .cloned()
        .expect("a state")
}

/// Polls until `id` reaches `want`, at most `limit` of real time.
async fn wait_for(ec2: &Client, id: &str, want: InstanceStateName, limit: Duration) {
    let start = std::time::Instant::now();
    loop {
        let state = state_of(ec2, id).await;
        if state == want {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "{id} is still {state:?}, not {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn describe_instances_by_id_state_and_tag() {
    let emulator = TestEmulator::start().await;
    let ec2 = Client::new(&emulator.config);
    let answer = ec2
        .describe_instances()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect("by id");
    let instance = &answer.reservations()[0].instances()[0];
    assert_eq!(instance.instance_id(), Some(WEB_1));
    assert_eq!(instance.state().and_then(|s| s.code()), Some(16));
    assert_eq!(instance.platform_details(), Some("Linux/UNIX"));
    let name = instance
        .tags()
        .iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value());
    assert_eq!(name, Some("web-1"));
    assert_eq!(answer.reservations()[0].owner_id(), Some("123456789012"));

    let running_web = ec2
        .describe_instances()
        .filters(
            Filter::builder()
                .name("instance-state-name")
                .values("running")
                .build(),
        )
        .filters(Filter::builder().name("tag:Team").values("web").build())
        .send()
        .await
        .expect("filtered");
    let ids: Vec<&str> = running_web
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .filter_map(|i| i.instance_id())
        .collect();
    assert_eq!(ids, ["i-0a1b2c3d4e5f60718", WEB_1]);

    let windows = ec2
        .describe_instances()
        .filters(Filter::builder().name("tag-key").values("Team").build())
        .filters(
            Filter::builder()
                .name("tag:Name")
                .values("reporting-*")
                .build(),
        )
        .send()
        .await
        .expect("wildcards");
    let instance = &windows.reservations()[0].instances()[0];
    assert_eq!(instance.platform_details(), Some("Windows"));

    let err = ec2
        .describe_instances()
        .instance_ids("i-00000000000000000")
        .send()
        .await
        .expect_err("unknown");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, "InvalidInstanceID.NotFound");
    assert_eq!(
        message,
        "The instance ID 'i-00000000000000000' does not exist"
    );
    let err = ec2
        .describe_instances()
        .instance_ids("web-1")
        .send()
        .await
        .expect_err("malformed");
    assert_eq!(code_and_message(&err).0, "InvalidInstanceID.Malformed");
    let err = ec2
        .describe_instances()
        .filters(Filter::builder().name("colour").values("red").build())
        .send()
        .await
        .expect_err("bad filter");
    assert_eq!(
        code_and_message(&err),
        (
            "InvalidParameterValue".into(),
            "The filter 'colour' is invalid".into()
        )
    );
}

#[tokio::test]
async fn describe_instances_pages() {
    let emulator = TestEmulator::start().await;
    let ec2 = Client::new(&emulator.config);
    let first = ec2
        .describe_instances()
        .max_results(5)
        .send()
        .await
        .expect("page 1");
    assert_eq!(first.reservations().len(), 5);
    let second = ec2
        .describe_instances()
        .max_results(5)
        .next_token(first.next_token().expect("more"))
        .send()
        .await
        .expect("page 2");
    assert!(second.next_token().is_none());
    let all = ec2.describe_instances().send().await.expect("all");
    assert_eq!(
        first.reservations().len() + second.reservations().len(),
        all.reservations().len()
    );
}

#[tokio::test]
async fn stop_and_start_take_time_on_the_emulated_clock() {
    let emulator = TestEmulator::start_scaled(600.0).await;
    let ec2 = Client::new(&emulator.config);
    let stopped = ec2
        .stop_instances()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect("StopInstances");
    let change = &stopped.stopping_instances()[0];
    assert_eq!(
        change.previous_state().and_then(|s| s.name()),
        Some(&InstanceStateName::Running)
    );
    assert_eq!(
        change.current_state().and_then(|s| s.name()),
        Some(&InstanceStateName::Stopping)
    );
    wait_for(
        &ec2,
        WEB_1,
        InstanceStateName::Stopped,
        Duration::from_secs(5),
    )
    .await;

    let started = ec2
        .start_instances()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect("StartInstances");
    assert_eq!(
        started.starting_instances()[0]
            .current_state()
            .and_then(|s| s.name()),
        Some(&InstanceStateName::Pending)
    );
    wait_for(
        &ec2,
        WEB_1,
        InstanceStateName::Running,
        Duration::from_secs(5),
    )
    .await;
    let status = ec2
        .describe_instance_status()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect("status");
    let status = &status.instance_statuses()[0];
    assert_eq!(
        status
            .instance_status()
            .and_then(|s| s.status())
            .map(|s| s.as_str()),
        Some("ok")
    );

    ec2.reboot_instances()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect("reboot a running instance");
    let err = ec2
        .reboot_instances()
        .instance_ids(BATCH_1)
        .send()
        .await
        .expect_err("stopped");
    assert_eq!(code_and_message(&err).0, "IncorrectInstanceState");

    ec2.terminate_instances()
        .instance_ids(BATCH_1)
        .send()
        .await
        .expect("terminate");
    wait_for(
        &ec2,
        BATCH_1,
        InstanceStateName::Terminated,
        Duration::from_secs(5),
    )
    .await;
    let err = ec2
        .start_instances()
        .instance_ids(BATCH_1)
        .send()
        .await
        .expect_err("terminated");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, "IncorrectInstanceState");
    assert!(message.contains(BATCH_1), "{message}");
}

#[tokio::test]
async fn a_refused_change_changes_none_of_the_instances() {
    let emulator = TestEmulator::start().await;
    let ec2 = Client::new(&emulator.config);
    let err = ec2
        .stop_instances()
        .instance_ids(WEB_1)
        .instance_ids("i-0deadbeef00000001")
        .send()
        .await
        .expect_err("one is terminated");
    assert_eq!(code_and_message(&err).0, "IncorrectInstanceState");
    assert_eq!(state_of(&ec2, WEB_1).await, InstanceStateName::Running);
}

#[tokio::test]
async fn images_and_tags() {
    let emulator = TestEmulator::start_scaled(600.0).await;
    let ec2 = Client::new(&emulator.config);
    let image = ec2
        .create_image()
        .instance_id(WEB_1)
        .name("web-1-backup")
        .no_reboot(true)
        .send()
        .await
        .expect("CreateImage");
    let image_id = image.image_id().expect("image id").to_owned();
    let described = ec2
        .describe_images()
        .image_ids(&image_id)
        .send()
        .await
        .expect("DescribeImages");
    assert_eq!(described.images()[0].name(), Some("web-1-backup"));
    let err = ec2
        .create_image()
        .instance_id(WEB_1)
        .name("web-1-backup")
        .send()
        .await
        .expect_err("duplicate");
    assert_eq!(code_and_message(&err).0, "InvalidAMIName.Duplicate");

    ec2.create_tags()
        .resources(WEB_1)
        .tags(Tag::builder().key("Reviewed").value("yes").build())
        .send()
        .await
        .expect("CreateTags");
    let answer = ec2
        .describe_instances()
        .filters(Filter::builder().name("tag:Reviewed").values("yes").build())
        .send()
        .await
        .expect("by new tag");
    assert_eq!(answer.reservations().len(), 1);
}

#[tokio::test]
async fn ec2_refuses_what_the_principal_may_not_do() {
    let emulator = TestEmulator::start_as("AKIAPORTALSERVER0001").await;
    let ec2 = Client::new(&emulator.config);
    ec2.describe_instances().send().await.expect("may describe");
    let err = ec2
        .stop_instances()
        .instance_ids(WEB_1)
        .send()
        .await
        .expect_err("may not stop");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, "UnauthorizedOperation");
    assert!(
        message.starts_with("You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/PortalServer is not authorized to perform: ec2:StopInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0"),
        "{message}"
    );
    assert_eq!(state_of(&ec2, WEB_1).await, InstanceStateName::Running);
}
