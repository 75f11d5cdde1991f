//! Local organizations and alliances: creating them with their keys, editing their profile,
//! and deleting them — people at risk must be able to take their organization off the
//! network.

use crate::{App, Caller, Permission, media};
use puentes_core::{ActorKind, Error, Result, handle::validate_username, sanitize};
use puentes_db::{
    OutboxEvent, actor,
    query::{
        self,
        actor::{ActorData, ProfileChange},
    },
};

/// A new local actor.
#[derive(Debug, Clone)]
pub struct NewActor {
    pub name: String,
    /// Organization or Alliance.
    pub kind: ActorKind,
    pub display_name: Option<String>,
    /// Plain text; shown as paragraphs.
    pub summary: Option<String>,
    pub manually_approves_followers: bool,
}

/// A profile change; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ProfileEdit {
    /// An empty name clears it (the username is shown).
    pub display_name: Option<String>,
    /// Plain text; empty clears it.
    pub summary: Option<String>,
    /// An image file's bytes.
    pub avatar: Option<Vec<u8>>,
    pub header: Option<Vec<u8>>,
}

/// A local actor about to be stored: fields checked, summary sanitized HTML.
pub(crate) struct LocalActor<'a> {
    pub name: &'a str,
    pub kind: ActorKind,
    pub display_name: Option<String>,
    pub summary: Option<String>,
    pub manually_approves_followers: bool,
    pub also_known_as: Vec<String>,
}

const MAX_DISPLAY_NAME: usize = 100;
const MAX_SUMMARY: usize = 5000;

pub(crate) fn display_name(value: &str) -> Result<Option<String>> {
    let value = value.trim();
    if value.chars().count() > MAX_DISPLAY_NAME {
        return Err(Error::bad_request(format!(
            "the display name is longer than {MAX_DISPLAY_NAME} characters"
        )));
    }
    Ok((!value.is_empty()).then(|| sanitize::strip_html(value)))
}

fn summary_html(value: &str) -> Result<Option<String>> {
    let value = value.trim();
    if value.chars().count() > MAX_SUMMARY {
        return Err(Error::bad_request(format!(
            "the summary is longer than {MAX_SUMMARY} characters"
        )));
    }
    Ok((!value.is_empty()).then(|| sanitize::text_to_html(value)))
}

impl App {
    /// Creates an organization or alliance with its keys (instance administrators only).
    pub async fn create_actor(&self, caller: &Caller, new: NewActor) -> Result<actor::Model> {
        self.require_admin(caller).await?;
        validate_username(&new.name)?;
        if !matches!(new.kind, ActorKind::Organization | ActorKind::Alliance) {
            return Err(Error::bad_request(
                "a local actor is an organization or an alliance",
            ));
        }
        self.refuse_taken_name(&new.name).await?;
        let display_name = match &new.display_name {
            Some(name) => display_name(name)?,
            None => None,
        };
        let summary = match &new.summary {
            Some(text) => summary_html(text)?,
            None => None,
        };
        self.insert_local_actor(
            &self.db,
            LocalActor {
                name: &new.name,
                kind: new.kind,
                display_name,
                summary,
                manually_approves_followers: new.manually_approves_followers,
                also_known_as: Vec::new(),
            },
        )
        .await
    }

    /// Refuses a name an actor here already has (deleted ones keep theirs).
    pub(crate) async fn refuse_taken_name(&self, name: &str) -> Result<()> {
        let instance_actor = query::actor::instance_actor(&self.db).await?;
        if query::actor::local_by_name(&self.db, name).await?.is_some()
            || instance_actor.is_some_and(|a| a.username.eq_ignore_ascii_case(name))
        {
            return Err(Error::conflict(format!(
                "an actor named {name:?} already exists"
            )));
        }
        Ok(())
    }

