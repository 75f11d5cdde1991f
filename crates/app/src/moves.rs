//! Moving an organization to another instance (Mastodon's account migration, extended):
//! `export` writes an archive of the actor, `import` recreates it at its new address with
//! `alsoKnownAs` = [its old id] and keeps its old keys, `move_actor` records `movedTo` on
//! the old actor and sends `Move` to everyone it dealt with, and `receive_move` is the
//! answer of an instance where someone follows a moved actor.
//!
//! Staff accounts never leave the instance: an archive holds no staff, no emails, no
//! sessions or tokens; the new instance's operator grants roles again.

use crate::{App, Caller, Permission, actors::LocalActor, media};
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use chrono::{DateTime, Utc};
use puentes_core::{
    ActorKind, EndorsementStatus, Error, ErrorKind, FollowState, MemberRole, MembershipStatus,
    Result, Visibility,
    content::{Attachment, Tag},
    handle::validate_username,
};
use puentes_db::{
    OutboxEvent, actor,
    query::{self, moves::RetiredKey, post::PostData},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use url::Url;

/// What the archive says it is; anything else is refused.
pub const ARCHIVE_FORMAT: &str = "puentes-actor-archive";
/// The archive version this build writes and reads. Import refuses any other.
pub const ARCHIVE_VERSION: u32 = 1;

/// One organization or alliance, as it leaves its instance: a versioned JSON document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActorArchive {
    pub format: String,
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    /// The instance it was exported from.
    pub instance: String,
    pub actor: ArchivedActor,
    pub keys: ArchivedKeys,
    /// Keys it had at even earlier addresses (it moved before).
    #[serde(default)]
    pub retired_keys: Vec<ArchivedKeys>,
    pub posts: Vec<ArchivedPost>,
    /// Statements it owns, each version with its signed document and the endorsements
    /// it received, verbatim.
    pub statements: Vec<ArchivedStatement>,
    /// Endorsements it made (its own signed `Endorse`, and `Undo` when withdrawn).
    pub endorsements: Vec<ArchivedEndorsement>,
    pub calls: Vec<ArchivedCall>,
    pub memberships: Vec<ArchivedMembership>,
    /// Actor ids of its accepted followers.
    pub followers: Vec<String>,
    /// Actor ids it follows (accepted or waiting).
    pub following: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedActor {
    pub id: String,
    pub username: String,
    /// `organization` or `alliance`.
    pub kind: ActorKind,
    pub display_name: Option<String>,
    /// HTML (sanitized again on import).
    pub summary: Option<String>,
    pub manually_approves_followers: bool,
    pub also_known_as: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub avatar: Option<ArchivedImage>,
    pub header: Option<ArchivedImage>,
}

/// An image: its URL as served, and its bytes (base64) when it was stored here.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedImage {
    pub url: String,
    pub alt: Option<String>,
    pub base64: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedKeys {
    /// The actor id the keys belong to.
    pub actor_id: String,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    /// Multibase (FEP-521a).
    pub ed25519_public: Option<String>,
    pub ed25519_private: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedPost {
    pub id: String,
    pub kind: String,
    pub content: String,
    pub content_map: Option<BTreeMap<String, String>>,
    pub summary: Option<String>,
    pub name: Option<String>,
    pub language: Option<String>,
    pub sensitive: bool,
    pub in_reply_to: Option<String>,
    pub visibility: Visibility,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub audience: Option<String>,
    pub published: DateTime<Utc>,
    pub updated: Option<DateTime<Utc>>,
    pub tags: Vec<Tag>,
    pub attachments: Vec<Attachment>,
    /// The images of `attachments`, in order, when stored on the old instance.
    pub images: Vec<Option<ArchivedImage>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedStatement {
    pub id: String,
    pub status: String,
    pub policy: String,
    pub ask: Option<String>,
    pub deadline: Option<DateTime<Utc>>,
    pub versions: Vec<ArchivedVersion>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedVersion {
    pub id: String,
    pub number: i32,
    pub name: String,
    pub content: String,
    pub digest: String,
    /// The signed document, verbatim (its proof is by the old key).
    pub document: Option<serde_json::Value>,
    pub endorsements: Vec<ArchivedEndorsement>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedEndorsement {
    pub id: String,
    pub statement_version: String,
    pub endorser: String,
    pub status: String,
    pub anonymous: bool,
    /// The signed `Endorse`, verbatim.
    pub activity: serde_json::Value,
    /// The signed `Undo`, when withdrawn.
    pub revocation: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedCall {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub content: String,
    pub start_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    pub timezone: Option<String>,
    pub location_name: Option<String>,
    pub location_address: Option<String>,
    pub online_url: Option<String>,
    pub status: String,
    pub participant_count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedMembership {
    pub alliance: String,
    /// A member of this alliance (false: this alliance's member).
    pub as_member: bool,
    pub other: String,
    pub role: String,
    pub status: String,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Imported {
    pub actor: actor::Model,
    pub posts: usize,
    pub retired_keys: usize,
    /// Follows sent again.
    pub follows: usize,
    /// Actors it followed that could not be reached, with the reason.
    pub unreachable: Vec<(String, String)>,
}

fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

impl App {
    /// Refuses anything a moved actor would publish: it lives at its new address now.
    pub(crate) fn refuse_moved(actor: &actor::Model) -> Result<()> {
        match &actor.moved_to {
            Some(target) => Err(Error::conflict(format!(
                "{} has moved to {target}: it cannot publish here any more",
                actor.username
            ))),
            None => Ok(()),
        }
    }

    /// The bytes of an image stored on this instance, by its public URL.
    async fn local_image(&self, url: &str, alt: Option<String>) -> Result<ArchivedImage> {
        let prefix = format!("{}/media/", self.urls.base());
        let mut base64 = None;
        if let Some(name) = url.strip_prefix(&prefix)
            && let Some((uuid, _)) = media::parse_file_name(name)
            && let Some(row) = query::media::by_uuid(&self.db, &uuid.to_string()).await?
            && let Ok(Some(bytes)) = self.media_store().get(&media::file_name(&row)).await
        {
            base64 = Some(BASE64.encode(bytes));
        }
        Ok(ArchivedImage {
            url: url.to_string(),
            alt,
            base64,
        })
    }

    /// The archive of a local organization or alliance (the operator only: it holds the
    /// private keys).
    pub async fn export_actor(&self, caller: &Caller, name: &str) -> Result<ActorArchive> {
        if !matches!(caller, Caller::Operator) {
            return Err(Error::forbidden(
                "only the instance's operator exports an actor (the archive holds its keys)",
            ));
        }
        if let Some((_, domain)) = name.trim_start_matches('@').split_once('@')
            && domain != self.config.domain
        {
            return Err(Error::bad_request(format!(
                "{name} lives on another server: only its own instance can export it"
            )));
        }
        let name = name.trim_start_matches('@');
        let name = name.split('@').next().unwrap_or(name);
        let actor = self.acting(caller, name, Permission::Manage).await?.actor;
        let db = &self.db;

        let avatar = match &actor.icon_url {
            Some(url) => Some(self.local_image(url, None).await?),
            None => None,
        };
        let header = match &actor.header_url {
            Some(url) => Some(self.local_image(url, None).await?),
            None => None,
        };
        let mut posts = Vec::new();
        for post in query::post::all_by_author(db, actor.id, u64::MAX >> 1).await? {
            let attachments = post.attachments();
            let mut images = Vec::new();
            for a in &attachments {
                images.push(Some(self.local_image(&a.url, a.alt.clone()).await?));
            }
            let (to, cc) = post.addressees();
            posts.push(ArchivedPost {
                id: post.ap_id.clone(),
                kind: post.kind.clone(),
                content: post.content.clone(),
                content_map: post.content_map(),
                summary: post.summary.clone(),
                name: post.name.clone(),
                language: post.language.clone(),
                sensitive: post.sensitive,
                in_reply_to: post.in_reply_to.clone(),
                visibility: post.visibility(),
                to,
                cc,
                audience: post.audience.clone(),
                published: post.published,
                updated: post.updated_at,
                tags: post.tags(),
                attachments,
                images,
            });
        }
        // Oldest first, as they will be imported.
        posts.reverse();

        let mut statements = Vec::new();
        for statement in query::statement::of_owner(db, actor.id).await? {
            let mut versions = Vec::new();
            let received = query::statement::endorsements_of_statement(
                db,
                statement.id,
                EndorsementStatus::ALL,
            )
            .await?;
            for version in query::statement::versions(db, statement.id).await? {
                let mut endorsements = Vec::new();
                for (e, endorser) in received.iter().filter(|(e, _)| e.version_id == version.id) {
                    endorsements.push(ArchivedEndorsement {
                        id: e.ap_id.clone(),
                        statement_version: version.ap_id.clone(),
                        endorser: endorser.ap_id.clone(),
                        status: e.status.clone(),
                        anonymous: e.anonymous,
                        activity: json_of(&e.activity),
                        revocation: e.revocation.as_deref().map(json_of),
                    });
                }
                versions.push(ArchivedVersion {
                    id: version.ap_id.clone(),
                    number: version.number,
                    name: version.name.clone(),
                    content: version.content.clone(),
                    digest: version.digest.clone(),
                    document: version.document.as_deref().map(json_of),
                    endorsements,
                });
            }
            statements.push(ArchivedStatement {
                id: statement.ap_url.clone(),
                status: statement.status.clone(),
                policy: statement.policy.clone(),
                ask: statement.ask.clone(),
                deadline: statement.deadline,
                versions,
            });
        }

        let mut endorsements = Vec::new();
        for (e, version) in query::moves::endorsements_by(db, actor.id).await? {
            endorsements.push(ArchivedEndorsement {
                id: e.ap_id.clone(),
                statement_version: version.ap_id.clone(),
                endorser: actor.ap_id.clone(),
                status: e.status.clone(),
                anonymous: e.anonymous,
                activity: json_of(&e.activity),
                revocation: e.revocation.as_deref().map(json_of),
            });
        }

        // Every call it organized, past ones included.
        let since = DateTime::<Utc>::UNIX_EPOCH;
        let calls = query::call::by_organizers(db, &[actor.id], since, u64::MAX >> 1)
            .await?
            .into_iter()
            .map(|c| ArchivedCall {
                id: c.ap_id,
                name: c.name,
                summary: c.summary,
                content: c.content,
                start_time: c.start_time,
                end_time: c.end_time,
                timezone: c.timezone,
                location_name: c.location_name,
                location_address: c.location_address,
                online_url: c.online_url,
                status: c.status,
                participant_count: c.participant_count,
            })
            .collect();

        let mut memberships = Vec::new();
        for (m, alliance) in query::membership::alliances_of(db, actor.id).await? {
            memberships.push(ArchivedMembership {
                alliance: alliance.ap_id.clone(),
                as_member: true,
                other: alliance.ap_id,
                role: m.role,
                status: m.status,
            });
        }
        if actor.is_alliance() {
            for status in [MembershipStatus::Active, MembershipStatus::Pending] {
                for (m, member) in query::membership::members(db, actor.id, status).await? {
                    memberships.push(ArchivedMembership {
                        alliance: actor.ap_id.clone(),
                        as_member: false,
                        other: member.ap_id,
                        role: m.role,
                        status: m.status,
                    });
                }
            }
        }

        let followers = query::follow::followers(db, actor.id, FollowState::Accepted)
            .await?
            .into_iter()
            .map(|a| a.ap_id)
            .collect();
        let mut following: Vec<String> = Vec::new();
        for state in [FollowState::Accepted, FollowState::Pending] {
            following.extend(
                query::follow::following(db, actor.id, state)
                    .await?
                    .into_iter()
                    .map(|a| a.ap_id),
            );
        }
        let retired_keys = query::moves::retired_keys_held_by(db, actor.id)
            .await?
            .into_iter()
            .map(|k| ArchivedKeys {
                actor_id: k.ap_id,
                public_key_id: k.public_key_id,
                public_key_pem: k.public_key_pem,
                private_key_pem: k.private_key_pem,
                ed25519_public: k.ed25519_public,
                ed25519_private: k.ed25519_private,
            })
            .collect();

        Ok(ActorArchive {
            format: ARCHIVE_FORMAT.into(),
            version: ARCHIVE_VERSION,
            exported_at: Utc::now(),
            instance: self.config.domain.clone(),
            keys: ArchivedKeys {
                actor_id: actor.ap_id.clone(),
                public_key_id: actor.public_key_id.clone(),
                public_key_pem: actor.public_key_pem.clone(),
                private_key_pem: actor.private_key_pem.clone(),
                ed25519_public: actor.ed25519_public.clone(),
                ed25519_private: actor.ed25519_private.clone(),
            },
            actor: ArchivedActor {
                id: actor.ap_id.clone(),
                username: actor.username.clone(),
                kind: actor.kind(),
                display_name: actor.display_name.clone(),
                summary: actor.summary.clone(),
                manually_approves_followers: actor.manually_approves_followers,
                also_known_as: actor.also_known_as(),
                created_at: actor.created_at,
                avatar,
                header,
            },
            retired_keys,
            posts,
            statements,
            endorsements,
            calls,
            memberships,
            followers,
            following,
        })
    }

    /// Reads an archive's bytes: the format and version are checked before anything else.
    pub fn read_archive(bytes: &[u8]) -> Result<ActorArchive> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| Error::bad_request(format!("the file is not an actor archive: {e}")))?;
        if value.get("format").and_then(serde_json::Value::as_str) != Some(ARCHIVE_FORMAT) {
            return Err(Error::bad_request(format!(
                "the file is not an actor archive (no \"format\": \"{ARCHIVE_FORMAT}\")"
            )));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(ARCHIVE_VERSION) => {}
            Some(v) => {
                return Err(Error::bad_request(format!(
                    "actor archive version {v} is not supported: this Puentes reads version \
                     {ARCHIVE_VERSION}"
                )));
            }
            None => return Err(Error::bad_request("the actor archive has no version")),
        }
        serde_json::from_value(value)
            .map_err(|e| Error::bad_request(format!("the actor archive is damaged: {e}")))
    }

    /// Recreates an archived organization or alliance here, under `name` (default: its old
    /// name), with `alsoKnownAs` = [its old id]. Its old keys are kept as retired keys; its
    /// posts become its own history here (new ids, original dates, not sent again); it
    /// follows again whom it followed. Never overwrites an actor.
    pub async fn import_actor(
        &self,
        caller: &Caller,
        archive: ActorArchive,
        name: Option<&str>,
    ) -> Result<Imported> {
        self.require_admin(caller).await?;
        let name = name.unwrap_or(&archive.actor.username).to_string();
        validate_username(&name)?;
        if !matches!(
            archive.actor.kind,
            ActorKind::Organization | ActorKind::Alliance
        ) {
            return Err(Error::bad_request(
                "the archive holds neither an organization nor an alliance",
            ));
        }
        let old_id = Url::parse(&archive.actor.id)
            .map_err(|_| Error::bad_request("the archive's actor id is not a URL"))?;
        if self.urls.is_local(&old_id) {
            return Err(Error::bad_request(format!(
                "{old_id} is an actor of this instance: import the archive on the new one"
            )));
        }
        self.refuse_taken_name(&name).await.map_err(|_| {
            Error::conflict(format!(
                "an actor named {name:?} already exists here: nothing was changed; choose \
                 another name with --name"
            ))
        })?;
        let mut also_known_as = vec![archive.actor.id.clone()];
        for alias in &archive.actor.also_known_as {
            if !also_known_as.contains(alias) && !self.urls.is_local(&Url::parse(alias)?) {
                also_known_as.push(alias.clone());
            }
        }
        let display_name = match &archive.actor.display_name {
            Some(n) => crate::actors::display_name(n)?,
            None => None,
        };
        // One unit: the actor, its keys, images and posts are written in one transaction,
        // and the image files stored on the way are deleted if any part fails, so a refused
        // archive leaves nothing behind and the name stays free.
        let mut stored: Vec<String> = Vec::new();
        let written = async {
            let txn = self.write().await?;
            let actor = self
                .insert_local_actor(
                    &txn,
                    LocalActor {
                        name: &name,
                        kind: archive.actor.kind,
                        display_name,
                        summary: archive
                            .actor
                            .summary
                            .as_deref()
                            .map(puentes_core::sanitize::clean_html),
                        manually_approves_followers: archive.actor.manually_approves_followers,
                        also_known_as,
                    },
                )
                .await?;
            let mut retired = 0;
            for keys in std::iter::once(&archive.keys).chain(&archive.retired_keys) {
                query::moves::retire_key(
                    &txn,
                    actor.id,
                    RetiredKey {
                        ap_id: keys.actor_id.clone(),
                        public_key_id: keys.public_key_id.clone(),
                        public_key_pem: keys.public_key_pem.clone(),
                        private_key_pem: keys.private_key_pem.clone(),
                        ed25519_public: keys.ed25519_public.clone(),
                        ed25519_private: keys.ed25519_private.clone(),
                    },
                )
                .await?;
                retired += 1;
            }
            let who = actor.display().to_string();
            let mut change = query::actor::ProfileChange::default();
            for (image, alt, slot) in [
                (&archive.actor.avatar, "Avatar", &mut change.icon_url),
                (
                    &archive.actor.header,
                    "Header image",
                    &mut change.header_url,
                ),
            ] {
                if let Some(bytes) = image.as_ref().and_then(decode_image) {
                    let row = media::store_upload(
                        &txn,
                        self.media_store(),
                        actor.id,
                        bytes,
                        &format!("{alt} of {who}"),
                    )
                    .await?;
                    stored.push(media::file_name(&row));
                    *slot = Some(Some(media::media_url(&self.urls, &row)));
                }
            }
            let actor = query::actor::set_profile(&txn, actor, change).await?;

            // Addresses of the old actor become the new actor's.
            let old_followers = format!("{}/followers", archive.actor.id);
            let new_followers = actor.followers_url.clone().unwrap_or_default();
            let readdress = |list: &[String]| -> Vec<String> {
                list.iter()
                    .map(|a| {
                        if *a == old_followers {
                            new_followers.clone()
                        } else if *a == archive.actor.id {
                            actor.ap_id.clone()
                        } else {
                            a.clone()
                        }
                    })
                    .collect()
            };
            let mut posts = 0;
            for post in &archive.posts {
                let uuid = uuid::Uuid::new_v4();
                let mut attachments = Vec::new();
                let mut media_ids = Vec::new();
                for (i, attachment) in post.attachments.iter().enumerate() {
                    let stored_row = match post.images.get(i).and_then(Option::as_ref) {
                        Some(image) => match decode_image(image) {
                            Some(bytes) => Some(
                                media::store_upload(
                                    &txn,
                                    self.media_store(),
                                    actor.id,
                                    bytes,
                                    attachment.alt.as_deref().unwrap_or("Image"),
                                )
                                .await
                                .map_err(|e| match e.kind() {
                                    // Say which post: the archive is refused as a whole.
                                    ErrorKind::BadRequest => Error::bad_request(format!(
                                        "image {} of the archived post {}: {}",
                                        i + 1,
                                        post.id,
                                        e.message()
                                    )),
                                    _ => e,
                                })?,
                            ),
                            None => None,
                        },
                        None => None,
                    };
                    match stored_row {
                        Some(row) => {
                            stored.push(media::file_name(&row));
                            attachments.push(media::attachment_of(&self.urls, &row));
                            media_ids.push(row.id);
                        }
                        None => attachments.push(attachment.clone()),
                    }
                }
                let row = query::post::insert(
                    &txn,
                    PostData {
                        ap_id: self.urls.post(uuid).to_string(),
                        author_id: actor.id,
                        kind: post.kind.clone(),
                        content: puentes_core::sanitize::clean_html(&post.content),
                        summary: post.summary.clone(),
                        name: post.name.clone(),
                        language: post.language.clone(),
                        sensitive: post.sensitive,
                        in_reply_to: post.in_reply_to.clone(),
                        url: Some(self.urls.post_page(&actor.username, uuid).to_string()),
                        visibility: post.visibility,
                        to: readdress(&post.to),
                        cc: readdress(&post.cc),
                        local: true,
                        published: post.published,
                        updated_at: post.updated,
                        content_map: post.content_map.as_ref().map(|m| {
                            m.iter()
                                .map(|(k, v)| (k.clone(), puentes_core::sanitize::clean_html(v)))
                                .collect()
                        }),
                        tags: post.tags.clone(),
                        audience: post.audience.clone(),
                        attachments,
                    },
                )
                .await?;
                query::media::attach_to_post(&txn, &media_ids, row.id).await?;
                posts += 1;
            }
            self.commit(txn).await?;
            Ok::<_, Error>((actor, retired, posts))
        }
        .await;
        let (actor, retired, posts) = match written {
            Ok(written) => written,
            Err(e) => {
                for name in &stored {
                    let _ = self.media_store().delete(name).await;
                }
                return Err(if e.kind() == ErrorKind::BadRequest {
                    Error::bad_request(format!("{}: nothing was imported", e.message()))
                } else {
                    e
                });
            }
        };
        let mut unreachable = Vec::new();

        // An alliance keeps its members (each was admitted; the Move tells them).
        if actor.is_alliance() {
            for m in archive.memberships.iter().filter(|m| !m.as_member) {
                let Ok(status) = MembershipStatus::parse(&m.status) else {
                    continue;
                };
                let member = match Url::parse(&m.other) {
                    Ok(url) => self.network().actor_by_id(&url).await,
                    Err(_) => Err(Error::bad_request("not a URL")),
                };
                match member {
                    Ok(member) => {
                        let role = MemberRole::parse(&m.role).unwrap_or(MemberRole::Member);
                        query::membership::upsert(
                            &self.db, actor.id, member.id, role, status, None,
                        )
                        .await?;
                    }
                    Err(e) => unreachable.push((m.other.clone(), e.message().to_string())),
                }
            }
        }
        // Follow again whom it followed (each is asked anew, and may refuse).
        let mut follows = 0;
        for id in &archive.following {
            let result = match Url::parse(id) {
                Ok(url) => match self.network().actor_by_id(&url).await {
                    Ok(target) => self.follow_actor(&actor, &target).await.map(|_| ()),
                    Err(e) => Err(e),
                },
                Err(_) => Err(Error::bad_request("not a URL")),
            };
            match result {
                Ok(()) => follows += 1,
                Err(e) => unreachable.push((id.clone(), e.message().to_string())),
            }
        }
        Ok(Imported {
            actor,
            posts,
            retired_keys: retired,
            follows,
            unreachable,
        })
    }

    /// Moves a local actor to `handle`, where its archive was imported: the target must
    /// list this actor in `alsoKnownAs` (Mastodon refuses otherwise too). Records `movedTo`
    /// and sends `Move` to its followers and alliances; from then on it cannot publish.
    pub async fn move_actor(
        &self,
        caller: &Caller,
        name: &str,
        handle: &str,
    ) -> Result<actor::Model> {
        let acting = self.acting(caller, name, Permission::Manage).await?;
        let actor = acting.actor;
        if let Some(target) = &actor.moved_to {
            return Err(Error::conflict(format!(
                "{name} has already moved to {target}"
            )));
        }
        let found = self.resolve(handle).await?;
        // Read fresh: the alias was added moments ago.
        let target = self
            .network()
            .refresh_actor(&Url::parse(&found.ap_id)?)
            .await?;
        if target.id == actor.id {
            return Err(Error::bad_request("an actor cannot move to itself"));
        }
        if !target.also_known_as().contains(&actor.ap_id) {
            return Err(Error::bad_request(format!(
                "{handle} does not list {} in alsoKnownAs: import this actor's archive there \
                 first (puentes actor import), then move",
                actor.ap_id
            )));
        }
        let txn = self.write().await?;
        let moved = query::moves::set_moved_to(&txn, actor, &target.ap_id).await?;
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::ActorMoved {
                actor_id: moved.id,
                target_id: target.id,
            },
        )
        .await?;
        // Followers and alliances on this instance get no delivery: they move at once.
        query::moves::hand_over_memberships(&txn, moved.id, target.id, true).await?;
        self.commit(txn).await?;
        self.hand_over_followers(&moved, &target).await?;
        Ok(target)
    }

    /// A remote actor we know moved to `target`, which was read fresh from its origin and
    /// lists the mover in `alsoKnownAs` (the federation side checks both). Our followers of
    /// the mover follow the target instead; our alliances hand its memberships over.
    pub async fn receive_move(&self, caller: &Caller, target: &actor::Model) -> Result<usize> {
        let origin = caller.remote()?;
        if !target.also_known_as().contains(&origin.ap_id) {
            return Err(Error::forbidden(
                "the target of the Move does not list its origin in alsoKnownAs",
            ));
        }
        let origin = query::actor::get(&self.db, origin.id).await?;
        let moved = self.hand_over_followers(&origin, target).await?;
        let txn = self.write().await?;
        query::moves::hand_over_memberships(&txn, origin.id, target.id, false).await?;
        query::moves::hand_over_alliance(&txn, origin.id, target.id).await?;
        query::moves::set_moved_to(&txn, origin, &target.ap_id).await?;
        self.commit(txn).await?;
        Ok(moved)
    }

    /// Our local followers of `origin` follow `target` instead (as Mastodon's followers
    /// do on a Move); returns how many.
    async fn hand_over_followers(
        &self,
        origin: &actor::Model,
        target: &actor::Model,
    ) -> Result<usize> {
        let mut followers = query::follow::followers(&self.db, origin.id, FollowState::Accepted)
            .await?
            .into_iter()
            .chain(query::follow::followers(&self.db, origin.id, FollowState::Pending).await?)
            .filter(|f| f.local && f.deleted_at.is_none() && f.id != target.id)
            .collect::<Vec<_>>();
        followers.dedup_by_key(|f| f.id);
        let mut moved = 0;
        for follower in &followers {
            if query::block::exists(&self.db, follower.id, target.id).await? {
                continue;
            }
            self.follow_actor(follower, target).await?;
            if let Some(row) = query::follow::between(&self.db, follower.id, origin.id).await? {
                let txn = self.write().await?;
                query::follow::delete(&txn, row.id).await?;
                if !origin.local {
                    query::outbox::enqueue(
                        &txn,
                        &OutboxEvent::FollowUndone {
                            follower_id: follower.id,
                            followed_id: origin.id,
                            follow_ap_id: row.ap_id,
                        },
                    )
                    .await?;
                }
                self.commit(txn).await?;
            }
            moved += 1;
        }
        Ok(moved)
    }
}

fn decode_image(image: &ArchivedImage) -> Option<Vec<u8>> {
    image.base64.as_deref().and_then(|b| BASE64.decode(b).ok())
}
