//! The instance picker's choices: the EC2 instances that are not terminated.

use backend::Backend;
use domain::runbook::InstanceChoice;
use domain::PortalError;

use crate::aws_error::aws_error;

pub(super) async fn list_instances(backend: &Backend) -> Result<Vec<InstanceChoice>, PortalError> {
    let mut instances = Vec::new();
    let mut token = None;
    loop {
        let answer = backend
            .ec2
            .describe_instances()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| aws_error("list the EC2 instances", e))?;
        for instance in answer.reservations().iter().flat_map(|r| r.instances()) {
            let state = instance
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default();
            if state == "terminated" {
                continue;
            }
            instances.push(InstanceChoice {
                id: instance.instance_id().unwrap_or_default().to_owned(),
                name: instance
                    .tags()
                    .iter()
                    .find(|t| t.key() == Some("Name"))
                    .and_then(|t| t.value())
                    .unwrap_or_default()
                    .to_owned(),
                state,
            });
        }
        token = answer.next_token;
        if token.is_none() {
            break;
        }
    }
    instances.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(instances)
}
