//! AWS Systems Manager (awsJson1.1, target prefix `AmazonSSM`).

mod automation;
mod documents;
mod tags;

use std::sync::Arc;

use crate::protocol::json::call;
use crate::protocol::RequestContext;
use crate::scope::Scope;
use crate::state::State;
use crate::AwsError;

pub const TARGET_PREFIX: &str = "AmazonSSM";

pub fn handle(
    state: &Arc<State>,
    ctx: &RequestContext,
    operation: &str,
    body: &[u8],
) -> Result<Vec<u8>, AwsError> {
    let scope = Scope::new(state, ctx);
    match operation {
        "ListDocuments" => call(body, |i| documents::list_documents(&scope, i)),
        "DescribeDocument" => call(body, |i| documents::describe_document(&scope, i)),
        "GetDocument" => call(body, |i| documents::get_document(&scope, i)),
        "ListDocumentVersions" => call(body, |i| documents::list_document_versions(&scope, i)),
        "DescribeDocumentPermission" => {
            call(body, |i| documents::describe_document_permission(&scope, i))
        }
        "CreateDocument" => call(body, |i| documents::create_document(&scope, i)),
        "UpdateDocument" => call(body, |i| documents::update_document(&scope, i)),
        "UpdateDocumentDefaultVersion" => call(body, |i| {
            documents::update_document_default_version(&scope, i)
        }),
        "DeleteDocument" => call(body, |i| documents::delete_document(&scope, i)),
        "AddTagsToResource" => call(body, |i| tags::add_tags_to_resource(&scope, i)),
        "RemoveTagsFromResource" => call(body, |i| tags::remove_tags_from_resource(&scope, i)),
        "ListTagsForResource" => call(body, |i| tags::list_tags_for_resource(&scope, i)),
        "StartAutomationExecution" => call(body, |i| {
            automation::start_automation_execution(state, &scope, i)
        }),
        "GetAutomationExecution" => call(body, |i| automation::get_automation_execution(&scope, i)),
        "DescribeAutomationExecutions" => call(body, |i| {
            automation::describe_automation_executions(&scope, i)
        }),
        "DescribeAutomationStepExecutions" => call(body, |i| {
            automation::describe_automation_step_executions(&scope, i)
        }),
        "StopAutomationExecution" => {
            call(body, |i| automation::stop_automation_execution(&scope, i))
        }
        "SendAutomationSignal" => call(body, |i| automation::send_automation_signal(&scope, i)),
        other => Err(AwsError::not_implemented("SSM", other)),
    }
}
