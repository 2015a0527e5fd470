//! One runbook version as the wizard shows it: its description, versions, content (JSON and
//! YAML), parameters and steps; and which runbook a name means (this account's or Amazon's
//! first, then one shared with it).

use aws_sdk_ssm::types::{DocumentFormat, DocumentKeyValuesFilter};
use backend::Backend;
use domain::runbook::{RunbookDetails, VersionInfo};
use domain::PortalError;

use super::catalog::reference;
use super::{content, markdown};
use crate::aws_error::aws_error;
use crate::Portal;

/// The reference (name or ARN) of the runbook called `name`: this account's or Amazon's,
/// else one shared with this account.
pub(super) async fn resolve(backend: &Backend, name: &str) -> Result<String, PortalError> {
    if name.starts_with("arn:") {
        return Ok(name.to_owned());
    }
    let shared = backend
        .ssm
        .list_documents()
        .filters(
            DocumentKeyValuesFilter::builder()
                .key("Owner")
                .values("Private")
                .build(),
        )
        .filters(
            DocumentKeyValuesFilter::builder()
                .key("Name")
                .values(name)
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error("look the runbook up", e))?;
    let found = shared
        .document_identifiers()
        .iter()
        .find(|d| d.name() == Some(name))
        .and_then(|d| d.owner());
    Ok(match found {
        Some(owner) => reference(name, owner, "", &backend.region),
        None => name.to_owned(),
    })
}

impl Portal {
    /// One version of the runbook `name` (unchecked: [`Portal::runbook`] checks the viewer's grants).
    pub(crate) async fn read_runbook(
        &self,
        name: &str,
        version: &str,
    ) -> Result<RunbookDetails, PortalError> {
        let backend = &self.backend;
        let version = match version.trim() {
            "" => "$DEFAULT",
            v => v,
        };
        // Names are tried as this account's (or Amazon's) first, as SSM does.
        let described = match describe_version(backend, name, version).await {
            Err(PortalError::NotFound(message)) => {
                let reference = resolve(backend, name).await?;
                if reference == name {
                    return Err(PortalError::NotFound(message));
                }
                describe_version(backend, &reference, version).await?
            }
            other => other?,
        };
        let name = described.name.clone().unwrap_or_else(|| name.to_owned());
        let reference = match described.owner.as_deref() {
            Some(owner) => {
                let account = backend
                    .caller_identity()
                    .await
                    .map(|i| i.account)
                    .unwrap_or_default();
                reference(&name, owner, &account, &backend.region)
            }
            None => name.clone(),
        };
        let name = name.as_str();
        // The version described (a number, `$DEFAULT` and `$LATEST` resolved). Its content is
        // read from AWS once per content hash: a runbook deleted and made again under its name
        // starts its versions at 1 again, with other content.
        let number = described
            .document_version
            .clone()
            .unwrap_or_else(|| version.to_owned());
        let hash = described.hash.clone().unwrap_or_default();
        let content = self
            .contents
            .get(&reference, &number, &hash, || async {
                let got = backend
                    .ssm
                    .get_document()
                    .name(&reference)
                    .document_version(&number)
                    .document_format(DocumentFormat::Json)
                    .send()
                    .await
                    .map_err(|e| aws_error("read the runbook's content", e))?;
                Ok(got.content.unwrap_or_else(|| "{}".to_owned()))
            })
            .await?;
        let tree: serde_json::Value = serde_json::from_str(&content).map_err(|e| {
            PortalError::Backend(format!("The runbook {name} is not valid JSON: {e}"))
        })?;
        let versions = backend
            .ssm
            .list_document_versions()
            .name(&reference)
            .max_results(50)
            .send()
            .await
            .map_err(|e| aws_error("list the runbook's versions", e))?
            .document_versions
            .unwrap_or_default()
            .into_iter()
            .map(|v| VersionInfo {
                number: v.document_version.unwrap_or_default(),
                is_default: v.is_default_version,
                created: v
                    .created_date
                    .map(|d| domain::time::utc_at(d.secs(), d.subsec_nanos()))
                    .unwrap_or_default(),
            })
            .collect();
        Ok(RunbookDetails {
            name: name.to_owned(),
            reference,
            owner: described.owner.unwrap_or_default(),
            version: number,
            default_version: described.default_version.unwrap_or_default(),
            latest_version: described.latest_version.unwrap_or_default(),
            versions,
            description_html: markdown::to_safe_html(
                tree.get("description")
                    .and_then(|d| d.as_str())
                    .unwrap_or_default(),
            ),
            parameters: content::parameters(&tree)
                .into_iter()
                .map(|mut spec| {
                    spec.secret = self.secrets.is_secret(&spec.name);
                    spec
                })
                .collect(),
            steps: content::steps(&tree),
            assume_role: tree
                .get("assumeRole")
                .and_then(|r| r.as_str())
                .unwrap_or_default()
                .to_owned(),
            content_json: serde_json::to_string_pretty(&tree).unwrap_or_default(),
            content_yaml: serde_saphyr::to_string(&tree).unwrap_or_default(),
            categories: described.category.unwrap_or_default(),
            platform_types: described
                .platform_types
                .unwrap_or_default()
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            target_type: described.target_type,
        })
    }
}

async fn describe_version(
    backend: &Backend,
    name: &str,
    version: &str,
) -> Result<aws_sdk_ssm::types::DocumentDescription, PortalError> {
    backend
        .ssm
        .describe_document()
        .name(name)
        .document_version(version)
        .send()
        .await
        .map_err(|e| aws_error("read the runbook", e))?
        .document
        .ok_or_else(|| {
            PortalError::NotFound(format!("SSM has no description of the runbook {name}."))
        })
}
