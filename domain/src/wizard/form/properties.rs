//! Property tests of the wizard's link: any form, written as a link and read back the way the
//! server reads a query (or a posted form), is the same form; the pairs say everything the
//! form holds for its mode; and any pairs at all make some form.

use proptest::prelude::*;

use super::{Mode, TargetKind, Unit, WizardForm};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "\\PC{0,10}",
        1 => proptest::sample::select(vec!["&", "=", "+", "%", "%2B", "#", "?", "/", "p.x", " ", "a&b=c"])
            .prop_map(str::to_owned),
    ]
}

fn unit() -> impl Strategy<Value = Unit> {
    prop_oneof![Just(Unit::Count), Just(Unit::Percent)]
}

fn form() -> impl Strategy<Value = WizardForm> {
    (
        (
            text(),
            text(),
            text(),
            proptest::sample::select(Mode::ALL.to_vec()),
        ),
        prop::collection::btree_map(text(), text(), 0..4),
        (
            text(),
            proptest::sample::select(TargetKind::ALL.to_vec()),
            text(),
            text(),
            text(),
        ),
        (text(), unit(), text(), unit()),
        (text(), text(), text(), unit(), text(), unit(), text()),
        (text(), text()),
    )
        .prop_map(
            |(
                (document, grant, version, mode),
                parameters,
                (target_parameter, targets, tag_key, tag_value, resource_group),
                (concurrency, concurrency_unit, errors, errors_unit),
                (accounts, regions, lc, lcu, le, leu, execution_role),
                (alarm, tags),
            )| WizardForm {
                document,
                grant,
                version,
                mode,
                parameters,
                target_parameter,
                targets,
                tag_key,
                tag_value,
                resource_group,
                concurrency,
                concurrency_unit,
                errors,
                errors_unit,
                accounts,
                regions,
                location_concurrency: lc,
                location_concurrency_unit: lcu,
                location_errors: le,
                location_errors_unit: leu,
                execution_role,
                alarm,
                tags,
            },
        )
}

/// The form a link stands for, read as the server reads the path and the query.
fn read_link(url: &str) -> WizardForm {
    let rest = url
        .strip_prefix("/automation/execute/")
        .expect("the wizard's path");
    let (document, query) = rest.split_once('?').unwrap_or((rest, ""));
    let document = percent_encoding::percent_decode_str(document)
        .decode_utf8()
        .expect("utf-8");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("a query");
    WizardForm::from_pairs(
        &document,
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn a_link_reads_back_as_the_form_it_was_written_from(form in form()) {
        let pairs = form.to_pairs();
        let meant = WizardForm::from_pairs(
            &form.document,
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        // The pairs carry all they say, and nothing else changes on the way.
        prop_assert_eq!(&meant.to_pairs(), &pairs);
        prop_assert_eq!(read_link(&form.url()), meant);
    }

    #[test]
    fn any_pairs_make_a_form(pairs in prop::collection::vec((text(), text()), 0..12)) {
        let form = WizardForm::from_pairs("doc", pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        prop_assert_eq!(read_link(&form.url()), WizardForm::from_pairs("doc", form.to_pairs().iter().map(|(k, v)| (k.as_str(), v.as_str()))));
    }
}
