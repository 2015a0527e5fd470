use super::*;

fn step(number: usize, name: &str, status: &str) -> StepView {
    StepView {
        number,
        id: format!("id-{name}"),
        name: name.to_owned(),
        action: "aws:sleep".to_owned(),
        status: status.to_owned(),
        start: String::new(),
        end: String::new(),
        failure: String::new(),
        failure_details: Vec::new(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        target_location: String::new(),
        valid_next_steps: Vec::new(),
        ended_at: 0.0,
    }
}

fn view(status: &str, steps: Vec<StepView>) -> ExecutionView {
    ExecutionView {
        may: Default::default(),
        summary: ExecutionSummary {
            id: "e-1".into(),
            status: status.into(),
            mode: "Auto".into(),
            ..ExecutionSummary::default()
        },
        steps,
        children: Children::default(),
    }
}

#[test]
fn events_replace_the_summary_and_update_or_insert_steps() {
    let mut page = view("InProgress", vec![step(1, "a", "InProgress")]);
    let later = view(
        "InProgress",
        vec![step(1, "a", "Success"), step(2, "b", "InProgress")],
    );
    for step in &later.steps {
        let data = serde_json::to_string(step).expect("json");
        assert!(page.apply(event::STEP, &data));
    }
    assert_eq!(page.steps, later.steps);
    let mut done = later.summary.clone();
    done.status = "Success".into();
    assert!(page.apply(
        event::EXECUTION,
        &serde_json::to_string(&done).expect("json")
    ));
    assert!(page.is_terminal());
    assert!(!page.apply("unknown", "{}"));
    assert!(!page.apply(event::STEP, "not json"));
}

#[test]
fn a_step_arriving_out_of_order_takes_its_numbered_place() {
    let mut page = view(
        "InProgress",
        vec![step(1, "a", "Success"), step(3, "c", "Pending")],
    );
    let b = serde_json::to_string(&step(2, "b", "InProgress")).expect("json");
    assert!(page.apply(event::STEP, &b));
    let names: Vec<_> = page.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

#[test]
fn manual_mode_offers_the_first_step_then_the_valid_next_one() {
    let mut page = view(
        "Waiting",
        vec![step(1, "stop", "Pending"), step(2, "start", "Pending")],
    );
    page.summary.mode = "Interactive".into();
    assert_eq!(page.next_manual_step().as_deref(), Some("stop"));
    page.steps[0].status = "Success".into();
    page.steps[0].ended_at = 10.0;
    page.steps[0].valid_next_steps = vec!["start".into()];
    assert_eq!(page.next_manual_step().as_deref(), Some("start"));
    page.summary.current_step = "start".into();
    assert_eq!(page.next_manual_step(), None, "not while a step runs");
}

#[cfg(feature = "ssr")]
#[test]
fn only_what_changed_is_sent() {
    use crate::live::changes;
    let before = view(
        "InProgress",
        vec![step(1, "a", "InProgress"), step(2, "b", "Pending")],
    );
    let all = changes(None, &before);
    let events: Vec<_> = all.iter().map(|c| c.event).collect();
    assert_eq!(events, [event::EXECUTION, event::STEP, event::STEP]);
    assert!(changes(Some(&before), &before).is_empty());
    let mut after = before.clone();
    after.steps[0].status = "Success".into();
    let sent = changes(Some(&before), &after);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].event, event::STEP);
    assert!(!sent[0].summary, "step rows are not sent to list streams");
    assert!(sent[0].data.contains("\"Success\""));
    after.summary.status = "Success".into();
    let sent = changes(Some(&before), &after);
    assert_eq!(sent[0].event, event::EXECUTION);
    assert!(sent[0].summary);
}

#[cfg(feature = "ssr")]
#[test]
fn secret_values_are_masked_wherever_the_execution_repeats_them() {
    let mut page = view("Failed", vec![step(1, "store", "Failed")]);
    page.summary.parameters = vec![
        ("DbPassword".into(), vec!["hunter2-secret".into()]),
        ("Database".into(), vec!["orders".into()]),
    ];
    page.summary.outputs = vec![("store.Echo".into(), vec!["got hunter2-secret".into()])];
    page.summary.failure = "Step store failed: hunter2-secret is not a document".into();
    let store = &mut page.steps[0];
    store.inputs = vec![
        ("Name".into(), "hunter2-secret".into()),
        ("ApiToken".into(), "t".into()),
    ];
    store.failure = "No document named hunter2-secret".into();
    store.failure_details = vec![("Details".into(), "name=hunter2-secret".into())];
    read::mask_secrets(&mut page, &grants::SecretNames::default());
    let shown = serde_json::to_string(&page).expect("json");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert_eq!(page.summary.parameters[0].1, [grants::MASK]);
    assert_eq!(page.summary.parameters[1].1, ["orders"]);
    // A short secret is masked where it is a parameter, not searched for in other text.
    assert_eq!(page.steps[0].inputs[1].1, grants::MASK);
    assert_eq!(
        page.steps[0].failure,
        format!("No document named {}", grants::MASK)
    );
}
