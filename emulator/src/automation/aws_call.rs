//! AWS calls made by runbook steps: the emulator's own APIs, called in-process as the principal the
//! execution acts as, answering in boto3's JSON.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::identity::Principal;
use crate::protocol::{Answer, RequestContext};
use crate::state::State;
use crate::world::execution::{ChildKey, Failure};

/// Calls `service`'s `api` (boto3's names: `ec2`, `DescribeInstances`) with `parameters` as
/// `acting_as`; a refusal fails the step in boto3's words.
pub fn call(
    state: &Arc<State>,
    key: &ChildKey,
    acting_as: &Principal,
    service: &str,
    api: &str,
    parameters: &Map<String, Value>,
) -> Result<Value, Failure> {
    let ctx = RequestContext {
        request_id: uuid::Uuid::new_v4().to_string(),
        signing_service: Some(service.to_owned()),
        region: key.region.clone(),
        caller: acting_as.clone(),
        answer: Answer::Boto,
    };
    state.counters.record(service, api);
    let Some(answer) = state.call_api(&ctx, service, api, parameters) else {
        return Err(Failure::verification(format!(
            "The emulator serves the ssm, ec2, iam and sts APIs; {service} is not one of them, so the step cannot call {service}.{api}."
        )));
    };
    let bytes = answer.map_err(|e| {
        Failure::verification(format!(
            "An error occurred ({}) when calling the {api} operation: {}",
            e.code, e.message
        ))
    })?;
    if bytes.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| Failure::verification(format!("The {api} answer is not JSON: {e}")))
}
