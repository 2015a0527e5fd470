//! AWS Security Token Service (awsQuery, version 2011-06-15).

use serde::Serialize;

use crate::protocol::query::{self, Dialect, NoInput, QueryParams};
use crate::protocol::RequestContext;
use crate::server::State;
use crate::AwsError;

pub const VERSION: &str = "2011-06-15";
pub const DIALECT: Dialect = Dialect::Query {
    namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
};

pub fn handle(
    _state: &State,
    ctx: &RequestContext,
    action: &str,
    params: &QueryParams,
) -> Result<Vec<u8>, AwsError> {
    match action {
        "GetCallerIdentity" => query::call(ctx, DIALECT, action, params, |NoInput| {
            get_caller_identity(ctx)
        }),
        "AssumeRole"
        | "GetSessionToken"
        | "DecodeAuthorizationMessage"
        | "GetAccessKeyInfo"
        | "GetFederationToken"
        | "AssumeRoleWithSAML"
        | "AssumeRoleWithWebIdentity" => Err(AwsError::not_implemented("STS", action)),
        other => Err(AwsError::bad_request(
            "InvalidAction",
            format!("Could not find operation {other} for version {VERSION}"),
        )),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCallerIdentityResult {
    user_id: String,
    account: String,
    arn: String,
}

fn get_caller_identity(ctx: &RequestContext) -> Result<GetCallerIdentityResult, AwsError> {
    Ok(GetCallerIdentityResult {
        user_id: ctx.caller.user_id.clone(),
        account: ctx.caller.account.clone(),
        arn: ctx.caller.arn.clone(),
    })
}
