//! The request scope every handler works in, and the engine too when it starts an execution: who
//! calls, in which account and Region, what their policies allow, and which documents they see.

use std::sync::MutexGuard;
use std::time::SystemTime;

use crate::iam::{authorize, Refusal};
use crate::identity::Principal;
use crate::protocol::RequestContext;
use crate::state::State;
use crate::world::{Document, World};
use crate::AwsError;

/// The caller's view: its account and region, and the world it acts on.
pub struct Scope<'a> {
    pub state: &'a State,
    pub ctx: &'a RequestContext,
}

impl<'a> Scope<'a> {
    pub fn new(state: &'a State, ctx: &'a RequestContext) -> Self {
        Self { state, ctx }
    }

    pub fn caller(&self) -> &Principal {
        &self.ctx.caller
    }

    pub fn account(&self) -> &str {
        &self.ctx.caller.account
    }

    pub fn region(&self) -> &str {
        &self.ctx.region
    }

    pub fn world(&self) -> MutexGuard<'a, World> {
        self.state.world()
    }

    pub fn now(&self) -> SystemTime {
        self.state.clock.now()
    }

    pub fn authorize(&self, world: &World, action: &str, resource: &str) -> Result<(), AwsError> {
        authorize(world, self.caller(), action, resource, Refusal::Ssm)
    }

    /// Authorises `action` on the caller's own document `name` (which may not exist yet).
    pub fn authorize_own(&self, world: &World, action: &str, name: &str) -> Result<(), AwsError> {
        let arn = format!(
            "arn:aws:ssm:{}:{}:document/{name}",
            self.region(),
            self.account()
        );
        self.authorize(world, action, &arn)
    }

    /// A document the caller can see, if its policies allow `action` on it.
    pub fn find_authorized<'w>(
        &self,
        world: &'w World,
        name: &str,
        action: &str,
    ) -> Result<&'w Document, AwsError> {
        let document = self.find(world, name)?;
        self.authorize(world, action, &self.document_arn(document))?;
        Ok(document)
    }

    pub fn document_arn(&self, document: &Document) -> String {
        let owner = if document.owner == "Amazon" {
            ""
        } else {
            &document.owner
        };
        format!(
            "arn:aws:ssm:{}:{owner}:document/{}",
            self.region(),
            document.name
        )
    }

    /// A document the caller can see by `name`: its own, Amazon's, or another account's by ARN when
    /// shared with it.
    pub fn find<'w>(&self, world: &'w World, name: &str) -> Result<&'w Document, AwsError> {
        let found = match parse_document_arn(name) {
            Some((region, "", short)) => (region == self.region())
                .then(|| world.amazon_documents.get(short))
                .flatten(),
            Some((region, owner, short)) => world
                .region(owner, region)
                .and_then(|r| r.documents.get(short))
                .filter(|d| owner == self.account() || d.is_shared_with(self.account())),
            None => world
                .region(self.account(), self.region())
                .and_then(|r| r.documents.get(name))
                .or_else(|| world.amazon_documents.get(name)),
        };
        found.ok_or_else(invalid_document)
    }

    /// A document the caller owns, for changes.
    pub fn find_owned_mut<'w>(
        &self,
        world: &'w mut World,
        name: &str,
    ) -> Result<&'w mut Document, AwsError> {
        if world.amazon_documents.contains_key(name) {
            return Err(AwsError::bad_request(
                "InvalidDocumentOperation",
                format!("You can't change {name}: it is owned by Amazon."),
            ));
        }
        world
            .region_mut(&self.ctx.caller.account, &self.ctx.region)
            .documents
            .get_mut(name)
            .ok_or_else(invalid_document)
    }
}

pub fn invalid_document() -> AwsError {
    AwsError::bad_request("InvalidDocument", "The specified document does not exist.")
}

/// `arn:aws:ssm:<region>:<account or empty>:document/<name>` → (region, owner, name).
fn parse_document_arn(name: &str) -> Option<(&str, &str, &str)> {
    let rest = name.strip_prefix("arn:aws:ssm:")?;
    let (region, rest) = rest.split_once(':')?;
    let (owner, rest) = rest.split_once(':')?;
    Some((region, owner, rest.strip_prefix("document/")?))
}
