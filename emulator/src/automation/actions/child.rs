//! aws:executeAutomation: starts a child automation as the same principal and waits for its end.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::automation::launch::{launch, Launch};
use crate::automation::outputs::Outputs;
use crate::automation::step_run::{string_list, Done, StepRun};
use crate::world::execution::{ChildKey, Failure};
use crate::world::execution::{Target, TargetLocation, TargetRequest};

pub async fn execute_automation(run: &StepRun<'_>) -> Result<Done, Failure> {
    let request = child_launch(run)?;
    let id = {
        let mut world = run.state.world();
        launch(
            run.state,
            &mut world,
            run.acting_as,
            &run.key.region,
            request,
        )
        .map_err(|e| {
            Failure::verification(format!(
                "The child automation could not start: {} ({})",
                e.message, e.code
            ))
        })?
    };
    run.with_execution(|exec| {
        if let Some(step) = exec.steps.get_mut(run.index) {
            step.outputs.insert("ExecutionId".into(), vec![id.clone()]);
        }
    });
    let child = ChildKey {
        account: run.acting_as.account.clone(),
        region: run.key.region.clone(),
        id,
    };
    wait_for_child(run, &child).await
}

/// Waits for the child to end, passing a cancel of the parent on to it.
async fn wait_for_child(run: &StepRun<'_>, child: &ChildKey) -> Result<Done, Failure> {
    loop {
        let ended = {
            let world = run.state.world();
            world
                .region(&child.account, &child.region)
                .and_then(|r| r.executions.get(&child.id))
                .filter(|e| e.status.is_terminal())
                .map(|e| (e.status, e.outputs(), e.failure_message.clone()))
        };
        if let Some((status, outputs, failure)) = ended {
            let mut result = Outputs::new();
            result.insert("ExecutionId".into(), vec![child.id.clone()]);
            result.insert("Status".into(), vec![status.name().to_owned()]);
            result.insert(
                "Output".into(),
                vec![serde_json::to_string(&outputs).unwrap_or_default()],
            );
            if status.name() != "Success" {
                return Err(Failure::verification(format!(
                    "The child automation {} ended {}{}",
                    child.id,
                    status.name(),
                    failure.map(|f| format!(": {f}")).unwrap_or_default()
                )));
            }
            return Ok(result.into());
        }
        if let Err(cancelled) = run.pause_for_poll().await {
            let mut world = run.state.world();
            if let Some(execution) = world
                .region_mut(&child.account, &child.region)
                .executions
                .get_mut(&child.id)
            {
                execution.cancel_requested = true;
            }
            return Err(cancelled);
        }
    }
}

fn child_launch(run: &StepRun<'_>) -> Result<Launch, Failure> {
    let document_name = run
        .text_input("DocumentName")
        .ok_or_else(|| Failure::inputs("aws:executeAutomation needs a DocumentName."))?
        .to_owned();
    let parameters: BTreeMap<String, Vec<String>> = run
        .input("RuntimeParameters")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .map(|(k, v)| (k.clone(), string_list(Some(v))))
                .collect()
        })
        .unwrap_or_default();
    let targets: Vec<Target> = match run.input("Targets") {
        Some(value) => serde_json::from_value(value.clone()).map_err(|e| {
            Failure::inputs(format!("Targets is not a list of Key and Values: {e}"))
        })?,
        None => Vec::new(),
    };
    let target_locations: Vec<TargetLocation> = match run.input("TargetLocations") {
        Some(value) => serde_json::from_value(value.clone()).map_err(|e| {
            Failure::inputs(format!("TargetLocations is not a list of locations: {e}"))
        })?,
        None => Vec::new(),
    };
    let target_maps: Vec<BTreeMap<String, Vec<String>>> = match run.input("TargetMaps") {
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|e| Failure::inputs(format!("TargetMaps is not a list of maps: {e}")))?,
        None => Vec::new(),
    };
    let targeting = (!targets.is_empty() || !target_maps.is_empty()).then(|| TargetRequest {
        parameter_name: run.text_input("TargetParameterName").map(str::to_owned),
        targets,
        target_maps,
        max_concurrency: run.text_input("MaxConcurrency").map(str::to_owned),
        max_errors: run.text_input("MaxErrors").map(str::to_owned),
    });
    let tags = run
        .input("Tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some((
                t.get("Key")?.as_str()?.to_owned(),
                t.get("Value")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    Ok(Launch {
        document_name,
        document_version: run.text_input("DocumentVersion").map(str::to_owned),
        parameters,
        targeting,
        target_locations_echo: run.input("TargetLocations").cloned(),
        target_locations,
        tags,
        parent: Some(run.key.id.clone()),
        ..Launch::default()
    })
}
