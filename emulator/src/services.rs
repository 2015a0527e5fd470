//! One module per emulated service. Each maps operation names to typed handlers, mechanically.

pub mod ec2;
pub mod iam;
pub mod ssm;
pub mod sts;

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::protocol::{boto, RequestContext};
use crate::state::{ApiAnswer, State};

/// Calls `service`'s `api` in-process with boto3's JSON `parameters`, for runbook steps (the
/// engine reaches it through [`State::call_api`]); `None` for a service the emulator lacks.
pub fn call_in_process(
    state: &Arc<State>,
    ctx: &RequestContext,
    service: &str,
    api: &str,
    parameters: &Map<String, Value>,
) -> Option<ApiAnswer> {
    Some(match service {
        "ssm" => {
            let body = serde_json::to_vec(parameters).unwrap_or_default();
            ssm::handle(state, ctx, api, &body)
        }
        "ec2" => ec2::handle(
            state,
            ctx,
            api,
            &boto::query_params(ec2::DIALECT, parameters),
        ),
        "iam" => iam::handle(
            state,
            ctx,
            api,
            &boto::query_params(iam::DIALECT, parameters),
        ),
        "sts" => sts::handle(
            state,
            ctx,
            api,
            &boto::query_params(sts::DIALECT, parameters),
        ),
        _ => return None,
    })
}
