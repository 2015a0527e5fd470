//! The wizard's form checked while it is typed: the mistakes and the commands the page shows come
//! from the server, shaped by the user's grant, and a check starts nothing and records nothing.

use domain::wizard::{FormCheck, WizardForm};
use domain::PortalError;
use serde_json::json;

use crate::support::{forbidden, TestPortal, ROLE};

const GRANTS: &str = r#"
[[grant]]
name = "Restart web"
users = ["sam"]
runbooks = ["Portal-RestartWithHealthCheck", "Checks-Secret"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
[grant.parameters.InstanceId]
allowed = ["i-1234567890abcdef0"]
[grant.parameters.WarmUp]
fixed = "PT5S"
hidden = true
"#;

const RESTART: &str = "Portal-RestartWithHealthCheck";
const WEB_1: &str = "i-1234567890abcdef0";

async fn check(
    t: &TestPortal,
    who: &str,
    runbook: &str,
    pairs: &[(&str, &str)],
) -> Result<FormCheck, PortalError> {
    let viewer = t.viewer(who, &[]);
    let form = WizardForm::from_pairs(runbook, pairs.iter().copied());
    t.portal.check_form(&viewer, &form).await
}

fn start_in(check: &FormCheck, shell: &str) -> String {
    check
        .commands
        .iter()
        .find(|c| c.shell == shell)
        .map(|c| c.start.clone())
        .expect("a command for the shell")
}

#[tokio::test]
async fn a_value_the_grant_does_not_offer_is_a_mistake_on_its_field_and_nothing_is_recorded() {
    let t = TestPortal::new(GRANTS).await;
    let audited = t.audit().await.len();
    let checked = check(
        &t,
        "sam",
        RESTART,
        &[
            ("p.InstanceId", "i-0a1b2c3d4e5f60718"),
            ("p.AutomationAssumeRole", ROLE),
        ],
    )
    .await
    .expect("checked");
    let fields: Vec<&str> = checked.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["p.InstanceId"], "{checked:?}");
    assert!(
        start_in(&checked, "unix").starts_with("# Complete the form"),
        "{checked:?}"
    );
    assert_eq!(t.started_count(RESTART).await, 0);
    assert_eq!(t.audit().await.len(), audited, "a check is not a request");
}

#[tokio::test]
async fn the_commands_never_show_a_hidden_value_nor_a_secret_one() {
    let t = TestPortal::new(GRANTS).await;
    let checked = check(
        &t,
        "sam",
        RESTART,
        &[("p.InstanceId", WEB_1), ("p.AutomationAssumeRole", ROLE)],
    )
    .await
    .expect("checked");
    assert!(checked.errors.is_empty(), "{checked:?}");
    let unix = start_in(&checked, "unix");
    assert!(
        unix.contains(&format!("--document-name \"{RESTART}\"")) && unix.contains(WEB_1),
        "{unix}"
    );
    // The grant's hidden value is put in on Execute, on the server; no page shows it.
    assert!(!unix.contains("PT5S") && !unix.contains("WarmUp"), "{unix}");

    t.add_simple_runbook(
        "Checks-Secret",
        json!({ "DbPassword": { "type": "String" } }),
        json!([{ "name": "settle", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } }]),
    )
    .await;
    let checked = check(
        &t,
        "sam",
        "Checks-Secret",
        &[
            ("p.DbPassword", "hunter2-hunter2"),
            ("p.AutomationAssumeRole", ROLE),
        ],
    )
    .await
    .expect("checked");
    for command in &checked.commands {
        assert!(!command.start.contains("hunter2"), "{}", command.start);
    }
    assert!(
        start_in(&checked, "powershell").contains("********"),
        "{checked:?}"
    );
}

#[tokio::test]
async fn a_runbook_the_viewer_may_not_run_is_not_checked_and_the_refusal_is_recorded() {
    let t = TestPortal::new(GRANTS).await;
    let refused = forbidden(check(&t, "vic", RESTART, &[("p.InstanceId", WEB_1)]).await);
    assert!(refused.contains("You have no grant"), "{refused}");
    t.refusal("vic", "You have no grant").await;
    // Nor one of another name the grant does not cover.
    let refused = forbidden(check(&t, "sam", "AWS-RestartEC2Instance", &[]).await);
    assert!(refused.contains("You have no grant"), "{refused}");
    assert!(matches!(
        check(&t, "sam", "Checks-Missing", &[]).await,
        Err(PortalError::NotFound(_))
    ));
}
