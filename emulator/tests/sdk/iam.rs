use aws_sdk_iam::Client;

use crate::{code_and_message, TestEmulator};

fn decode(policy: &str) -> serde_json::Value {
    let json = percent_encoding::percent_decode_str(policy)
        .decode_utf8()
        .expect("UTF-8 policy");
    serde_json::from_str(&json).expect("a JSON policy")
}

#[tokio::test]
async fn list_roles_pages_with_markers_and_filters_by_path() {
    let emulator = TestEmulator::start().await;
    let iam = Client::new(&emulator.config);
    let all = iam.list_roles().send().await.expect("ListRoles answers");
    let names: Vec<&str> = all.roles().iter().map(|r| r.role_name()).collect();
    assert!(names.contains(&"AmazonSSMAutomationRole"), "{names:?}");
    assert!(names.contains(&"EC2InstanceProfileRole"), "{names:?}");
    assert!(!all.is_truncated());

    let first = iam
        .list_roles()
        .max_items(2)
        .send()
        .await
        .expect("first page");
    assert_eq!(first.roles().len(), 2);
    assert!(first.is_truncated());
    let second = iam
        .list_roles()
        .max_items(100)
        .marker(first.marker().expect("a marker"))
        .send()
        .await
        .expect("rest");
    assert_eq!(first.roles().len() + second.roles().len(), names.len());
    assert_eq!(second.roles()[0].role_name(), names[2]);

    let none = iam
        .list_roles()
        .path_prefix("/nowhere/")
        .send()
        .await
        .expect("empty listing");
    assert!(none.roles().is_empty());
    let err = iam
        .list_roles()
        .marker("forged")
        .send()
        .await
        .expect_err("bad marker");
    assert_eq!(code_and_message(&err).0, "InvalidInput");
}

#[tokio::test]
async fn get_role_returns_the_url_encoded_trust_policy() {
    let emulator = TestEmulator::start().await;
    let iam = Client::new(&emulator.config);
    let answer = iam
        .get_role()
        .role_name("AmazonSSMAutomationRole")
        .send()
        .await
        .expect("GetRole");
    let role = answer.role().expect("a role");
    assert_eq!(
        role.arn(),
        "arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"
    );
    assert!(role.role_id().starts_with("AROA"));
    let encoded = role.assume_role_policy_document().expect("trust policy");
    assert!(
        encoded.starts_with("%7B%22Version%22%3A%222012-10-17%22"),
        "{encoded}"
    );
    let trust = decode(encoded);
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"][0],
        "ssm.amazonaws.com"
    );
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"],
        "123456789012"
    );

    let err = iam
        .get_role()
        .role_name("NoSuchRole")
        .send()
        .await
        .expect_err("unknown role");
    let service = err.as_service_error().expect("AWS error");
    assert!(service.is_no_such_entity_exception());
    assert_eq!(
        code_and_message(&err).1,
        "The role with name NoSuchRole cannot be found."
    );
}

#[tokio::test]
async fn role_policies_inline_and_attached() {
    let emulator = TestEmulator::start().await;
    let iam = Client::new(&emulator.config);
    let inline = iam
        .list_role_policies()
        .role_name("AmazonSSMAutomationRole")
        .send()
        .await
        .expect("inline");
    assert_eq!(inline.policy_names(), ["PassRoleToInstances"]);
    let policy = iam
        .get_role_policy()
        .role_name("AmazonSSMAutomationRole")
        .policy_name("PassRoleToInstances")
        .send()
        .await
        .expect("inline policy");
    assert_eq!(
        decode(policy.policy_document())["Statement"][0]["Action"],
        "iam:PassRole"
    );

    let attached = iam
        .list_attached_role_policies()
        .role_name("AmazonSSMAutomationRole")
        .send()
        .await
        .expect("attached");
    let arn = attached.attached_policies()[0]
        .policy_arn()
        .expect("arn")
        .to_owned();
    assert_eq!(
        arn,
        "arn:aws:iam::aws:policy/service-role/AmazonSSMAutomationRole"
    );
    let managed = iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .expect("GetPolicy");
    let managed = managed.policy().expect("policy");
    assert_eq!(managed.default_version_id(), Some("v1"));
    assert!(managed.attachment_count().unwrap_or_default() >= 1);
    let version = iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await
        .expect("version");
    let document = decode(
        version
            .policy_version()
            .and_then(|v| v.document())
            .expect("document"),
    );
    let actions = document["Statement"][0]["Action"]
        .as_array()
        .expect("actions");
    assert!(actions.iter().any(|a| a == "ec2:StopInstances"));

    let err = iam
        .get_role_policy()
        .role_name("AmazonSSMAutomationRole")
        .policy_name("Nope")
        .send()
        .await
        .expect_err("unknown policy");
    assert_eq!(code_and_message(&err).0, "NoSuchEntity");
    let err = iam
        .get_policy()
        .policy_arn("arn:aws:iam::aws:policy/Nope")
        .send()
        .await
        .expect_err("unknown");
    assert_eq!(code_and_message(&err).0, "NoSuchEntity");
}

#[tokio::test]
async fn iam_refuses_a_principal_without_permission() {
    let emulator = TestEmulator::start_as("AKIAPORTALSERVER0001").await;
    let iam = Client::new(&emulator.config);
    iam.list_roles().send().await.expect("may list roles");
    let err = iam
        .list_role_policies()
        .role_name("AmazonSSMAutomationRole")
        .send()
        .await
        .expect_err("may not read policies");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, "AccessDenied");
    assert!(message.contains("iam:ListRolePolicies"), "{message}");
}
