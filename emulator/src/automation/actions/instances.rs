//! EC2 actions — aws:changeInstanceState, aws:createImage, aws:createTags — made through EC2's
//! API as the execution's role, so the role's permissions decide what happens.

use serde_json::{json, Map, Value};

use crate::automation::outputs::{self, Outputs};
use crate::automation::step_run::{string_list, Done, StepRun};
use crate::world::execution::Failure;

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub async fn change_instance_state(run: &StepRun<'_>) -> Result<Done, Failure> {
    let ids = string_list(run.input("InstanceIds"));
    if ids.is_empty() {
        return Err(Failure::inputs(
            "InstanceIds must list at least one instance.",
        ));
    }
    let desired = run.text_input("DesiredState").unwrap_or_default();
    let operation = match desired {
        "running" => "StartInstances",
        "stopped" => "StopInstances",
        "terminated" => "TerminateInstances",
        other => {
            return Err(Failure::inputs(format!(
                "DesiredState {other:?} is not valid: use running, stopped or terminated."
            )))
        }
    };
    if !run.flag("CheckStateOnly") {
        let mut request = json!({ "InstanceIds": ids });
        if run.flag("Force") && operation == "StopInstances" {
            request["Force"] = Value::Bool(true);
        }
        run.call("ec2", operation, &object(request))?;
    }
    let describe = object(json!({ "InstanceIds": ids }));
    loop {
        let answer = run.call("ec2", "DescribeInstances", &describe)?;
        let states = outputs::select(&answer, "$.Reservations[*].Instances[*].State.Name")?;
        let reached = states.len() == ids.len() && states.iter().all(|s| s == desired);
        // "running" also waits for the instance and system status checks to pass.
        let checked = reached
            && (desired != "running" || {
                let statuses = run.call("ec2", "DescribeInstanceStatus", &describe)?;
                let ok = outputs::select(
                    &statuses,
                    "$.InstanceStatuses[*]['InstanceStatus','SystemStatus'].Status",
                )?;
                ok.len() == 2 * ids.len() && ok.iter().all(|s| s == "ok")
            });
        if checked {
            let mut outputs = Outputs::new();
            outputs.insert("InstanceStates".into(), vec![desired.to_owned(); ids.len()]);
            return Ok(outputs.into());
        }
        run.pause_for_poll().await?;
    }
}

pub async fn create_image(run: &StepRun<'_>) -> Result<Done, Failure> {
    let instance = run
        .text_input("InstanceId")
        .ok_or_else(|| Failure::inputs("aws:createImage needs an InstanceId."))?;
    let name = run
        .text_input("ImageName")
        .ok_or_else(|| Failure::inputs("aws:createImage needs an ImageName."))?;
    let mut request =
        json!({ "InstanceId": instance, "Name": name, "NoReboot": run.flag("NoReboot") });
    if let Some(description) = run.text_input("ImageDescription") {
        request["Description"] = Value::String(description.to_owned());
    }
    let created = run.call("ec2", "CreateImage", &object(request))?;
    let image = created
        .get("ImageId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let describe = object(json!({ "ImageIds": [image] }));
    loop {
        let answer = run.call("ec2", "DescribeImages", &describe)?;
        let state = outputs::select(&answer, "$.Images[0].State")?;
        match state.first().and_then(Value::as_str) {
            Some("available") => {
                let mut outputs = Outputs::new();
                outputs.insert("ImageId".into(), vec![image]);
                outputs.insert("ImageState".into(), vec!["available".into()]);
                return Ok(outputs.into());
            }
            Some("failed") => return Err(Failure::verification(format!("Image {image} failed."))),
            _ => run.pause_for_poll().await?,
        }
    }
}

pub fn create_tags(run: &StepRun<'_>) -> Result<Done, Failure> {
    match run.text_input("ResourceType").unwrap_or("EC2") {
        "EC2" => {}
        other => {
            return Err(Failure::verification(format!(
                "The emulator tags EC2 resources only; ResourceType {other} cannot be tagged here."
            )))
        }
    }
    let resources = string_list(run.input("ResourceIds"));
    let tags = run
        .input("Tags")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    run.call(
        "ec2",
        "CreateTags",
        &object(json!({ "Resources": resources, "Tags": tags })),
    )?;
    Ok(Done::default())
}
