//! SSM document operations: listing (owned, shared, Amazon's), describing, content in JSON or YAML,
//! versions, sharing, and creating / updating / deleting runbooks.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::pagination;
use crate::protocol::timestamp::epoch;
use crate::runbook::{self, Format};
use crate::scope::Scope;
use crate::world::document::category_name;
use crate::world::{Document, DocumentVersion};
use crate::AwsError;

fn invalid_version() -> AwsError {
    AwsError::bad_request(
        "InvalidDocumentVersion",
        "The document version is not valid or does not exist.",
    )
}

fn validation(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("ValidationException", message)
}

fn page_size(requested: Option<i32>, max: i32) -> Result<usize, AwsError> {
    match requested {
        None => Ok(max as usize),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(n) => Err(validation(format!(
            "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: \
             Member must have value between 1 and {max}"
        ))),
    }
}

fn start_of(token: Option<&str>, query: &impl std::hash::Hash) -> Result<usize, AwsError> {
    match token {
        None => Ok(0),
        Some(t) => pagination::offset(t, query).ok_or_else(|| {
            AwsError::bad_request("InvalidNextToken", "The specified token isn't valid.")
        }),
    }
}

// ---- shapes ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyValuesFilter {
    pub key: String,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Hash, Deserialize)]
pub struct LegacyFilter {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDocumentsInput {
    #[serde(default)]
    filters: Vec<KeyValuesFilter>,
    #[serde(default)]
    document_filter_list: Vec<LegacyFilter>,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentIdentifier {
    name: String,
    #[serde(serialize_with = "epoch")]
    created_date: SystemTime,
    owner: String,
    platform_types: Vec<String>,
    document_version: String,
    document_type: String,
    schema_version: String,
    document_format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_type: Option<String>,
    tags: Vec<Tag>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDocumentsOutput {
    document_identifiers: Vec<DocumentIdentifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentParameter {
    name: String,
    #[serde(rename = "Type")]
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_value: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentDescription {
    sha1: String,
    hash: String,
    hash_type: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_name: Option<String>,
    owner: String,
    #[serde(serialize_with = "epoch")]
    created_date: SystemTime,
    status: &'static str,
    document_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    parameters: Vec<DocumentParameter>,
    platform_types: Vec<String>,
    document_type: String,
    schema_version: String,
    latest_version: String,
    default_version: String,
    document_format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_type: Option<String>,
    tags: Vec<Tag>,
    category: Vec<String>,
    category_enum: Vec<String>,
}

pub fn tags_of(document: &Document) -> Vec<Tag> {
    document
        .tags
        .iter()
        .map(|(k, v)| Tag {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

fn schema_version(version: &DocumentVersion) -> String {
    version
        .tree
        .get("schemaVersion")
        .and_then(|v| v.as_str())
        .unwrap_or("0.3")
        .to_owned()
}

fn identifier(document: &Document) -> DocumentIdentifier {
    let default = document
        .version(document.default_version)
        .unwrap_or_else(|| document.latest());
    DocumentIdentifier {
        name: document.name.clone(),
        created_date: document.created,
        owner: document.owner.clone(),
        platform_types: document.platform_types.clone(),
        document_version: default.number.to_string(),
        document_type: document.document_type.clone(),
        schema_version: schema_version(default),
        document_format: default.format.name().to_owned(),
        target_type: document.target_type.clone(),
        tags: tags_of(document),
    }
}

pub fn describe(document: &Document, version: &DocumentVersion) -> DocumentDescription {
    let parameters = runbook::parameters(&version.tree)
        .into_iter()
        .map(|(name, def)| DocumentParameter {
            name,
            kind: def.kind,
            description: def.description,
            default_value: def.default.map(|d| match d {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }),
        })
        .collect();
    DocumentDescription {
        sha1: version.hash.clone(),
        hash: version.hash.clone(),
        hash_type: "Sha256",
        name: document.name.clone(),
        version_name: version.version_name.clone(),
        owner: document.owner.clone(),
        created_date: version.created,
        status: "Active",
        document_version: version.number.to_string(),
        description: runbook::description(&version.tree),
        parameters,
        platform_types: document.platform_types.clone(),
        document_type: document.document_type.clone(),
        schema_version: schema_version(version),
        latest_version: document.latest_number().to_string(),
        default_version: document.default_version.to_string(),
        document_format: version.format.name(),
        target_type: document.target_type.clone(),
        tags: tags_of(document),
        category: document
            .categories
            .iter()
            .map(|c| category_name(c).to_owned())
            .collect(),
        category_enum: document.categories.clone(),
    }
}

// ---- ListDocuments ---------------------------------------------------------------------------

const FILTER_KEYS: &[&str] = &[
    "Owner",
    "DocumentType",
    "Name",
    "PlatformTypes",
    "TargetType",
    "SearchKeyword",
];

pub fn list_documents(
    scope: &Scope<'_>,
    input: ListDocumentsInput,
) -> Result<ListDocumentsOutput, AwsError> {
    let world = scope.world();
    scope.authorize(&world, "ssm:ListDocuments", "*")?;
    let size = page_size(input.max_results, 50)?;
    let start = start_of(
        input.next_token.as_deref(),
        &(&input.filters, &input.document_filter_list),
    )?;

    // Both filter forms become (key, values); keys AND together, values OR.
    let mut filters: Vec<(String, Vec<String>)> = Vec::new();
    for f in &input.filters {
        if !(FILTER_KEYS.contains(&f.key.as_str()) || f.key.starts_with("tag:")) {
            return Err(AwsError::bad_request(
                "InvalidFilterKey",
                format!(
                    "The filter key {} is not valid. Valid keys: {}, tag:<key>.",
                    f.key,
                    FILTER_KEYS.join(", ")
                ),
            ));
        }
        if f.key == "Owner" && f.values.len() != 1 {
            return Err(AwsError::bad_request(
                "InvalidFilterValue",
                "The Owner filter takes exactly one value.",
            ));
        }
        filters.push((f.key.clone(), f.values.clone()));
    }
    for f in &input.document_filter_list {
        let key = match f.key.as_str() {
            "Name" | "Owner" | "PlatformTypes" | "DocumentType" => f.key.clone(),
            other => {
                return Err(AwsError::bad_request(
                    "InvalidFilterKey",
                    format!("The filter key {other} is not valid in DocumentFilterList."),
                ))
            }
        };
        filters.push((key, vec![f.value.clone()]));
    }

    let owner = filters
        .iter()
        .find(|(k, _)| k == "Owner")
        .and_then(|(_, v)| v.first().cloned())
        .unwrap_or_else(|| "All".to_owned());
    let mut visible: Vec<&Document> = Vec::new();
    let own = world
        .region(scope.account(), scope.region())
        .map(|r| r.documents.values());
    let shared = || {
        world
            .accounts
            .values()
            .filter(|a| a.id != scope.account())
            .filter_map(|a| a.regions.get(scope.region()))
            .flat_map(|r| r.documents.values())
            .filter(|d| d.is_shared_with(scope.account()))
    };
    match owner.as_str() {
        "Self" => visible.extend(own.into_iter().flatten()),
        "Amazon" => visible.extend(world.amazon_documents.values()),
        "Private" => visible.extend(shared().filter(|d| !d.shared_with.iter().any(|a| a == "all"))),
        "Public" => visible.extend(shared().filter(|d| d.shared_with.iter().any(|a| a == "all"))),
        "ThirdParty" => {}
        "All" => {
            visible.extend(own.into_iter().flatten());
            visible.extend(world.amazon_documents.values());
            visible.extend(shared());
        }
        other => {
            return Err(AwsError::bad_request(
                "InvalidFilterValue",
                format!(
                "Owner {other} is not valid: use Self, Amazon, Private, Public, ThirdParty or All."
            ),
            ))
        }
    }
    let matches = |d: &Document| {
        filters.iter().all(|(key, values)| {
            let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v));
            match key.as_str() {
                "Owner" => true,
                "DocumentType" => any(&|v| v == d.document_type),
                "Name" => any(&|v| d.name.starts_with(v)),
                "PlatformTypes" => any(&|v| d.platform_types.iter().any(|p| p == v)),
                "TargetType" => any(&|v| d.target_type.as_deref() == Some(v)),
                "SearchKeyword" => any(&|v| d.name.to_lowercase().contains(&v.to_lowercase())),
                tag => {
                    let tag_key = tag.trim_start_matches("tag:");
                    d.tags
                        .get(tag_key)
                        .is_some_and(|value| values.is_empty() || values.contains(value))
                }
            }
        })
    };
    let mut identifiers: Vec<DocumentIdentifier> = visible
        .into_iter()
        .filter(|d| matches(d))
        .map(identifier)
        .collect();
    identifiers.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.owner.cmp(&b.owner)));
    let (page, next_token) = pagination::page(
        &identifiers,
        start,
        size,
        &(&input.filters, &input.document_filter_list),
    );
    Ok(ListDocumentsOutput {
        document_identifiers: page,
        next_token,
    })
}

// ---- DescribeDocument / GetDocument / ListDocumentVersions -----------------------------------

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDocumentInput {
    name: String,
    document_version: Option<String>,
    version_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDocumentOutput {
    document: DocumentDescription,
}

fn pick<'d>(
    document: &'d Document,
    version: Option<&str>,
    version_name: Option<&str>,
) -> Result<&'d DocumentVersion, AwsError> {
    match (version, version_name) {
        (None, Some(name)) => document.by_version_name(name).ok_or_else(invalid_version),
        (v, name) => {
            let picked = document.resolve(v).ok_or_else(invalid_version)?;
            if name.is_some_and(|n| picked.version_name.as_deref() != Some(n)) {
                return Err(invalid_version());
            }
            Ok(picked)
        }
    }
}

pub fn describe_document(
    scope: &Scope<'_>,
    input: DescribeDocumentInput,
) -> Result<DescribeDocumentOutput, AwsError> {
    let world = scope.world();
    let document = scope.find_authorized(&world, &input.name, "ssm:DescribeDocument")?;
    let version = pick(
        document,
        input.document_version.as_deref(),
        input.version_name.as_deref(),
    )?;
    Ok(DescribeDocumentOutput {
        document: describe(document, version),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDocumentInput {
    name: String,
    document_version: Option<String>,
    version_name: Option<String>,
    document_format: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDocumentOutput {
    name: String,
    #[serde(serialize_with = "epoch")]
    created_date: SystemTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_name: Option<String>,
    document_version: String,
    status: &'static str,
    content: String,
    document_type: String,
    document_format: &'static str,
}

pub fn get_document(
    scope: &Scope<'_>,
    input: GetDocumentInput,
) -> Result<GetDocumentOutput, AwsError> {
    let format = match input.document_format.as_deref() {
        None => Format::Json,
        Some(name) => Format::parse(name).ok_or_else(|| {
            AwsError::bad_request(
                "InvalidDocumentSchemaVersion",
                format!("DocumentFormat {name} is not valid: use JSON or YAML."),
            )
        })?,
    };
    let world = scope.world();
    let document = scope.find_authorized(&world, &input.name, "ssm:GetDocument")?;
    let version = pick(
        document,
        input.document_version.as_deref(),
        input.version_name.as_deref(),
    )?;
    Ok(GetDocumentOutput {
        name: document.name.clone(),
        created_date: version.created,
        version_name: version.version_name.clone(),
        document_version: version.number.to_string(),
        status: "Active",
        content: version.content_in(format),
        document_type: document.document_type.clone(),
        document_format: format.name(),
    })
}

#[derive(Debug, Hash, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDocumentVersionsInput {
    name: String,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentVersionInfo {
    name: String,
    document_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_name: Option<String>,
    #[serde(serialize_with = "epoch")]
    created_date: SystemTime,
    is_default_version: bool,
    document_format: &'static str,
    status: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDocumentVersionsOutput {
    document_versions: Vec<DocumentVersionInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub fn list_document_versions(
    scope: &Scope<'_>,
    input: ListDocumentVersionsInput,
) -> Result<ListDocumentVersionsOutput, AwsError> {
    let size = page_size(input.max_results, 50)?;
    let start = start_of(input.next_token.as_deref(), &input.name)?;
    let world = scope.world();
    let document = scope.find_authorized(&world, &input.name, "ssm:ListDocumentVersions")?;
    let versions: Vec<DocumentVersionInfo> = document
        .versions
        .iter()
        .rev()
        .map(|v| DocumentVersionInfo {
            name: document.name.clone(),
            document_version: v.number.to_string(),
            version_name: v.version_name.clone(),
            created_date: v.created,
            is_default_version: v.number == document.default_version,
            document_format: v.format.name(),
            status: "Active",
        })
        .collect();
    let (page, next_token) = pagination::page(&versions, start, size, &input.name);
    Ok(ListDocumentVersionsOutput {
        document_versions: page,
        next_token,
    })
}

// ---- DescribeDocumentPermission ----------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDocumentPermissionInput {
    name: String,
    permission_type: String,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountSharingInfo {
    account_id: String,
    shared_document_version: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDocumentPermissionOutput {
    account_ids: Vec<String>,
    account_sharing_info_list: Vec<AccountSharingInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub fn describe_document_permission(
    scope: &Scope<'_>,
    input: DescribeDocumentPermissionInput,
) -> Result<DescribeDocumentPermissionOutput, AwsError> {
    if input.permission_type != "Share" {
        return Err(AwsError::bad_request(
            "InvalidPermissionType",
            format!(
                "PermissionType {} is not valid: use Share.",
                input.permission_type
            ),
        ));
    }
    let size = page_size(input.max_results, 200)?;
    let start = start_of(input.next_token.as_deref(), &input.name)?;
    let world = scope.world();
    let document = scope.find_authorized(&world, &input.name, "ssm:DescribeDocumentPermission")?;
    if document.owner != scope.account() {
        return Err(AwsError::bad_request(
            "InvalidDocumentOperation",
            "Only the owner of a document can describe who it is shared with.",
        ));
    }
    let (accounts, next_token) = pagination::page(&document.shared_with, start, size, &input.name);
    Ok(DescribeDocumentPermissionOutput {
        account_sharing_info_list: accounts
            .iter()
            .map(|a| AccountSharingInfo {
                account_id: a.clone(),
                shared_document_version: "$DEFAULT",
            })
            .collect(),
        account_ids: accounts,
        next_token,
    })
}

// ---- CreateDocument / UpdateDocument / UpdateDocumentDefaultVersion / DeleteDocument ----------

/// The largest runbook content SSM accepts.
const MAX_CONTENT_BYTES: usize = 64 * 1024;

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagInput {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDocumentInput {
    content: String,
    name: String,
    document_type: Option<String>,
    document_format: Option<String>,
    version_name: Option<String>,
    target_type: Option<String>,
    #[serde(default)]
    tags: Vec<TagInput>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentDescriptionOutput {
    document_description: DocumentDescription,
}

fn read_content(
    content: &str,
    format: Option<&str>,
) -> Result<(Format, serde_json::Value), AwsError> {
    if content.len() > MAX_CONTENT_BYTES {
        return Err(AwsError::bad_request(
            "MaxDocumentSizeExceeded",
            format!(
                "The content is {} bytes; the limit is {MAX_CONTENT_BYTES}.",
                content.len()
            ),
        ));
    }
    let format = match format {
        None => Format::Json,
        Some(name) => Format::parse(name).ok_or_else(|| {
            validation(format!(
                "DocumentFormat {name} is not valid: use JSON or YAML."
            ))
        })?,
    };
    let tree = runbook::parse(content, format)
        .map_err(|e| AwsError::bad_request("InvalidDocumentContent", e))?;
    runbook::validate(&tree).map_err(|e| AwsError::bad_request("InvalidDocumentContent", e))?;
    Ok((format, tree))
}

fn check_name(name: &str) -> Result<(), AwsError> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if !(3..=128).contains(&name.len()) || !valid_chars {
        return Err(validation(format!(
            "Document name {name:?} is not valid: use 3 to 128 letters, digits, '_', '-' or '.'."
        )));
    }
    let lower = name.to_lowercase();
    if ["aws", "amazon", "amzn"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Err(validation(format!(
            "Document name {name} is reserved: names must not start with aws, amazon or amzn."
        )));
    }
    Ok(())
}

pub fn create_document(
    scope: &Scope<'_>,
    input: CreateDocumentInput,
) -> Result<DocumentDescriptionOutput, AwsError> {
    check_name(&input.name)?;
    let document_type = input.document_type.unwrap_or_else(|| "Command".to_owned());
    if document_type != "Automation" {
        return Err(AwsError::bad_request(
            "InvalidDocumentType",
            format!("The emulator keeps Automation documents only; {document_type} documents are not emulated."),
        ));
    }
    let (format, tree) = read_content(&input.content, input.document_format.as_deref())?;
    let mut world = scope.world();
    scope.authorize_own(&world, "ssm:CreateDocument", &input.name)?;
    let now = scope.now();
    let region = world.region_mut(scope.account(), scope.region());
    if region.documents.contains_key(&input.name) {
        return Err(AwsError::bad_request(
            "DocumentAlreadyExists",
            format!("Document with same name {} already exists", input.name),
        ));
    }
    let document = Document {
        name: input.name.clone(),
        owner: scope.account().to_owned(),
        created: now,
        document_type,
        platform_types: vec!["Windows".into(), "Linux".into(), "MacOS".into()],
        target_type: input.target_type,
        categories: Vec::new(),
        tags: input.tags.into_iter().map(|t| (t.key, t.value)).collect(),
        shared_with: Vec::new(),
        default_version: 1,
        versions: vec![DocumentVersion::new(
            1,
            now,
            input.content,
            format,
            tree,
            input.version_name,
        )],
    };
    let description = describe(&document, document.latest());
    region.documents.insert(input.name, document);
    Ok(DocumentDescriptionOutput {
        document_description: description,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDocumentInput {
    content: String,
    name: String,
    document_version: Option<String>,
    document_format: Option<String>,
    version_name: Option<String>,
    target_type: Option<String>,
}

pub fn update_document(
    scope: &Scope<'_>,
    input: UpdateDocumentInput,
) -> Result<DocumentDescriptionOutput, AwsError> {
    let (format, tree) = read_content(&input.content, input.document_format.as_deref())?;
    let now = scope.now();
    let mut world = scope.world();
    scope.authorize_own(&world, "ssm:UpdateDocument", &input.name)?;
    let document = scope.find_owned_mut(&mut world, &input.name)?;
    let latest = document.latest();
    let base_ok = match input.document_version.as_deref() {
        None | Some("$LATEST") => true,
        Some(v) => v == latest.number.to_string(),
    };
    if !base_ok {
        return Err(invalid_version());
    }
    if latest.tree == tree {
        return Err(AwsError::bad_request(
            "DuplicateDocumentContent",
            "The content of the association document matches another document. Change the content of the document and try again.",
        ));
    }
    if input
        .version_name
        .as_deref()
        .is_some_and(|n| document.by_version_name(n).is_some())
    {
        return Err(AwsError::bad_request(
            "DuplicateDocumentVersionName",
            "The version name has already been used in this document. Specify a different name.",
        ));
    }
    let number = latest.number + 1;
    document.versions.push(DocumentVersion::new(
        number,
        now,
        input.content,
        format,
        tree,
        input.version_name,
    ));
    if input.target_type.is_some() {
        document.target_type = input.target_type;
    }
    Ok(DocumentDescriptionOutput {
        document_description: describe(document, document.latest()),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDocumentDefaultVersionInput {
    name: String,
    document_version: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DefaultVersionDescription {
    name: String,
    default_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_version_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDocumentDefaultVersionOutput {
    description: DefaultVersionDescription,
}

pub fn update_document_default_version(
    scope: &Scope<'_>,
    input: UpdateDocumentDefaultVersionInput,
) -> Result<UpdateDocumentDefaultVersionOutput, AwsError> {
    let mut world = scope.world();
    scope.authorize_own(&world, "ssm:UpdateDocumentDefaultVersion", &input.name)?;
    let document = scope.find_owned_mut(&mut world, &input.name)?;
    let number = document
        .resolve(Some(&input.document_version))
        .map(|v| v.number)
        .ok_or_else(invalid_version)?;
    document.default_version = number;
    let version_name = document
        .version(number)
        .and_then(|v| v.version_name.clone());
    Ok(UpdateDocumentDefaultVersionOutput {
        description: DefaultVersionDescription {
            name: document.name.clone(),
            default_version: number.to_string(),
            default_version_name: version_name,
        },
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDocumentInput {
    name: String,
    document_version: Option<String>,
    version_name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Empty {}

pub fn delete_document(scope: &Scope<'_>, input: DeleteDocumentInput) -> Result<Empty, AwsError> {
    let mut world = scope.world();
    scope.authorize_own(&world, "ssm:DeleteDocument", &input.name)?;
    let document = scope.find_owned_mut(&mut world, &input.name)?;
    if input.document_version.is_none() && input.version_name.is_none() {
        world
            .region_mut(&scope.ctx.caller.account, &scope.ctx.region)
            .documents
            .remove(&input.name);
        return Ok(Empty {});
    }
    let number = pick(
        document,
        input.document_version.as_deref(),
        input.version_name.as_deref(),
    )?
    .number;
    if number == document.default_version {
        return Err(AwsError::bad_request(
            "InvalidDocumentOperation",
            format!("Version {number} is the default version of {}: make another version the default first.", input.name),
        ));
    }
    document.versions.retain(|v| v.number != number);
    Ok(Empty {})
}
