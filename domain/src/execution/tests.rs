use super::fixtures::{step, view};
use super::*;

#[test]
fn events_replace_the_summary_and_update_or_insert_steps() {
    let mut page = view("InProgress", vec![step(1, "a", "InProgress")]);
    let later = view(
        "InProgress",
        vec![step(1, "a", "Success"), step(2, "b", "InProgress")],
    );
    for step in &later.steps {
        let data = serde_json::to_string(step).expect("json");
        assert_eq!(page.apply(event::STEP, &data), Applied::Changed);
    }
    assert_eq!(page.steps, later.steps);
    // What the view has already changes nothing.
    let again = serde_json::to_string(&later.steps[1]).expect("json");
    assert_eq!(page.apply(event::STEP, &again), Applied::Unchanged);
    let mut done = later.summary.clone();
    done.status = "Success".into();
    let done = serde_json::to_string(&done).expect("json");
    assert_eq!(page.apply(event::EXECUTION, &done), Applied::Changed);
    assert!(page.is_terminal());
    assert_eq!(page.apply(event::EXECUTION, &done), Applied::Unchanged);
    assert_eq!(page.apply("unknown", "{}"), Applied::Unknown);
    assert_eq!(page.apply(event::STEP, "not json"), Applied::Unknown);
}

#[test]
fn a_step_arriving_out_of_order_takes_its_numbered_place() {
    let mut page = view(
        "InProgress",
        vec![step(1, "a", "Success"), step(3, "c", "Pending")],
    );
    let b = serde_json::to_string(&step(2, "b", "InProgress")).expect("json");
    assert_eq!(page.apply(event::STEP, &b), Applied::Changed);
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
