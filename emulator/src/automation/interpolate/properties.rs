//! Property tests of `{{ }}` substitution: text without references is left alone, references
//! are replaced by their values and nothing else, a value is never read as a reference again
//! (a parameter's text cannot reach another parameter or a variable), and any text is
//! substituted or refused naming the reference, never a panic.

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::Value;
use time::OffsetDateTime;

use super::Variables;
use crate::automation::parameters::Values;

const NAMES: [&str; 3] = ["InstanceId", "Name", "Step.Output"];

/// Text holding no `{{`, with the braces and spaces that sit around references.
fn literal() -> impl Strategy<Value = String> {
    "[a-z {}}_.:\\-日]{0,12}".prop_filter("no opener", |s| !s.contains("{{") && !s.ends_with('{'))
}

/// Any value, references and their pieces among them.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,16}",
        Just("{{ Name }}".to_owned()),
        Just("{{global:ACCOUNT_ID}}".to_owned()),
        Just("{{".to_owned()),
        Just("}}".to_owned()),
    ]
}

fn check(
    parameters: &Values,
    f: impl FnOnce(&Variables<'_>) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    let lists = BTreeSet::new();
    let outputs = Values::new();
    f(&Variables {
        parameters,
        outputs: &outputs,
        lists: &lists,
        execution_id: "exec-1",
        account: "123456789012",
        region: "us-east-1",
        now: OffsetDateTime::UNIX_EPOCH,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn text_without_references_is_left_alone(text in "\\PC{0,40}") {
        prop_assume!(!text.contains("{{"));
        check(&Values::new(), |vars| {
            prop_assert_eq!(vars.apply(&Value::from(text.clone())), Ok(Value::from(text.clone())));
            Ok(())
        })?;
    }

    #[test]
    fn references_become_their_values_and_values_stay_text(
        parts in prop::collection::vec((literal(), 0usize..3, " {0,2}", " {0,2}"), 1..5),
        tail in literal(),
        values in prop::collection::vec(value(), 3),
    ) {
        let parameters: Values = NAMES
            .iter()
            .zip(&values)
            .map(|(name, value)| ((*name).to_owned(), vec![value.clone()]))
            .collect();
        let mut template = String::new();
        let mut expected = String::new();
        for (text, name, before, after) in &parts {
            template.push_str(&format!("{text}{{{{{before}{}{after}}}}}", NAMES[*name]));
            expected.push_str(text);
            expected.push_str(&values[*name]);
        }
        template.push_str(&tail);
        expected.push_str(&tail);
        // A template that is one reference alone gives the value as it is (not trimmed).
        check(&parameters, |vars| {
            prop_assert_eq!(vars.apply(&Value::from(template.clone())), Ok(Value::from(expected.clone())), "{}", template);
            Ok(())
        })?;
    }

    #[test]
    fn any_text_is_substituted_or_refused_naming_the_reference(text in "[a-zA-Z{}: .]{0,40}") {
        let parameters: Values = [("Name".to_owned(), vec!["web".to_owned()])].into();
        check(&parameters, |vars| {
            match vars.apply(&Value::from(text.clone())) {
                Ok(Value::String(_)) => {}
                Ok(other) => prop_assert!(false, "{} gave {}", text, other),
                Err(reason) => prop_assert!(reason.starts_with("The reference {{"), "{}", reason),
            }
            Ok(())
        })?;
    }
}
