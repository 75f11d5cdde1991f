//! Puentes application layer: every command and every domain rule, written once for every
//! front door (the command line, the web pages, the Mastodon client API and the inbox).
//!
//! A command runs for a [`Caller`]: it checks the caller's right once, validates, then
//! records the state change and its outbox event in one transaction. Whatever it needs from
//! the network (resolve a handle, fetch an object, sign a document) it asks through the
//! [`Federation`] port, which the federation crate implements and the server injects. No
//! JSON-LD, no HTTP and no command-line parsing live here.

pub mod actors;
pub mod alliances;
pub mod blocks;
pub mod caller;
pub mod calls;
mod followed;
pub mod follows;
mod grouped;
pub mod login;
pub mod markers;
pub mod media;
pub mod moves;
pub mod notifications;
pub mod oauth;
pub mod overview;
pub mod ports;
pub mod posts;
pub mod reactions;
mod receipts;
mod received_posts;
pub mod relay;
pub mod sessions;
pub mod staff;
pub mod statements;
pub mod work;

pub use caller::{Acting, Caller, Permission};
pub use ports::Federation;

use puentes_core::{Config, Result, urls::Urls};
use puentes_db::DatabaseConnection;
use std::sync::Arc;

/// One instance's application layer: its database, configuration and federation port.
#[derive(Clone)]
pub struct App {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub urls: Urls,
    network: Arc<dyn Federation>,
    /// Where uploaded media bytes are kept.
    media: Arc<dyn ports::MediaStore>,
    /// Failed logins, shared by every front door that takes a password.
    logins: Arc<login::LoginThrottle>,
    /// What commands committed, for live readers (the client API's streaming).
    changes: Changes,
    /// Stores received posts in groups (see `received_posts`).
    post_writer: received_posts::PostWriter,
    /// Remote actors followed here, remembered briefly (see `followed`).
    followed: Arc<followed::FollowedHere>,
    /// Records incoming activity ids in groups (see `receipts`).
    receipts: receipts::ReceiptTaker,
}

/// The channel an instance's changes are told on (cheap to clone; clones share it).
#[derive(Clone)]
pub struct Changes(tokio::sync::broadcast::Sender<Change>);

impl Changes {
    /// Tells live readers of a change (nobody listening is fine).
    pub(crate) fn tell(&self, change: Change) {
        let _ = self.0.send(change);
    }

    /// Hears of every change committed from now on, by any `App` sharing this channel.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.0.subscribe()
    }
}

impl Default for Changes {
    fn default() -> Changes {
        Changes(tokio::sync::broadcast::channel(256).0)
    }
}

/// A change committed by a command, told to live readers in this process. They read what
/// changed from the database (it is committed when they hear of it); deletions say which
/// post, since a deleted row reads like any other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Committed,
    PostDeleted { post_id: i64, author_id: i64 },
}

impl App {
    pub fn new(db: DatabaseConnection, config: Arc<Config>, network: Arc<dyn Federation>) -> App {
        let urls = Urls::new(&config);
        let media = Arc::new(media::LocalMedia::new(&config));
        App {
            db,
            config,
            urls,
            network,
            media,
            logins: Arc::default(),
            changes: Changes::default(),
            post_writer: received_posts::PostWriter::default(),
            followed: Arc::default(),
            receipts: receipts::ReceiptTaker::default(),
        }
    }

    /// The same application telling its changes on `changes` (shared with the other
    /// `App`s of the instance).
    pub fn with_changes(mut self, changes: Changes) -> App {
        self.changes = changes;
        self
    }

    /// Hears of every change committed from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Tells live readers of a change (nobody listening is fine).
    pub(crate) fn changed(&self, change: Change) {
        self.changes.tell(change);
    }

    /// Commits a command's writes and tells live readers.
    pub(crate) async fn commit(&self, txn: puentes_db::DatabaseTransaction) -> Result<()> {
        txn.commit().await?;
        self.changed(Change::Committed);
        Ok(())
    }

    /// The same application keeping media in `store` (an object store, say).
    pub fn with_media_store(mut self, store: Arc<dyn ports::MediaStore>) -> App {
        self.media = store;
        self
    }

    /// Where uploaded media bytes are kept.
    pub fn media_store(&self) -> &dyn ports::MediaStore {
        self.media.as_ref()
    }

    /// What the application asks of the network.
    pub fn network(&self) -> &dyn Federation {
        self.network.as_ref()
    }

    /// A transaction for a command's writes and their outbox events.
    pub(crate) async fn write(&self) -> Result<puentes_db::DatabaseTransaction> {
        puentes_db::begin_write(&self.db).await
    }

    /// Base for hashtag links: `{base}/tags`.
    pub(crate) fn tag_base(&self) -> String {
        format!("{}/tags", self.urls.base())
    }

    /// What an incoming answer (Accept, Reject, Ignore) answers, found in one lookup.
    pub async fn what_answers(
        &self,
        answered_id: &str,
    ) -> Result<Option<puentes_db::query::answers::Answered>> {
        puentes_db::query::answers::answered_by(&self.db, answered_id).await
    }

    /// Resolves `name@domain` (ours directly, others through the network), or an actor's
    /// address as pasted from a browser.
    pub async fn resolve(&self, handle: &str) -> Result<puentes_db::actor::Model> {
        let trimmed = handle.trim();
        if trimmed.starts_with("https://") || trimmed.starts_with("http://") {
            let url = url::Url::parse(trimmed).map_err(|_| {
                puentes_core::Error::bad_request(format!("{trimmed:?} is not an address"))
            })?;
            if let Some(known) = puentes_db::query::actor::by_ap_id(&self.db, url.as_str()).await? {
                return Ok(known);
            }
            return self.network.actor_by_id(&url).await;
        }
        let parsed = puentes_core::handle::Handle::parse(handle)?;
        if parsed.domain == self.config.domain {
            return puentes_db::query::actor::local_by_name_required(&self.db, &parsed.name).await;
        }
        self.network.resolve_handle(&parsed).await
    }
}

#[cfg(test)]
pub(crate) mod testing;
