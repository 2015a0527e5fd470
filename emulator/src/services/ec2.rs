//! Amazon EC2 (EC2's query dialect, version 2016-11-15): instances whose state changes take time
//! on the emulator's clock, images, and tags.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::Serialize;

use crate::iam::{authorize, Refusal};
use crate::pagination;
use crate::protocol::query::{self, Dialect, FromQuery, Items, QueryParams};
use crate::protocol::timestamp::iso;
use crate::protocol::RequestContext;
use crate::state::State;
use crate::world::instance::{BOOT_TIME, FORCED_STOP_TIME, IMAGE_TIME, STOP_TIME, TERMINATE_TIME};
use crate::world::{Image, Instance, InstanceState, RegionState, World};
use crate::AwsError;

pub const VERSION: &str = "2016-11-15";
pub const DIALECT: Dialect = Dialect::Ec2 {
    namespace: "http://ec2.amazonaws.com/doc/2016-11-15/",
};

pub fn handle(
    state: &State,
    ctx: &RequestContext,
    action: &str,
    params: &QueryParams,
) -> Result<Vec<u8>, AwsError> {
    let mut world = state.world();
    let now = state.clock.now();
    let mut ec2 = Ec2 {
        world: &mut world,
        ctx,
        now,
    };
    match action {
        "DescribeInstances" => {
            query::call(ctx, DIALECT, action, params, |i| ec2.describe_instances(i))
        }
        "DescribeInstanceStatus" => query::call(ctx, DIALECT, action, params, |i| {
            ec2.describe_instance_status(i)
        }),
        "StartInstances" => query::call(ctx, DIALECT, action, params, |i| {
            ec2.change(Change::Start, i)
        }),
        "StopInstances" => query::call(ctx, DIALECT, action, params, |i| {
            ec2.change(Change::Stop, i)
        }),
        "TerminateInstances" => query::call(ctx, DIALECT, action, params, |i| {
            ec2.change(Change::Terminate, i)
        }),
        "RebootInstances" => query::call(ctx, DIALECT, action, params, |i| ec2.reboot(i)),
        "CreateImage" => query::call(ctx, DIALECT, action, params, |i| ec2.create_image(i)),
        "DescribeImages" => query::call(ctx, DIALECT, action, params, |i| ec2.describe_images(i)),
        "CreateTags" => query::call(ctx, DIALECT, action, params, |i| ec2.create_tags(i)),
        other => Err(AwsError::not_implemented("EC2", other)),
    }
}

struct Ec2<'a> {
    world: &'a mut World,
    ctx: &'a RequestContext,
    now: SystemTime,
}

fn invalid_parameter(message: String) -> AwsError {
    AwsError::bad_request("InvalidParameterValue", message)
}

fn not_found(ids: &[String]) -> AwsError {
    let quoted: Vec<String> = ids.iter().map(|i| format!("'{i}'")).collect();
    let (noun, verb) = if ids.len() == 1 {
        ("ID", "does")
    } else {
        ("IDs", "do")
    };
    AwsError::bad_request(
        "InvalidInstanceID.NotFound",
        format!("The instance {noun} {} {verb} not exist", quoted.join(", ")),
    )
}

