use crate::{raw_request, TestEmulator};

#[tokio::test]
async fn get_caller_identity_answers_as_the_default_principal() {
    let emulator = TestEmulator::start().await;
    let sts = aws_sdk_sts::Client::new(&emulator.config);
    let me = sts
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity answers");
    assert_eq!(me.account(), Some("123456789012"));
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::123456789012:assumed-role/Administrator/Admin")
    );
    assert_eq!(me.user_id(), Some("AROA3XFRBF535PLBIFPI4:Admin"));
}

#[tokio::test]
async fn the_access_key_selects_the_principal() {
    let emulator = TestEmulator::start_as("AKIAPORTALSERVER0001").await;
    let sts = aws_sdk_sts::Client::new(&emulator.config);
    let me = sts
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity answers");
    assert_eq!(
        me.arn(),
        Some("arn:aws:iam::123456789012:user/PortalServer")
    );
}

#[tokio::test]
async fn requests_are_counted_per_service_and_operation() {
    let emulator = TestEmulator::start().await;
    let sts = aws_sdk_sts::Client::new(&emulator.config);
    for _ in 0..3 {
        sts.get_caller_identity()
            .send()
            .await
            .expect("GetCallerIdentity answers");
    }
    let metrics = emulator.metrics().await;
    assert!(
        metrics
            .contains("emulator_requests_total{service=\"sts\",operation=\"GetCallerIdentity\"} 3"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_unimplemented_operation_is_an_aws_shaped_error_naming_it() {
    let emulator = TestEmulator::start().await;
    let sts = aws_sdk_sts::Client::new(&emulator.config);
    let err = sts
        .get_session_token()
        .send()
        .await
        .expect_err("GetSessionToken is not implemented");
    let service_error = err
        .as_service_error()
        .expect("an AWS error, not a transport failure");
    let meta = aws_sdk_sts::error::ProvideErrorMetadata::meta(service_error);
    assert_eq!(meta.code(), Some("NotImplemented"));
    assert!(
        meta.message()
            .is_some_and(|m| m.contains("GetSessionToken")),
        "{meta:?}"
    );
}

#[tokio::test]
async fn an_unknown_query_action_is_refused_in_xml() {
    let emulator = TestEmulator::start().await;
    let answer = raw_request(
        &format!("{}/", emulator.running.endpoint_url()),
        "POST",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "Action=Frobnicate&Version=2011-06-15",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("<Code>InvalidAction</Code>"), "{answer}");
    assert!(answer.contains("<Type>Sender</Type>"), "{answer}");
}

#[tokio::test]
async fn an_ssm_operation_not_yet_emulated_answers_in_json() {
    let emulator = TestEmulator::start().await;
    let ssm = aws_sdk_ssm::Client::new(&emulator.config);
    let err = ssm
        .describe_patch_baselines()
        .send()
        .await
        .expect_err("DescribePatchBaselines is not emulated");
    let meta = aws_sdk_ssm::error::ProvideErrorMetadata::meta(
        err.as_service_error().expect("an AWS error"),
    );
    assert_eq!(meta.code(), Some("NotImplemented"));
    assert!(meta
        .message()
        .is_some_and(|m| m.contains("DescribePatchBaselines")));
}

#[tokio::test]
async fn assume_role_honours_trust_policies_and_the_session_acts_as_the_role() {
    let emulator = TestEmulator::start().await;
    let sts = aws_sdk_sts::Client::new(&emulator.config);
    // Administrator trusts the account root: the admin session may assume it.
    let assumed = sts
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/Administrator")
        .role_session_name("alice")
        .send()
        .await
        .expect("AssumeRole answers");
    let user = assumed.assumed_role_user().expect("assumed role user");
    assert_eq!(
        user.arn(),
        "arn:aws:sts::123456789012:assumed-role/Administrator/alice"
    );
    let credentials = assumed.credentials().expect("credentials");
    assert!(credentials.access_key_id().starts_with("ASIA"));

    let session = crate::TestEmulator::config_for(&emulator, credentials.access_key_id()).await;
    let me = aws_sdk_sts::Client::new(&session)
        .get_caller_identity()
        .send()
        .await
        .expect("the session calls");
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::123456789012:assumed-role/Administrator/alice")
    );

    // AmazonSSMAutomationRole trusts only ssm.amazonaws.com.
    let err = sts
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/AmazonSSMAutomationRole")
        .role_session_name("bob")
        .send()
        .await
        .expect_err("not trusted");
    let (code, _) = crate::code_and_message(&err);
    assert_eq!(code, "AccessDenied");
    let err = sts
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/Missing")
        .role_session_name("bob")
        .send()
        .await
        .expect_err("no such role");
    assert_eq!(crate::code_and_message(&err).0, "AccessDenied");
}
