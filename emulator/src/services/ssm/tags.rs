//! Tags on SSM resources (documents here; executions are tagged when they start).

use serde::{Deserialize, Serialize};

use super::documents::{tags_of, Empty, Tag, TagInput};
use crate::scope::Scope;
use crate::AwsError;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddTagsInput {
    resource_type: String,
    resource_id: String,
    tags: Vec<TagInput>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemoveTagsInput {
    resource_type: String,
    resource_id: String,
    tag_keys: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsInput {
    resource_type: String,
    resource_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsOutput {
    tag_list: Vec<Tag>,
}

/// The most tags one resource may carry.
const MAX_TAGS: usize = 50;

fn documents_only(resource_type: &str) -> Result<(), AwsError> {
    if resource_type == "Document" {
        Ok(())
    } else {
        Err(AwsError::bad_request(
            "InvalidResourceType",
            format!(
                "The emulator tags resources of type Document; {resource_type} is not emulated."
            ),
        ))
    }
}

pub fn add_tags_to_resource(scope: &Scope<'_>, input: AddTagsInput) -> Result<Empty, AwsError> {
    documents_only(&input.resource_type)?;
    let mut world = scope.world();
    scope.authorize_own(&world, "ssm:AddTagsToResource", &input.resource_id)?;
    let document = scope
        .find_owned_mut(&mut world, &input.resource_id)
        .map_err(|_| AwsError::bad_request("InvalidResourceId", "The resource ID is not valid. Verify that you entered the correct ID and try again."))?;
    let mut tags = document.tags.clone();
    for tag in input.tags {
        if tag.key.is_empty() || tag.key.len() > 128 || tag.value.len() > 256 {
            return Err(AwsError::bad_request(
                "ValidationException",
                "Tag keys are 1 to 128 characters, values up to 256.",
            ));
        }
        tags.insert(tag.key, tag.value);
    }
    if tags.len() > MAX_TAGS {
        return Err(AwsError::bad_request(
            "TooManyTagsError",
            format!(
                "The resource would have {} tags; the limit is {MAX_TAGS}.",
                tags.len()
            ),
        ));
    }
    document.tags = tags;
    Ok(Empty {})
}

pub fn remove_tags_from_resource(
    scope: &Scope<'_>,
    input: RemoveTagsInput,
) -> Result<Empty, AwsError> {
    documents_only(&input.resource_type)?;
    let mut world = scope.world();
    scope.authorize_own(&world, "ssm:RemoveTagsFromResource", &input.resource_id)?;
    let document = scope.find_owned_mut(&mut world, &input.resource_id)?;
    for key in input.tag_keys {
        document.tags.remove(&key);
    }
    Ok(Empty {})
}

pub fn list_tags_for_resource(
    scope: &Scope<'_>,
    input: ListTagsInput,
) -> Result<ListTagsOutput, AwsError> {
    if input.resource_type == "Automation" {
        let world = scope.world();
        let arn = format!(
            "arn:aws:ssm:{}:{}:automation-execution/{}",
            scope.region(),
            scope.account(),
            input.resource_id
        );
        scope.authorize(&world, "ssm:ListTagsForResource", &arn)?;
        let execution = world
            .region(scope.account(), scope.region())
            .and_then(|r| r.executions.get(&input.resource_id))
            .ok_or_else(|| AwsError::bad_request("InvalidResourceId", "The resource ID is not valid. Verify that you entered the correct ID and try again."))?;
        return Ok(ListTagsOutput {
            tag_list: execution
                .tags
                .iter()
                .map(|(k, v)| Tag {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect(),
        });
    }
    documents_only(&input.resource_type)?;
    let world = scope.world();
    let document = scope.find_authorized(&world, &input.resource_id, "ssm:ListTagsForResource")?;
    Ok(ListTagsOutput {
        tag_list: tags_of(document),
    })
}