fn check_instance_ids(ids: &[String]) -> Result<(), AwsError> {
    let valid = |id: &str| {
        id.strip_prefix("i-").is_some_and(|hex| {
            (8..=17).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
    };
    match ids.iter().find(|id| !valid(id)) {
        Some(bad) => Err(AwsError::bad_request(
            "InvalidInstanceID.Malformed",
            format!("Invalid id: \"{bad}\""),
        )),
        None => Ok(()),
    }
}

// ---- shapes (EC2's XML names) -----------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
struct StateXml {
    code: u16,
    name: &'static str,
}

impl From<InstanceState> for StateXml {
    fn from(state: InstanceState) -> Self {
        Self {
            code: state.code(),
            name: state.name(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct TagXml {
    key: String,
    value: String,
}

fn tag_set(tags: &BTreeMap<String, String>) -> Items<TagXml> {
    Items {
        item: tags
            .iter()
            .map(|(k, v)| TagXml {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Placement {
    availability_zone: String,
    tenancy: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct InstanceXml {
    instance_id: String,
    image_id: String,
    instance_state: StateXml,
    private_dns_name: String,
    instance_type: String,
    #[serde(serialize_with = "iso")]
    launch_time: SystemTime,
    placement: Placement,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    private_ip_address: Option<String>,
    architecture: &'static str,
    root_device_type: &'static str,
    virtualization_type: &'static str,
    tag_set: Items<TagXml>,
    platform_details: &'static str,
}

impl InstanceXml {
    fn of(instance: &Instance, now: SystemTime) -> Self {
        Self {
            instance_id: instance.id.clone(),
            image_id: instance.image_id.clone(),
            instance_state: instance.state(now).into(),
            private_dns_name: instance
                .private_ip
                .as_ref()
                .map(|ip| format!("ip-{}.ec2.internal", ip.replace('.', "-")))
                .unwrap_or_default(),
            instance_type: instance.instance_type.clone(),
            launch_time: instance.launch_time,
            placement: Placement {
                availability_zone: instance.availability_zone.clone(),
                tenancy: "default",
            },
            platform: (instance.platform_details() == "Windows").then_some("windows"),
            private_ip_address: instance.private_ip.clone(),
            architecture: "x86_64",
            root_device_type: "ebs",
            virtualization_type: "hvm",
            tag_set: tag_set(&instance.tags),
            platform_details: instance.platform_details(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Reservation {
    reservation_id: String,
    owner_id: String,
    instances_set: Items<InstanceXml>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeInstancesResult {
    reservation_set: Items<Reservation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// `Filter.N.Name` / `Filter.N.Value.M`.
#[derive(Debug, Clone, Hash)]
struct Filter {
    name: String,
    values: Vec<String>,
}

fn read_filters(params: &QueryParams, known: &[&str]) -> Result<Vec<Filter>, AwsError> {
    params
        .structures("Filter")
        .into_iter()
        .map(|fields| {
            let name = fields.get("Name").cloned().unwrap_or_default();
            if !(known.contains(&name.as_str()) || name.starts_with("tag:")) {
                return Err(invalid_parameter(format!("The filter '{name}' is invalid")));
            }
            let mut values: Vec<(u32, String)> = fields
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("Value.")?.parse().ok()?, v.clone())))
                .collect();
            values.sort();
            Ok(Filter {
                name,
                values: values.into_iter().map(|(_, v)| v).collect(),
            })
        })
        .collect()
}

fn matches_filters(instance: &Instance, filters: &[Filter], now: SystemTime) -> bool {
    filters.iter().all(|f| {
        let any = |actual: &str| {
            f.values
                .iter()
                .any(|v| crate::policy::wildcard_match(v, actual, false))
        };
        match f.name.as_str() {
            "instance-state-name" => any(instance.state(now).name()),
            "instance-state-code" => any(&instance.state(now).code().to_string()),
            "instance-id" => any(&instance.id),
            "instance-type" => any(&instance.instance_type),
            "image-id" => any(&instance.image_id),
            "platform-details" => any(instance.platform_details()),
            "tag-key" => instance.tags.keys().any(|k| any(k)),
            tag => {
                let key = tag.trim_start_matches("tag:");
                instance.tags.get(key).is_some_and(|v| any(v))
            }
        }
    })
}

const INSTANCE_FILTERS: &[&str] = &[
    "instance-state-name",
    "instance-state-code",
    "instance-id",
    "instance-type",
    "image-id",
    "platform-details",
    "tag-key",
];

struct DescribeInstancesInput {
    ids: Vec<String>,
    filters: Vec<Filter>,
    max_results: Option<usize>,
    next_token: Option<String>,
}

impl FromQuery for DescribeInstancesInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        let ids = params.list("InstanceId");
        check_instance_ids(&ids)?;
        let max_results = params.number("MaxResults", 5..=1000)?.map(|n| n as usize);
        if max_results.is_some() && !ids.is_empty() {
            return Err(invalid_parameter(
                "The parameter instancesSet cannot be used with the parameter maxResults".into(),
            ));
        }
        Ok(Self {
            ids,
            filters: read_filters(params, INSTANCE_FILTERS)?,
            max_results,
            next_token: params.get("NextToken").map(str::to_owned),
        })
    }
}

struct InstanceStatusInput {
    ids: Vec<String>,
    include_all: bool,
}

impl FromQuery for InstanceStatusInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        let ids = params.list("InstanceId");
        check_instance_ids(&ids)?;
        Ok(Self {
            ids,
            include_all: params.boolean("IncludeAllInstances")?.unwrap_or(false),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
struct StatusDetail {
    name: &'static str,
    status: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct Summary {
    status: &'static str,
    details: Items<StatusDetail>,
}

impl Summary {
    fn of(state: InstanceState) -> Self {
        let (status, check) = match state {
            InstanceState::Running => ("ok", "passed"),
            InstanceState::Pending => ("initializing", "initializing"),
            _ => ("not-applicable", "not-applicable"),
        };
        Self {
            status,
            details: Items {
                item: vec![StatusDetail {
                    name: "reachability",
                    status: check,
                }],
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct InstanceStatusXml {
    instance_id: String,
    availability_zone: String,
    instance_state: StateXml,
    system_status: Summary,
    instance_status: Summary,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeInstanceStatusResult {
    instance_status_set: Items<InstanceStatusXml>,
}

struct InstanceIdsInput {
    ids: Vec<String>,
    force: bool,
}

impl FromQuery for InstanceIdsInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        let ids = params.list("InstanceId");
        if ids.is_empty() {
            return Err(AwsError::missing_parameter("InstanceId"));
        }
        check_instance_ids(&ids)?;
        Ok(Self {
            ids,
            force: params.boolean("Force")?.unwrap_or(false),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct StateChange {
    instance_id: String,
    current_state: StateXml,
    previous_state: StateXml,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StateChangeResult {
    instances_set: Items<StateChange>,
}

#[derive(Serialize)]
struct ReturnResult {
    #[serde(rename = "return")]
    ok: bool,
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Start,
    Stop,
    Terminate,
}

impl Change {
    fn action(self) -> &'static str {
        match self {
            Self::Start => "ec2:StartInstances",
            Self::Stop => "ec2:StopInstances",
            Self::Terminate => "ec2:TerminateInstances",
        }
    }
}

struct CreateImageInput {
    instance_id: String,
    name: String,
    description: Option<String>,
    no_reboot: bool,
}

impl FromQuery for CreateImageInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        let instance_id = params.required("InstanceId")?.to_owned();
        check_instance_ids(std::slice::from_ref(&instance_id))?;
        let name = params.required("Name")?.to_owned();
        let valid = (3..=128).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "()[] ./-'@_".contains(c));
        if !valid {
            return Err(invalid_parameter(format!(
                "Invalid image name {name:?}: use 3 to 128 letters, digits and ( ) [ ] space . / - ' @ _"
            )));
        }
        Ok(Self {
            instance_id,
            name,
            description: params.get("Description").map(str::to_owned),
            no_reboot: params.boolean("NoReboot")?.unwrap_or(false),
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateImageResult {
    image_id: String,
}

struct DescribeImagesInput {
    ids: Vec<String>,
    owners: Vec<String>,
    filters: Vec<Filter>,
}

impl FromQuery for DescribeImagesInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        Ok(Self {
            ids: params.list("ImageId"),
            owners: params.list("Owner"),
            filters: read_filters(params, &["name", "state", "image-id"])?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageXml {
    image_id: String,
    image_location: String,
    image_state: &'static str,
    image_owner_id: String,
    #[serde(serialize_with = "iso")]
    creation_date: SystemTime,
    is_public: bool,
    architecture: &'static str,
    image_type: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    root_device_type: &'static str,
    platform_details: String,
    tag_set: Items<TagXml>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeImagesResult {
    images_set: Items<ImageXml>,
}

struct CreateTagsInput {
    resources: Vec<String>,
    tags: Vec<(String, String)>,
}

impl FromQuery for CreateTagsInput {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError> {
        let resources = params.list("ResourceId");
        if resources.is_empty() {
            return Err(AwsError::missing_parameter("ResourceId"));
        }
        let tags: Vec<(String, String)> = params
            .structures("Tag")
            .into_iter()
            .map(|t| {
                (
                    t.get("Key").cloned().unwrap_or_default(),
                    t.get("Value").cloned().unwrap_or_default(),
                )
            })
            .collect();
        if tags.is_empty() {
            return Err(AwsError::missing_parameter("Tag"));
        }
        if let Some((key, _)) = tags
            .iter()
            .find(|(k, v)| k.is_empty() || k.len() > 128 || v.len() > 256)
        {
            return Err(invalid_parameter(format!(
                "Tag key {key:?} must be 1 to 128 characters and its value at most 256"
            )));
        }
        Ok(Self { resources, tags })
    }
}

// ---- operations -------------------------------------------------------------------------------

impl Ec2<'_> {
    fn account(&self) -> &str {
        &self.ctx.caller.account
    }

    fn region_state(&mut self) -> &mut RegionState {
        let (account, region) = (self.ctx.caller.account.clone(), self.ctx.region.clone());
        self.world.region_mut(&account, &region)
    }

    fn instance_arn(&self, id: &str) -> String {
        format!(
            "arn:aws:ec2:{}:{}:instance/{id}",
            self.ctx.region,
            self.account()
        )
    }

    fn authorize(&self, action: &str, resource: &str) -> Result<(), AwsError> {
        authorize(self.world, &self.ctx.caller, action, resource, Refusal::Ec2)
    }

    /// The instances named, settled at the current time, all present or an error naming the absent.
    fn settle_named(&mut self, ids: &[String]) -> Result<(), AwsError> {
        let now = self.now;
        let region = self.region_state();
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !region.instances.contains_key(*id))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(not_found(&missing));
        }
        region.instances.values_mut().for_each(|i| i.settle(now));
        Ok(())
    }

    fn describe_instances(
        &mut self,
        input: DescribeInstancesInput,
    ) -> Result<DescribeInstancesResult, AwsError> {
        self.authorize("ec2:DescribeInstances", "*")?;
        self.settle_named(&input.ids)?;
        let now = self.now;
        let owner = self.account().to_owned();
        let region = self.region_state();
        let mut selected: Vec<&Instance> = region
            .instances
            .values()
            .filter(|i| input.ids.is_empty() || input.ids.contains(&i.id))
            .filter(|i| matches_filters(i, &input.filters, now))
            .collect();
        selected.sort_by_key(|i| i.id.clone());
        let reservations: Vec<Reservation> = selected
            .into_iter()
            .map(|i| Reservation {
                reservation_id: format!("r-{}", &i.id[2..]),
                owner_id: owner.clone(),
                instances_set: Items {
                    item: vec![InstanceXml::of(i, now)],
                },
            })
            .collect();
        let query = (&input.ids, &input.filters);
        let start = match &input.next_token {
            None => 0,
            Some(t) => pagination::offset(t, &query)
                .ok_or_else(|| invalid_parameter("The parameter NextToken is not valid".into()))?,
        };
        let size = input.max_results.unwrap_or(usize::MAX);
        let (page, next_token) = pagination::page(&reservations, start, size, &query);
        Ok(DescribeInstancesResult {
            reservation_set: Items { item: page },
            next_token,
        })
    }

    fn describe_instance_status(
        &mut self,
        input: InstanceStatusInput,
    ) -> Result<DescribeInstanceStatusResult, AwsError> {
        self.authorize("ec2:DescribeInstanceStatus", "*")?;
        self.settle_named(&input.ids)?;
        let now = self.now;
        let region = self.region_state();
        let statuses = region
            .instances
            .values()
            .filter(|i| input.ids.is_empty() || input.ids.contains(&i.id))
            .filter(|i| input.include_all || i.state(now) == InstanceState::Running)
            .map(|i| InstanceStatusXml {
                instance_id: i.id.clone(),
                availability_zone: i.availability_zone.clone(),
                instance_state: i.state(now).into(),
                system_status: Summary::of(i.state(now)),
                instance_status: Summary::of(i.state(now)),
            })
            .collect();
        Ok(DescribeInstanceStatusResult {
            instance_status_set: Items { item: statuses },
        })
    }

    fn change(
        &mut self,
        change: Change,
        input: InstanceIdsInput,
    ) -> Result<StateChangeResult, AwsError> {
        for id in &input.ids {
            self.authorize(change.action(), &self.instance_arn(id))?;
        }
        self.settle_named(&input.ids)?;
        let now = self.now;
        let region = self.region_state();
        // Check every instance first, so a refused request changes none of them.
        for id in &input.ids {
            let state = region.instances[id].state(now);
            let refused = match change {
                Change::Start => matches!(
                    state,
                    InstanceState::Stopping
                        | InstanceState::ShuttingDown
                        | InstanceState::Terminated
                ),
                Change::Stop => matches!(
                    state,
                    InstanceState::ShuttingDown | InstanceState::Terminated
                ),
                Change::Terminate => false,
            };
            if refused {
                let verb = match change {
                    Change::Start => "started",
                    Change::Stop => "stopped",
                    Change::Terminate => "terminated",
                };
                return Err(AwsError::bad_request(
                    "IncorrectInstanceState",
                    format!("The instance '{id}' is not in a state from which it can be {verb}."),
                ));
            }
        }
        let mut changes = Vec::new();
        for id in &input.ids {
            let Some(instance) = region.instances.get_mut(id) else {
                continue;
            };
            let previous = instance.state(now);
            match (change, previous) {
                (Change::Start, InstanceState::Stopped) => {
                    instance.begin(
                        now,
                        InstanceState::Pending,
                        InstanceState::Running,
                        BOOT_TIME,
                    );
                }
                (Change::Stop, InstanceState::Running | InstanceState::Pending) => {
                    let takes = if input.force {
                        FORCED_STOP_TIME
                    } else {
                        STOP_TIME
                    };
                    instance.begin(now, InstanceState::Stopping, InstanceState::Stopped, takes);
                }
                (Change::Stop, InstanceState::Stopping) if input.force => {
                    instance.begin(
                        now,
                        InstanceState::Stopping,
                        InstanceState::Stopped,
                        FORCED_STOP_TIME,
                    );
                }
                (Change::Terminate, s)
                    if s != InstanceState::Terminated && s != InstanceState::ShuttingDown =>
                {
                    instance.begin(
                        now,
                        InstanceState::ShuttingDown,
                        InstanceState::Terminated,
                        TERMINATE_TIME,
                    );
                }
                _ => {}
            }
            changes.push(StateChange {
                instance_id: id.clone(),
                current_state: instance.state(now).into(),
                previous_state: previous.into(),
            });
        }
        Ok(StateChangeResult {
            instances_set: Items { item: changes },
        })
    }

    fn reboot(&mut self, input: InstanceIdsInput) -> Result<ReturnResult, AwsError> {
        for id in &input.ids {
            self.authorize("ec2:RebootInstances", &self.instance_arn(id))?;
        }
        self.settle_named(&input.ids)?;
        let now = self.now;
        let region = self.region_state();
        if let Some(id) = input
            .ids
            .iter()
            .find(|id| region.instances[*id].state(now) != InstanceState::Running)
        {
            return Err(AwsError::bad_request(
                "IncorrectInstanceState",
                format!("The instance '{id}' is not in a state from which it can be rebooted."),
            ));
        }
        Ok(ReturnResult { ok: true })
    }

    fn create_image(&mut self, input: CreateImageInput) -> Result<CreateImageResult, AwsError> {
        self.authorize("ec2:CreateImage", &self.instance_arn(&input.instance_id))?;
        self.settle_named(std::slice::from_ref(&input.instance_id))?;
        let now = self.now;
        let owner = self.account().to_owned();
        let region = self.region_state();
        if region.images.values().any(|i| i.name == input.name) {
            return Err(AwsError::bad_request(
                "InvalidAMIName.Duplicate",
                format!(
                    "AMI name {} is already in use by an AMI you own",
                    input.name
                ),
            ));
        }
        let instance = &region.instances[&input.instance_id];
        if instance.state(now) == InstanceState::Terminated {
            return Err(AwsError::bad_request(
                "IncorrectInstanceState",
                format!(
                    "The instance '{}' is terminated: no image can be made of it.",
                    input.instance_id
                ),
            ));
        }
        let id = format!("ami-0{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
        let image = Image {
            id: id.clone(),
            name: input.name,
            description: input.description,
            owner,
            created: now,
            available_at: now + IMAGE_TIME,
            platform: instance.platform_details().to_owned(),
            tags: BTreeMap::new(),
        };
        // Without NoReboot, EC2 reboots the instance: it stays running, as observed from outside.
        let _ = input.no_reboot;
        region.images.insert(id.clone(), image);
        Ok(CreateImageResult { image_id: id })
    }

    fn describe_images(
        &mut self,
        input: DescribeImagesInput,
    ) -> Result<DescribeImagesResult, AwsError> {
        self.authorize("ec2:DescribeImages", "*")?;
        let now = self.now;
        let account = self.account().to_owned();
        let region = self.region_state();
        let missing: Vec<&String> = input
            .ids
            .iter()
            .filter(|id| !region.images.contains_key(*id))
            .collect();
        if let Some(id) = missing.first() {
            return Err(AwsError::bad_request(
                "InvalidAMIID.NotFound",
                format!("The image id '[{id}]' does not exist"),
            ));
        }
        let owner_ok = |image: &Image| {
            input.owners.is_empty()
                || input
                    .owners
                    .iter()
                    .any(|o| o == &image.owner || (o == "self" && image.owner == account))
        };
        let images = region
            .images
            .values()
            .filter(|i| input.ids.is_empty() || input.ids.contains(&i.id))
            .filter(|i| owner_ok(i))
            .filter(|i| {
                input.filters.iter().all(|f| {
                    let actual = match f.name.as_str() {
                        "name" => i.name.as_str(),
                        "state" => i.state(now),
                        "image-id" => i.id.as_str(),
                        tag => i
                            .tags
                            .get(tag.trim_start_matches("tag:"))
                            .map_or("", String::as_str),
                    };
                    f.values
                        .iter()
                        .any(|v| crate::policy::wildcard_match(v, actual, false))
                })
            })
            .map(|i| ImageXml {
                image_id: i.id.clone(),
                image_location: format!("{}/{}", i.owner, i.name),
                image_state: i.state(now),
                image_owner_id: i.owner.clone(),
                creation_date: i.created,
                is_public: false,
                architecture: "x86_64",
                image_type: "machine",
                name: i.name.clone(),
                description: i.description.clone(),
                root_device_type: "ebs",
                platform_details: i.platform.clone(),
                tag_set: tag_set(&i.tags),
            })
            .collect();
        Ok(DescribeImagesResult {
            images_set: Items { item: images },
        })
    }

    fn create_tags(&mut self, input: CreateTagsInput) -> Result<ReturnResult, AwsError> {
        let region_name = self.ctx.region.clone();
        let account = self.account().to_owned();
        for id in &input.resources {
            let kind = if id.starts_with("ami-") {
                "image"
            } else {
                "instance"
            };
            self.authorize(
                "ec2:CreateTags",
                &format!("arn:aws:ec2:{region_name}:{account}:{kind}/{id}"),
            )?;
        }
        let region = self.region_state();
        if let Some(missing) = input
            .resources
            .iter()
            .find(|id| !region.instances.contains_key(*id) && !region.images.contains_key(*id))
        {
            let code = if missing.starts_with("ami-") {
                "InvalidAMIID.NotFound"
            } else {
                "InvalidID"
            };
            return Err(AwsError::bad_request(
                code,
                format!("The ID '{missing}' is not valid"),
            ));
        }
        for id in &input.resources {
            let tags = match region.instances.get_mut(id) {
                Some(instance) => &mut instance.tags,
                None => match region.images.get_mut(id) {
                    Some(image) => &mut image.tags,
                    None => continue,
                },
            };
            for (key, value) in &input.tags {
                tags.insert(key.clone(), value.clone());
            }
        }
        Ok(ReturnResult { ok: true })
    }
}
