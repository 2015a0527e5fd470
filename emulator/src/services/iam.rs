//! AWS Identity and Access Management (awsQuery, version 2010-05-08): reading roles and their
//! policies. IAM is global: roles belong to an account, not a region.

use std::time::SystemTime;

use http::StatusCode;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::iam::{authorize, Refusal};
use crate::pagination;
use crate::policy::PolicyDocument;
use crate::protocol::query::{self, Dialect, FromQuery, Members, QueryParams};
use crate::protocol::timestamp::iso;
use crate::protocol::RequestContext;
use crate::state::State;
use crate::world::{Role, World};
use crate::AwsError;

pub const VERSION: &str = "2010-05-08";
pub const DIALECT: Dialect = Dialect::Query {
    namespace: "https://iam.amazonaws.com/doc/2010-05-08/",
};

pub fn handle(
    state: &State,
    ctx: &RequestContext,
    action: &str,
    params: &QueryParams,
) -> Result<Vec<u8>, AwsError> {
    let world = state.world();
    let iam = Iam { world: &world, ctx };
    match action {
        "ListRoles" => query::call(ctx, DIALECT, action, params, |i| iam.list_roles(i)),
        "GetRole" => query::call(ctx, DIALECT, action, params, |i| iam.get_role(i)),
        "ListRolePolicies" => {
            query::call(ctx, DIALECT, action, params, |i| iam.list_role_policies(i))
        }
        "GetRolePolicy" => query::call(ctx, DIALECT, action, params, |i| iam.get_role_policy(i)),
        "ListAttachedRolePolicies" => query::call(ctx, DIALECT, action, params, |i| {
            iam.list_attached_role_policies(i)
        }),
        "GetPolicy" => query::call(ctx, DIALECT, action, params, |i| iam.get_policy(i)),
        "GetPolicyVersion" => {
            query::call(ctx, DIALECT, action, params, |i| iam.get_policy_version(i))
        }
        other => Err(AwsError::not_implemented("IAM", other)),
    }
}

struct Iam<'a> {
    world: &'a World,
    ctx: &'a RequestContext,
}

fn no_such_entity(message: String) -> AwsError {
    AwsError::new("NoSuchEntity", StatusCode::NOT_FOUND, message)
}

/// Policy documents travel URL-encoded, as `encodeURIComponent` would write them.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode_policy(document: &PolicyDocument) -> String {
    let json = serde_json::to_string(document).unwrap_or_default();
    utf8_percent_encode(&json, URI_COMPONENT).to_string()
}

/// Marker / MaxItems paging, shared by the list operations.
struct Paging {
    marker: Option<String>,
    max_items: usize,
}

impl Paging {
    fn read(params: &QueryParams) -> Result<Self, AwsError> {
        Ok(Self {
            marker: params.get("Marker").map(str::to_owned),
            max_items: params.number("MaxItems", 1..=1000)?.unwrap_or(100) as usize,
        })
    }

