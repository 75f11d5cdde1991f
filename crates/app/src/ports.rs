//! What the application asks of the network. The federation crate implements it (and signs,
//! fetches and parses the wire documents); the server injects it. Everything crossing this
//! port is domain data: rows, parsed and verified remote objects, opaque signed documents.

use crate::statements::{EndorseRequest, RemoteStatement, WithdrawRequest};
use puentes_core::{Result, handle::Handle};
use puentes_db::{actor, query::call::CallData, statement, statement_version};
use url::Url;

/// A new actor's keys: RSA for HTTP signatures, Ed25519 (Multikey) for object proofs.
#[derive(Debug, Clone)]
pub struct ActorKeys {
    pub rsa_public_pem: String,
    pub rsa_private_pem: String,
    /// Multibase (FEP-521a).
    pub ed25519_public: String,
    /// Base64 of the secret key bytes.
    pub ed25519_private: String,
}

/// A remote call to action, parsed from its origin and checked to come from there.
#[derive(Debug, Clone)]
pub struct RemoteCall {
    pub organizer: actor::Model,
    pub data: CallData,
}

#[async_trait::async_trait]
pub trait Federation: Send + Sync {
    /// A remote actor by its handle (WebFinger, then its document), stored or refreshed.
    async fn resolve_handle(&self, handle: &Handle) -> Result<actor::Model>;

    /// An actor by its id: stored, or fetched from its origin.
    async fn actor_by_id(&self, id: &Url) -> Result<actor::Model>;

    /// An actor read again from its origin now (ours: as stored), stored or refreshed.
    async fn refresh_actor(&self, id: &Url) -> Result<actor::Model>;

    /// New keys for a local actor.
    async fn generate_keys(&self) -> Result<ActorKeys>;

    /// A call to action on another server, read from its origin (its id or page URL).
    async fn fetch_call(&self, url: &Url) -> Result<RemoteCall>;

    /// A statement version read from a URL (its origin or a copy), with its owner's proof
    /// verified. `None` when the URL names one of our own statements.
    async fn fetch_statement(&self, url: &Url) -> Result<Option<RemoteStatement>>;

    /// The digest of a local statement version's frozen text (what endorsers sign).
    fn version_digest(
        &self,
        row: &statement::Model,
        version: &statement_version::Model,
        initiators: &[actor::Model],
    ) -> Result<String>;

    /// A local endorser's signed Endorse, as it will be kept verbatim.
    fn sign_endorsement(&self, request: &EndorseRequest<'_>) -> Result<String>;

    /// A local endorser's signed withdrawal (Undo) of its endorsement.
    fn sign_withdrawal(&self, request: &WithdrawRequest<'_>) -> Result<String>;

    /// How many members a remote alliance lists publicly; `None` when it does not say.
    async fn remote_member_count(&self, alliance: &actor::Model) -> Option<i64>;

    /// The page where someone with this handle confirms following or answering something,
    /// from their server's WebFinger (`http://ostatus.org/schema/1.0/subscribe`): a URL
    /// template with `{uri}`. `None` when their server offers none.
    async fn subscribe_template(&self, handle: &Handle) -> Result<Option<String>>;
}

/// Where uploaded media bytes are kept, by file name (`{uuid}.{ext}`): local files by
/// default ([`crate::media::LocalMedia`]); the server may inject an object store.
#[async_trait::async_trait]
pub trait MediaStore: Send + Sync {
    /// Keeps `bytes` under `name`, whole or not at all.
    async fn put(&self, name: &str, bytes: Vec<u8>, content_type: &str) -> Result<()>;
    /// The bytes kept under `name`; `None` when there are none.
    async fn get(&self, name: &str) -> Result<Option<Vec<u8>>>;
    /// Forgets `name` (no error when it is already gone).
    async fn delete(&self, name: &str) -> Result<()>;
    /// Says where media live, for `check-config` and logs (never a secret).
    fn describe(&self) -> String;
}
