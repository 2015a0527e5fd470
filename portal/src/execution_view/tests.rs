use domain::execution::fixtures::{step, view};

use super::mask_secrets;

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
    store.outputs = vec![("Payload".into(), vec!["hunter2-secret".into(), "ok".into()])];
    store.failure = "No document named hunter2-secret".into();
    store.failure_details = vec![("Details".into(), "name=hunter2-secret".into())];
    mask_secrets(&mut page, &grants::SecretNames::default());
    let shown = serde_json::to_string(&page).expect("json");
    assert!(!shown.contains("hunter2"), "{shown}");
    // The outputs as the step's page copies them: the masked values, as JSON.
    let copied: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&page.steps[0].outputs_json).expect("the outputs as JSON");
    assert_eq!(copied["Payload"], [grants::MASK, "ok"]);
    assert_eq!(page.summary.parameters[0].1, [grants::MASK]);
    assert_eq!(page.summary.parameters[1].1, ["orders"]);
    // A short secret is masked where it is a parameter, not searched for in other text.
    assert_eq!(page.steps[0].inputs[1].1, grants::MASK);
    assert_eq!(
        page.steps[0].failure,
        format!("No document named {}", grants::MASK)
    );
}