    fn page<T: Clone>(
        &self,
        items: &[T],
        query: &impl std::hash::Hash,
    ) -> Result<(Vec<T>, Option<String>), AwsError> {
        let start = match &self.marker {
            None => 0,
            Some(m) => pagination::offset(m, query).ok_or_else(|| {
                AwsError::bad_request(
                    "InvalidInput",
                    "The Marker is not valid: pass the Marker of the previous answer.",
                )
            })?,
        };
        Ok(pagination::page(items, start, self.max_items, query))
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
struct RoleXml {
    path: String,
    role_name: String,
    role_id: String,
    arn: String,
    #[serde(serialize_with = "iso")]
    create_date: SystemTime,
    assume_role_policy_document: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    max_session_duration: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Members<TagXml>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagXml {
    key: String,
    value: String,
}

impl RoleXml {
    fn of(role: &Role) -> Self {
        Self {
            path: role.path.clone(),
            role_name: role.name.clone(),
            role_id: role.id.clone(),
            arn: role.arn(),
            create_date: role.created.into(),
            assume_role_policy_document: encode_policy(&role.trust),
            description: role.description.clone(),
            max_session_duration: role.max_session_duration,
            tags: (!role.tags.is_empty()).then(|| Members {
                member: role
                    .tags
                    .iter()
                    .map(|(k, v)| TagXml {
                        key: k.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            }),
        }
    }
}

struct ListRolesInput {
    path_prefix: String,
    paging: Paging,
}

impl FromQuery for ListRolesInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        Ok(Self {
            path_prefix: params.get("PathPrefix").unwrap_or("/").to_owned(),
            paging: Paging::read(params)?,
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListRolesResult {
    is_truncated: bool,
    roles: Members<RoleXml>,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

struct RoleNameInput {
    role_name: String,
}

impl FromQuery for RoleNameInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        Ok(Self {
            role_name: params.required("RoleName")?.to_owned(),
        })
    }
}

struct RolePagingInput {
    role_name: String,
    path_prefix: String,
    paging: Paging,
}

impl FromQuery for RolePagingInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        Ok(Self {
            role_name: params.required("RoleName")?.to_owned(),
            path_prefix: params.get("PathPrefix").unwrap_or("/").to_owned(),
            paging: Paging::read(params)?,
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetRoleResult {
    role: RoleXml,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListRolePoliciesResult {
    policy_names: Members<String>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

struct RolePolicyInput {
    role_name: String,
    policy_name: String,
}

impl FromQuery for RolePolicyInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        Ok(Self {
            role_name: params.required("RoleName")?.to_owned(),
            policy_name: params.required("PolicyName")?.to_owned(),
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetRolePolicyResult {
    role_name: String,
    policy_name: String,
    policy_document: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
struct AttachedPolicy {
    policy_name: String,
    policy_arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListAttachedRolePoliciesResult {
    attached_policies: Members<AttachedPolicy>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

struct PolicyArnInput {
    policy_arn: String,
    version_id: Option<String>,
}

impl FromQuery for PolicyArnInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        Ok(Self {
            policy_arn: params.required("PolicyArn")?.to_owned(),
            version_id: params.get("VersionId").map(str::to_owned),
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyXml {
    policy_name: String,
    policy_id: String,
    arn: String,
    path: String,
    default_version_id: &'static str,
    attachment_count: usize,
    is_attachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(serialize_with = "iso")]
    create_date: SystemTime,
    #[serde(serialize_with = "iso")]
    update_date: SystemTime,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetPolicyResult {
    policy: PolicyXml,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyVersionXml {
    document: String,
    version_id: &'static str,
    is_default_version: bool,
    #[serde(serialize_with = "iso")]
    create_date: SystemTime,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetPolicyVersionResult {
    policy_version: PolicyVersionXml,
}

impl Iam<'_> {
    fn authorize(&self, action: &str, resource: &str) -> Result<(), AwsError> {
        authorize(
            self.world,
            &self.ctx.caller,
            action,
            resource,
            Refusal::Query,
        )
    }

    fn account(&self) -> &str {
        &self.ctx.caller.account
    }

    fn role(&self, name: &str, action: &str) -> Result<&Role, AwsError> {
        self.authorize(
            action,
            &format!("arn:aws:iam::{}:role/{name}", self.account()),
        )?;
        self.world
            .role(self.account(), name)
            .ok_or_else(|| no_such_entity(format!("The role with name {name} cannot be found.")))
    }

    fn list_roles(&self, input: ListRolesInput) -> Result<ListRolesResult, AwsError> {
        self.authorize(
            "iam:ListRoles",
            &format!("arn:aws:iam::{}:role/", self.account()),
        )?;
        let mut roles: Vec<&Role> = self
            .world
            .accounts
            .get(self.account())
            .map(|a| {
                a.roles
                    .values()
                    .filter(|r| r.path.starts_with(&input.path_prefix))
                    .collect()
            })
            .unwrap_or_default();
        roles.sort_by_key(|r| r.name.to_lowercase());
        let roles: Vec<RoleXml> = roles.into_iter().map(RoleXml::of).collect();
        let (page, marker) = input
            .paging
            .page(&roles, &("ListRoles", &input.path_prefix))?;
        Ok(ListRolesResult {
            is_truncated: marker.is_some(),
            roles: Members { member: page },
            marker,
        })
    }

    fn get_role(&self, input: RoleNameInput) -> Result<GetRoleResult, AwsError> {
        let role = self.role(&input.role_name, "iam:GetRole")?;
        Ok(GetRoleResult {
            role: RoleXml::of(role),
        })
    }

    fn list_role_policies(
        &self,
        input: RolePagingInput,
    ) -> Result<ListRolePoliciesResult, AwsError> {
        let role = self.role(&input.role_name, "iam:ListRolePolicies")?;
        let names: Vec<String> = role.inline.keys().cloned().collect();
        let (page, marker) = input
            .paging
            .page(&names, &("ListRolePolicies", &input.role_name))?;
        Ok(ListRolePoliciesResult {
            policy_names: Members { member: page },
            is_truncated: marker.is_some(),
            marker,
        })
    }

    fn get_role_policy(&self, input: RolePolicyInput) -> Result<GetRolePolicyResult, AwsError> {
        let role = self.role(&input.role_name, "iam:GetRolePolicy")?;
        let document = role.inline.get(&input.policy_name).ok_or_else(|| {
            no_such_entity(format!(
                "The role policy with name {} cannot be found.",
                input.policy_name
            ))
        })?;
        Ok(GetRolePolicyResult {
            role_name: role.name.clone(),
            policy_name: input.policy_name,
            policy_document: encode_policy(document),
        })
    }

    fn list_attached_role_policies(
        &self,
        input: RolePagingInput,
    ) -> Result<ListAttachedRolePoliciesResult, AwsError> {
        let role = self.role(&input.role_name, "iam:ListAttachedRolePolicies")?;
        let attached: Vec<AttachedPolicy> = role
            .attached
            .iter()
            .filter_map(|arn| self.world.managed_policies.get(arn))
            .filter(|p| p.path.starts_with(&input.path_prefix))
            .map(|p| AttachedPolicy {
                policy_name: p.name.clone(),
                policy_arn: p.arn.clone(),
            })
            .collect();
        let (page, marker) = input
            .paging
            .page(&attached, &("ListAttachedRolePolicies", &input.role_name))?;
        Ok(ListAttachedRolePoliciesResult {
            attached_policies: Members { member: page },
            is_truncated: marker.is_some(),
            marker,
        })
    }

    fn managed(&self, arn: &str, action: &str) -> Result<&crate::world::ManagedPolicy, AwsError> {
        self.authorize(action, arn)?;
        self.world.managed_policies.get(arn).ok_or_else(|| {
            no_such_entity(format!("Policy {arn} does not exist or is not attachable."))
        })
    }

    fn get_policy(&self, input: PolicyArnInput) -> Result<GetPolicyResult, AwsError> {
        let policy = self.managed(&input.policy_arn, "iam:GetPolicy")?;
        let attachments = self.world.accounts.get(self.account()).map_or(0, |a| {
            a.roles
                .values()
                .filter(|r| r.attached.contains(&policy.arn))
                .count()
        });
        Ok(GetPolicyResult {
            policy: PolicyXml {
                policy_name: policy.name.clone(),
                policy_id: policy.id.clone(),
                arn: policy.arn.clone(),
                path: policy.path.clone(),
                default_version_id: "v1",
                attachment_count: attachments,
                is_attachable: true,
                description: policy.description.clone(),
                create_date: policy.created.into(),
                update_date: policy.created.into(),
            },
        })
    }

    fn get_policy_version(
        &self,
        input: PolicyArnInput,
    ) -> Result<GetPolicyVersionResult, AwsError> {
        let policy = self.managed(&input.policy_arn, "iam:GetPolicyVersion")?;
        let version = input
            .version_id
            .ok_or_else(|| AwsError::missing_parameter("VersionId"))?;
        if version != "v1" {
            return Err(no_such_entity(format!(
                "Policy {} version {version} does not exist or is not attachable.",
                policy.arn
            )));
        }
        Ok(GetPolicyVersionResult {
            policy_version: PolicyVersionXml {
                document: encode_policy(&policy.document),
                version_id: "v1",
                is_default_version: true,
                create_date: policy.created.into(),
            },
        })
    }
}
