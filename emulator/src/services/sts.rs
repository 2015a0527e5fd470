//! AWS Security Token Service (awsQuery, version 2011-06-15): who am I, and assuming roles under
//! their trust policies.

use std::time::{Duration, SystemTime};

use http::StatusCode;
use serde::Serialize;

use crate::iam::{authorize, trusts, Refusal, TrustRequest};
use crate::identity::Principal;
use crate::protocol::query::{self, Dialect, FromQuery, NoInput, QueryParams};
use crate::protocol::timestamp::iso;
use crate::protocol::RequestContext;
use crate::state::State;
use crate::world::role::split_arn;
use crate::AwsError;

pub const VERSION: &str = "2011-06-15";
pub const DIALECT: Dialect = Dialect::Query {
    namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
};

pub fn handle(
    state: &State,
    ctx: &RequestContext,
    action: &str,
    params: &QueryParams,
) -> Result<Vec<u8>, AwsError> {
    match action {
        "GetCallerIdentity" => query::call(ctx, DIALECT, action, params, |NoInput| {
            get_caller_identity(ctx)
        }),
        "AssumeRole" => query::call(ctx, DIALECT, action, params, |i| assume_role(state, ctx, i)),
        "GetSessionToken"
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

struct AssumeRoleInput {
    role_arn: String,
    session_name: String,
    duration: u64,
}

impl FromQuery for AssumeRoleInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        let session_name = params.required("RoleSessionName")?.to_owned();
        let valid = (2..=64).contains(&session_name.len())
            && session_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_=,.@-".contains(c));
        if !valid {
            return Err(AwsError::bad_request(
                "ValidationError",
                format!(
                    "RoleSessionName {session_name:?} must be 2 to 64 characters of [\\w+=,.@-]."
                ),
            ));
        }
        Ok(Self {
            role_arn: params.required("RoleArn")?.to_owned(),
            session_name,
            duration: params
                .number("DurationSeconds", 900..=43_200)?
                .unwrap_or(3600) as u64,
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    #[serde(serialize_with = "iso")]
    expiration: SystemTime,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AssumedRoleUser {
    assumed_role_id: String,
    arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleResult {
    credentials: Credentials,
    assumed_role_user: AssumedRoleUser,
}

fn assume_role(
    state: &State,
    ctx: &RequestContext,
    input: AssumeRoleInput,
) -> Result<AssumeRoleResult, AwsError> {
    let mut world = state.world();
    authorize(
        &world,
        &ctx.caller,
        "sts:AssumeRole",
        &input.role_arn,
        Refusal::Query,
    )?;
    let denied = || {
        AwsError::new(
            "AccessDenied",
            StatusCode::FORBIDDEN,
            format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
                ctx.caller.arn, input.role_arn
            ),
        )
    };
    let role = world.role_by_arn(&input.role_arn).ok_or_else(denied)?;
    if input.duration > u64::from(role.max_session_duration) {
        return Err(AwsError::bad_request(
            "ValidationError",
            format!(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role ({}).",
                role.max_session_duration
            ),
        ));
    }
    // A trust policy may name the caller, the role a session belongs to, or the caller's account.
    let mut names = vec![
        ctx.caller.arn.clone(),
        format!("arn:aws:iam::{}:root", ctx.caller.account),
    ];
    names.extend(ctx.caller.role_arn.clone());
    let trusted = names.iter().any(|name| {
        trusts(
            role,
            &TrustRequest {
                principal: ("AWS", name),
                source_account: None,
                source_arn: None,
            },
        )
    });
    if !trusted {
        return Err(denied());
    }
    let (account, role_name) = split_arn(&input.role_arn).ok_or_else(denied)?;
    let session = Principal::role_session(
        role.id.as_str(),
        account,
        role_name,
        &input.role_arn,
        &input.session_name,
    );
    let expiration = state.clock.now() + Duration::from_secs(input.duration);
    let result = AssumeRoleResult {
        credentials: Credentials {
            access_key_id: session.access_key_id.clone(),
            secret_access_key: uuid::Uuid::new_v4().simple().to_string(),
            session_token: format!("FQoGZXIvYXdzE{}", uuid::Uuid::new_v4().simple()),
            expiration,
        },
        assumed_role_user: AssumedRoleUser {
            assumed_role_id: session.user_id.clone(),
            arn: session.arn.clone(),
        },
    };
    world.principals.push(session);
    Ok(result)
}
