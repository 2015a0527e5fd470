//! aws:executeAwsApi, aws:waitForAwsResourceProperty and aws:assertAwsResourceProperty: any API
//! of the emulated services, called as the execution's role.

use serde_json::{Map, Value};

use crate::automation::outputs;
use crate::automation::step_run::{string_list, Done, StepRun};
use crate::world::execution::Failure;

/// Inputs that steer the action rather than being the API's parameters.
const STEERING: &[&str] = &["Service", "Api", "PropertySelector", "DesiredValues"];

fn request(run: &StepRun<'_>) -> Result<(String, String, Map<String, Value>), Failure> {
    let service = run
        .text_input("Service")
        .ok_or_else(|| Failure::inputs("The step needs a Service, such as ec2."))?
        .to_ascii_lowercase();
    let api = run
        .text_input("Api")
        .ok_or_else(|| Failure::inputs("The step needs an Api, such as DescribeInstances."))?
        .to_owned();
    let parameters = run
        .inputs
        .as_object()
        .map(|all| {
            all.iter()
                .filter(|(k, _)| !STEERING.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok((service, api, parameters))
}

pub fn execute(run: &StepRun<'_>) -> Result<Done, Failure> {
    let (service, api, parameters) = request(run)?;
    let answer = run.call(&service, &api, &parameters)?;
    Ok(outputs::declared(run.declaration, &answer)?.into())
}

/// The property's values, and whether they are all among the desired ones.
fn property(run: &StepRun<'_>) -> Result<(Vec<String>, bool), Failure> {
    let (service, api, parameters) = request(run)?;
    let selector = run
        .text_input("PropertySelector")
        .ok_or_else(|| Failure::inputs("The step needs a PropertySelector."))?;
    let desired = string_list(run.input("DesiredValues"));
    if desired.is_empty() {
        return Err(Failure::inputs("The step needs DesiredValues."));
    }
    let answer = run.call(&service, &api, &parameters)?;
    let found: Vec<String> = outputs::select(&answer, selector)?
        .iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().map(shown).collect(),
            one => vec![shown(one)],
        })
        .collect();
    let matches = !found.is_empty() && found.iter().all(|v| desired.contains(v));
    Ok((found, matches))
}

/// Booleans compare as AWS writes them in DesiredValues: True / False.
fn shown(value: &Value) -> String {
    match value {
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => outputs::text(other),
    }
}

pub async fn wait_for_property(run: &StepRun<'_>) -> Result<Done, Failure> {
    loop {
        if property(run)?.1 {
            return Ok(Done::default());
        }
        run.pause_for_poll().await?;
    }
}

pub fn assert_property(run: &StepRun<'_>) -> Result<Done, Failure> {
    let (found, matches) = property(run)?;
    if matches {
        return Ok(Done::default());
    }
    Err(Failure::verification(format!(
        "The property {} is {}, not one of the desired values {}.",
        run.text_input("PropertySelector").unwrap_or_default(),
        if found.is_empty() {
            "absent".to_owned()
        } else {
            found.join(", ")
        },
        string_list(run.input("DesiredValues")).join(", ")
    )))
}
