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
    // A runbook that does not exist is refused alike: whether it exists is not sam's to learn.
    let refused = forbidden(check(&t, "sam", "Checks-Missing", &[]).await);
    assert!(
        refused.contains("You have no grant to run Checks-Missing"),
        "{refused}"
    );
    let admin = t.admin();
    let missing = WizardForm::from_pairs("Checks-Missing", []);
    assert!(matches!(
        t.portal.check_form(&admin, &missing).await,
        Err(PortalError::NotFound(_))
    ));
}

#[tokio::test]
async fn the_checks_take_the_runbook_as_the_page_read_it() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    // Every AWS call from here on is counted (a 1 ms delay).
    t.inject(json!({ "fault": "latency", "millis": 1 })).await;
    let before = t.faults_struck().await;
    t.portal
        .runbook(&sam, RESTART, "")
        .await
        .expect("the page reads the runbook");
    let page = t.faults_struck().await;
    assert!(page > before, "the page asked AWS");
    for typed in ["i-1", "i-12345678", WEB_1] {
        check(&t, "sam", RESTART, &[("p.InstanceId", typed)])
            .await
            .expect("checked");
    }
    assert_eq!(t.faults_struck().await, page, "a check asked AWS again");
    // The grant is checked every time all the same.
    forbidden(check(&t, "vic", RESTART, &[]).await);
}