    /// Stores a new local actor with new keys (fields already checked and sanitized), on
    /// `db` so that an import can write it in the same transaction as the rest.
    pub(crate) async fn insert_local_actor(
        &self,
        db: &impl puentes_db::ConnectionTrait,
        new: LocalActor<'_>,
    ) -> Result<actor::Model> {
        let keys = self.network().generate_keys().await?;
        let urls = &self.urls;
        let name = new.name;
        query::actor::insert(
            db,
            ActorData {
                ap_id: urls.actor(name).to_string(),
                username: name.to_string(),
                domain: self.config.domain.clone(),
                kind: new.kind,
                display_name: new.display_name,
                summary: new.summary,
                inbox: urls.actor_collection(name, "inbox").to_string(),
                shared_inbox: Some(urls.shared_inbox().to_string()),
                outbox: Some(urls.actor_collection(name, "outbox").to_string()),
                followers_url: Some(urls.actor_collection(name, "followers").to_string()),
                following_url: Some(urls.actor_collection(name, "following").to_string()),
                featured_url: Some(urls.actor_collection(name, "featured").to_string()),
                url: Some(urls.actor_page(name).to_string()),
                icon_url: None,
                header_url: None,
                public_key_id: urls.actor_key(name).to_string(),
                public_key_pem: keys.rsa_public_pem,
                private_key_pem: Some(keys.rsa_private_pem),
                ed25519_public: Some(keys.ed25519_public),
                ed25519_private: Some(keys.ed25519_private),
                local: true,
                manually_approves_followers: new.manually_approves_followers,
                discoverable: true,
                indexable: true,
                also_known_as: new.also_known_as,
                moved_to: None,
            },
        )
        .await
        .map_err(|e| match e.kind() {
            // Two creations of one name at the same moment.
            puentes_core::ErrorKind::Internal => {
                Error::conflict(format!("an actor named {:?} already exists", name))
                    .with_source(anyhow_of(e))
            }
            _ => e,
        })
    }

    /// Changes the name, summary, avatar or header; followers get the `Update`.
    pub async fn edit_actor(
        &self,
        caller: &Caller,
        name: &str,
        edit: ProfileEdit,
    ) -> Result<actor::Model> {
        let acting = self.acting(caller, name, Permission::Decide).await?;
        let mut change = ProfileChange::default();
        if let Some(value) = &edit.display_name {
            change.display_name = Some(display_name(value)?);
        }
        if let Some(value) = &edit.summary {
            change.summary = Some(summary_html(value)?);
        }
        if change.display_name.is_none()
            && change.summary.is_none()
            && edit.avatar.is_none()
            && edit.header.is_none()
        {
            return Err(Error::bad_request(
                "nothing to change: give a display name, summary, avatar or header",
            ));
        }
        let who = acting.actor.display().to_string();
        let txn = self.write().await?;
        if let Some(bytes) = edit.avatar {
            let row = media::store_upload(
                &txn,
                self.media_store(),
                acting.actor.id,
                bytes,
                &format!("Avatar of {who}"),
            )
            .await?;
            change.icon_url = Some(Some(media::media_url(&self.urls, &row)));
        }
        if let Some(bytes) = edit.header {
            let row = media::store_upload(
                &txn,
                self.media_store(),
                acting.actor.id,
                bytes,
                &format!("Header image of {who}"),
            )
            .await?;
            change.header_url = Some(Some(media::media_url(&self.urls, &row)));
        }
        let updated = query::actor::set_profile(&txn, acting.actor, change).await?;
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::ActorUpdated {
                actor_id: updated.id,
            },
        )
        .await?;
        self.commit(txn).await?;
        Ok(updated)
    }

    /// Takes an organization or alliance off the network (owners only): its followers and
    /// the servers it dealt with get a `Delete` of the actor; its id then answers 410 and
    /// its posts are Tombstones. The name stays taken, so nobody can pose as it later.
    pub async fn delete_actor(&self, caller: &Caller, name: &str) -> Result<actor::Model> {
        let acting = self.acting(caller, name, Permission::Manage).await?;
        let txn = self.write().await?;
        query::post::mark_all_deleted_by(&txn, acting.actor.id).await?;
        query::call::cancel_all_of(&txn, acting.actor.id).await?;
        let deleted = query::actor::mark_deleted(&txn, acting.actor).await?;
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::ActorDeleted {
                actor_id: deleted.id,
            },
        )
        .await?;
        self.commit(txn).await?;
        Ok(deleted)
    }

    /// Local organizations and alliances.
    pub async fn list_actors(&self) -> Result<Vec<actor::Model>> {
        query::actor::list_local(&self.db).await
    }
}

fn anyhow_of(err: Error) -> std::io::Error {
    std::io::Error::other(format!("{err:?}"))
}
