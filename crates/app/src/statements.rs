//! Joint statements: drafting with co-initiators, opening, revising into new versions,
//! translating, closing; endorsing and withdrawing (here or on any instance); the owner's
//! admission of endorsements by its policy; and the copies kept of statements owned
//! elsewhere. Signed documents are made and checked by the federation side; the rules live
//! here, once.

use crate::{App, Caller, Permission, caller::endorsing_needs, posts::object_id};
use chrono::{DateTime, Utc};
use puentes_core::{
    EndorsementPolicy, EndorsementStatus, Error, InvitationRole, InvitationStatus, Result,
    StatementStatus, sanitize, text,
};
use puentes_db::{
    ConnectionTrait, OutboxEvent, actor, endorsement,
    query::{
        self,
        statement::{self as s, NewEndorsement, NewStatement, NewVersion},
    },
    statement, statement_invitation, statement_version,
};
use std::collections::BTreeMap;
use url::Url;

/// What `statement create` needs.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub title: String,
    /// Markdown.
    pub text: String,
    /// The ask in one sentence, shown first to Mastodon readers.
    pub ask: Option<String>,
    pub language: Option<String>,
    pub translations: Vec<(String, String)>,
    /// Default: members for an alliance, anyone for an organization.
    pub policy: Option<EndorsementPolicy>,
    /// RFC 3339.
    pub deadline: Option<String>,
}

/// What the federation side needs to make a local endorser's signed `Endorse`.
#[derive(Debug, Clone)]
pub struct EndorseRequest<'a> {
    pub id: &'a str,
    pub endorser: &'a actor::Model,
    pub owner: &'a actor::Model,
    pub statement: &'a statement::Model,
    pub version: &'a statement_version::Model,
    pub anonymous: bool,
    /// Plain text.
    pub note: Option<&'a str>,
}

/// What the federation side needs to make a local endorser's signed withdrawal (`Undo`).
#[derive(Debug, Clone)]
pub struct WithdrawRequest<'a> {
    pub id: &'a str,
    pub endorser: &'a actor::Model,
    pub owner: &'a actor::Model,
    pub endorsement: &'a endorsement::Model,
}

/// The status a statement's owner announces, on a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnouncedStatus {
    Current(StatementStatus),
    /// An earlier version, replaced by a newer one: says nothing of the statement's state.
    Superseded,
}

/// A statement version read from its owner (or a copy of it), whose proof the federation
/// side verified.
#[derive(Debug, Clone)]
pub struct RemoteStatement {
    pub owner: actor::Model,
    /// The version's id.
    pub id: String,
    /// The statement's stable address.
    pub url: String,
    pub number: i32,
    pub name: String,
    pub content: String,
    pub content_map: Option<String>,
    pub published: String,
    pub status: AnnouncedStatus,
    pub policy: EndorsementPolicy,
    pub deadline: Option<DateTime<Utc>>,
    /// Digest of the frozen text, computed by the federation side.
    pub digest: String,
    /// The document as received, kept verbatim (with its proof).
    pub document: String,
}

/// An `Endorse` whose endorser's proof the federation side verified.
#[derive(Debug, Clone)]
pub struct ReceivedEndorsement {
    pub id: String,
    /// The endorsed version's id.
    pub version: String,
    pub digest: String,
    pub anonymous: bool,
    /// HTML, sanitized.
    pub note: Option<String>,
    /// The signed document, kept verbatim.
    pub document: String,
}

/// What the owner decided about an endorsement on receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Accepted,
    Held,
    Rejected,
}

/// How an endorsement ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endorsed {
    /// Sent to the owner's instance, which will answer.
    Sent(endorsement::Model),
    /// Decided here, where the statement lives.
    Decided(Admission, endorsement::Model),
}

/// One signatory of an export.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signatory {
    pub version: i32,
    pub name: String,
    pub handle: String,
    pub actor: String,
    pub kind: String,
    pub endorsed_at: String,
    pub note: String,
    pub endorsement: String,
}

fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn parse_deadline(deadline: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    let Some(deadline) = deadline else {
        return Ok(None);
    };
    let parsed = DateTime::parse_from_rfc3339(deadline.trim())
        .map_err(|_| {
            Error::bad_request(format!(
                "the deadline {deadline:?} is not a date and time like 2027-03-01T18:00:00Z"
            ))
        })?
        .with_timezone(&Utc);
    if parsed <= Utc::now() {
        return Err(Error::bad_request("the deadline is already past"));
    }
    Ok(Some(parsed))
}

/// The owner and the co-initiators who confirmed, in that order.
pub async fn initiators(
    db: &impl ConnectionTrait,
    row: &statement::Model,
) -> Result<Vec<actor::Model>> {
    let mut out = vec![query::actor::get(db, row.owner_id).await?];
    for (invitation, actor) in s::invitations(db, row.id).await? {
        if invitation.is_confirmed_initiator() {
            out.push(actor);
        }
    }
    Ok(out)
}

impl App {
    /// Markdown text in one or more languages: the HTML content, the `contentMap` and the
    /// main language.
    fn render_statement(
        &self,
        text_md: &str,
        language: Option<&str>,
        translations: &[(String, String)],
    ) -> Result<(String, Option<String>, Option<String>)> {
        if text_md.trim().is_empty() {
            return Err(Error::bad_request("the statement text is empty"));
        }
        let tag_base = self.tag_base();
        let content = text::render(text_md, &tag_base, &[]);
        let language = language.map(text::language).transpose()?;
        if !translations.is_empty() && language.is_none() {
            return Err(Error::bad_request(
                "give the language of the main text to add translations",
            ));
        }
        let content_map = match &language {
            Some(lang) => {
                let mut map = BTreeMap::new();
                map.insert(lang.clone(), content.clone());
                for (tag, translated) in translations {
                    map.insert(
                        text::language(tag)?,
                        text::render(translated, &tag_base, &[]),
                    );
                }
                Some(serde_json::to_string(&map)?)
            }
            None => None,
        };
        Ok((content, content_map, language))
    }

    /// A statement we own or keep a copy of, by its uuid, its address, its page or the id
    /// of any of its versions.
    pub async fn find_statement(&self, id: &str) -> Result<statement::Model> {
        let id = object_id(id);
        if let Some(row) = s::by_uuid(&self.db, &id).await? {
            return Ok(row);
        }
        if let Some(row) = s::by_url(&self.db, &id).await? {
            return Ok(row);
        }
        match s::version_by_ap_id(&self.db, &id).await? {
            Some(version) => s::get(&self.db, version.statement_id).await,
            None => Err(Error::not_found(format!("statement {id:?}"))),
        }
    }

    /// One of our statements, with its owner, if the caller may act for the owner.
    async fn own_statement(
        &self,
        caller: &Caller,
        id: &str,
        need: Permission,
    ) -> Result<(statement::Model, actor::Model)> {
        let row = self
            .find_statement(id)
            .await
            .ok()
            .filter(|row| row.local)
            .ok_or_else(|| Error::not_found(format!("statement {id:?} of this instance")))?;
        let owner = query::actor::get(&self.db, row.owner_id).await?;
        let acting = self.acting_for(caller, owner, need).await?;
        Ok((row, acting.actor))
    }

    /// Drafts a statement owned by `as_name`.
    pub async fn create_statement(
        &self,
        caller: &Caller,
        as_name: &str,
        draft: Draft,
    ) -> Result<statement::Model> {
        let owner = self
            .acting(caller, as_name, Permission::Publish)
            .await?
            .actor;
        if draft.title.trim().is_empty() {
            return Err(Error::bad_request("the statement needs a title"));
        }
        let policy = draft.policy.unwrap_or(if owner.is_alliance() {
            EndorsementPolicy::Members
        } else {
            EndorsementPolicy::Anyone
        });
        if policy == EndorsementPolicy::Members && !owner.is_alliance() {
            return Err(Error::bad_request(
                "only an alliance has members: the endorsement policy is anyone or invited",
            ));
        }
        let deadline = parse_deadline(draft.deadline.as_deref())?;
        let (content, content_map, language) =
            self.render_statement(&draft.text, draft.language.as_deref(), &draft.translations)?;
        let uuid = uuid::Uuid::now_v7().to_string();
        let txn = self.write().await?;
        let row = s::insert(
            &txn,
            NewStatement {
                uuid: &uuid,
                ap_url: self.urls.statement(&uuid).as_str(),
                owner_id: owner.id,
                local: true,
                status: StatementStatus::Draft,
                policy,
                ask: draft
                    .ask
                    .map(|a| sanitize::strip_html(a.trim()))
                    .filter(|a| !a.is_empty()),
                deadline,
            },
        )
        .await?;
        let ap_id = self.urls.statement_version(&uuid, 1);
        // Provisional digest: it is computed again when the statement opens.
        s::insert_version(
            &txn,
            NewVersion {
                statement_id: row.id,
                number: 1,
                ap_id: ap_id.as_str(),
                name: &sanitize::strip_html(draft.title.trim()),
                content: &content,
                content_map,
                language,
                published: &now_rfc3339(),
                digest: "",
                document: None,
            },
        )
        .await?;
        self.commit(txn).await?;
        Ok(row)
    }

    /// Invites `handle` to co-initiate (before opening) or to endorse.
    pub async fn invite_to_statement(
        &self,
        caller: &Caller,
        id: &str,
        handle: &str,
        role: InvitationRole,
    ) -> Result<()> {
        let (row, _) = self.own_statement(caller, id, Permission::Publish).await?;
        if role == InvitationRole::Initiator && row.status() != StatementStatus::Draft {
            return Err(Error::conflict(
                "co-initiators are invited while the statement is a draft; it is already open",
            ));
        }
        if row.status() == StatementStatus::Closed {
            return Err(Error::conflict("the statement is closed"));
        }
        let invitee = self.resolve(handle).await?;
        if invitee.id == row.owner_id {
            return Err(Error::bad_request("the owner is already an initiator"));
        }
        let txn = self.write().await?;
        let invitation = s::invite(
            &txn,
            row.id,
            invitee.id,
            role,
            self.urls.new_activity().as_str(),
        )
        .await?;
        if !invitee.local {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::StatementInvited {
                    invitation_id: invitation.id,
                },
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(())
    }

    /// The invited actor's answer: confirm or decline.
    pub async fn answer_statement_invitation(
        &self,
        caller: &Caller,
        as_name: &str,
        id: &str,
        confirm: bool,
    ) -> Result<()> {
        let actor = self
            .acting(caller, as_name, Permission::Publish)
            .await?
            .actor;
        let row = self.find_statement(id).await?;
        let invitation = s::invitation_for(&self.db, row.id, actor.id)
            .await?
            .ok_or_else(|| {
                Error::not_found(format!("an invitation of {as_name} to that statement"))
            })?;
        if invitation.status() != InvitationStatus::Invited {
            return Err(Error::conflict(format!(
                "the invitation was already {}",
                invitation.status
            )));
        }
        let status = if confirm {
            InvitationStatus::Confirmed
        } else {
            InvitationStatus::Declined
        };
        let txn = self.write().await?;
        let invitation = s::answer_invitation(&txn, invitation, status).await?;
        if !row.local {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::StatementInvitationAnswered {
                    invitation_id: invitation.id,
                    accepted: confirm,
                },
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(())
    }

    /// Opens a draft once every co-initiator has answered; the text is frozen from here on.
    pub async fn open_statement(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<statement_version::Model> {
        let (row, _) = self.own_statement(caller, id, Permission::Publish).await?;
        if row.status() != StatementStatus::Draft {
            return Err(Error::conflict(format!(
                "the statement is already {}",
                row.status
            )));
        }
        let waiting: Vec<String> = s::invitations(&self.db, row.id)
            .await?
            .into_iter()
            .filter(|(i, _)| {
                i.role() == InvitationRole::Initiator && i.status() == InvitationStatus::Invited
            })
            .map(|(_, a)| a.handle().acct())
            .collect();
        if !waiting.is_empty() {
            return Err(Error::conflict(format!(
                "waiting for co-initiators to confirm: {}",
                waiting.join(", ")
            )));
        }
        let version = s::current_version(&self.db, row.id).await?;
        let txn = self.write().await?;
        let version = self.freeze(&txn, &row, version, None).await?;
        s::set_status(&txn, row, StatementStatus::Open).await?;
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::StatementPublished {
                version_id: version.id,
            },
        )
        .await?;
        self.commit(txn).await?;
        Ok(version)
    }

    /// Stamps a version's publication time and computes its digest over the frozen core.
    async fn freeze(
        &self,
        txn: &impl ConnectionTrait,
        row: &statement::Model,
        version: statement_version::Model,
        replacement: Option<(&str, &str, Option<String>)>,
    ) -> Result<statement_version::Model> {
        let mut candidate = version.clone();
        candidate.published = now_rfc3339();
        if let Some((name, content, content_map)) = replacement {
            candidate.name = name.to_string();
            candidate.content = content.to_string();
            candidate.content_map = content_map;
        }
        let initiators = initiators(txn, row).await?;
        let digest = self
            .network()
            .version_digest(row, &candidate, &initiators)?;
        s::replace_draft_text(
            txn,
            version,
            NewVersion {
                statement_id: row.id,
                number: candidate.number,
                ap_id: &candidate.ap_id,
                name: &candidate.name,
                content: &candidate.content,
                content_map: candidate.content_map.clone(),
                language: candidate.language.clone(),
                published: &candidate.published,
                digest: &digest,
                document: None,
            },
        )
        .await
    }

    pub async fn close_statement(&self, caller: &Caller, id: &str) -> Result<()> {
        let (row, _) = self.own_statement(caller, id, Permission::Publish).await?;
        if row.status() != StatementStatus::Open {
            return Err(Error::conflict(format!(
                "the statement is {}, not open",
                row.status
            )));
        }
        let version = s::current_version(&self.db, row.id).await?;
        let txn = self.write().await?;
        s::set_status(&txn, row, StatementStatus::Closed).await?;
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::StatementUpdated {
                version_id: version.id,
            },
        )
        .await?;
        self.commit(txn).await?;
        Ok(())
    }

    /// A new text. A draft changes in place; an open statement gets a new version with its
    /// own id, and endorsements of earlier versions stay with them.
    pub async fn revise_statement(
        &self,
        caller: &Caller,
        id: &str,
        text_md: &str,
        title: Option<&str>,
    ) -> Result<statement_version::Model> {
        let (row, _) = self.own_statement(caller, id, Permission::Publish).await?;
        let current = s::current_version(&self.db, row.id).await?;
        let name = match title.map(str::trim) {
            Some("") => return Err(Error::bad_request("the title is empty")),
            Some(title) => sanitize::strip_html(title),
            None => current.name.clone(),
        };
        let (content, content_map, language) =
            self.render_statement(text_md, current.language.as_deref(), &[])?;
        // Other languages of the old text no longer match it: they are dropped.
        let content_map = content_map.filter(|_| language.is_some());
        let txn = self.write().await?;
        let version = match row.status() {
            StatementStatus::Draft => {
                let mut draft = current.clone();
                draft.language = language;
                self.freeze(&txn, &row, draft, Some((&name, &content, content_map)))
                    .await?
            }
            StatementStatus::Open => {
                let number = current.number + 1;
                let fresh = s::insert_version(
                    &txn,
                    NewVersion {
                        statement_id: row.id,
                        number,
                        ap_id: self.urls.statement_version(&row.uuid, number).as_str(),
                        name: &name,
                        content: &content,
                        content_map: content_map.clone(),
                        language,
                        published: "",
                        digest: "",
                        document: None,
                    },
                )
                .await?;
                let fresh = self.freeze(&txn, &row, fresh, None).await?;
                query::outbox::enqueue_all(
                    &txn,
                    &[
                        OutboxEvent::StatementPublished {
                            version_id: fresh.id,
                        },
                        OutboxEvent::StatementUpdated {
                            version_id: current.id,
                        },
                    ],
                )
                .await?;
                fresh
            }
            StatementStatus::Closed => {
                return Err(Error::conflict("a closed statement cannot be revised"));
            }
        };
        self.commit(txn).await?;
        Ok(version)
    }

    /// Adds a translation. On our draft it joins the text; afterwards it is shown beside the
    /// text, marked as added later, and is not part of what endorsers signed. A confirmed
    /// co-initiator (`as_name`) of a statement owned elsewhere sends it to the owner.
    pub async fn translate_statement(
        &self,
        caller: &Caller,
        as_name: Option<&str>,
        id: &str,
        language: &str,
        text_md: &str,
    ) -> Result<()> {
        let language = text::language(language)?;
        if text_md.trim().is_empty() {
            return Err(Error::bad_request("the translation is empty"));
        }
        let html = text::render(text_md, &self.tag_base(), &[]);
        let row = self.known_or_fetched(id).await?;
        let current = s::current_version(&self.db, row.id).await?;
        if !row.local {
            let name = as_name.ok_or_else(|| {
                Error::bad_request(
                    "that statement is owned elsewhere: translate as one of its co-initiators",
                )
            })?;
            let translator = self.acting(caller, name, Permission::Publish).await?.actor;
            let confirmed = s::invitation_for(&self.db, row.id, translator.id)
                .await?
                .is_some_and(|i| i.is_confirmed_initiator());
            if !confirmed {
                return Err(Error::forbidden(format!(
                    "{name} is not a confirmed co-initiator of that statement"
                )));
            }
            let txn = self.write().await?;
            let version_id = current.id;
            s::add_translation(&txn, current, &language, &html).await?;
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::TranslationOffered {
                    version_id,
                    actor_id: translator.id,
                    language,
                },
            )
            .await?;
            self.commit(txn).await?;
            return Ok(());
        }
        let owner = query::actor::get(&self.db, row.owner_id).await?;
        self.acting_for(caller, owner, Permission::Publish).await?;
        if row.status() != StatementStatus::Draft {
            return self.add_translation(current, &language, &html).await;
        }
        if current.language.as_deref() == Some(language.as_str()) {
            return Err(Error::bad_request(
                "that is the language of the text itself",
            ));
        }
        let base = current.language.clone().ok_or_else(|| {
            Error::bad_request("the draft has no language; revise it with its language first")
        })?;
        let mut map: BTreeMap<String, String> = current
            .content_map
            .as_deref()
            .and_then(|m| serde_json::from_str(m).ok())
            .unwrap_or_default();
        map.entry(base).or_insert(current.content.clone());
        map.insert(language, html);
        let (name, content) = (current.name.clone(), current.content.clone());
        let txn = self.write().await?;
        let content_map = Some(serde_json::to_string(&map)?);
        self.freeze(&txn, &row, current, Some((&name, &content, content_map)))
            .await?;
        self.commit(txn).await?;
        Ok(())
    }

    /// Adds a translation after opening and re-sends the version so copies show it.
    async fn add_translation(
        &self,
        version: statement_version::Model,
        language: &str,
        html: &str,
    ) -> Result<()> {
        if version.language.as_deref() == Some(language) {
            return Err(Error::bad_request(
                "that is the language of the text itself",
            ));
        }
        let version_id = version.id;
        let txn = self.write().await?;
        s::add_translation(&txn, version, language, html).await?;
        query::outbox::enqueue(&txn, &OutboxEvent::StatementUpdated { version_id }).await?;
        self.commit(txn).await?;
        Ok(())
    }

    /// Endorsements held for the secretariat.
    pub async fn held_endorsements(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Vec<(endorsement::Model, actor::Model)>> {
        let (row, _) = self.own_statement(caller, id, Permission::Decide).await?;
        s::endorsements_of_statement(&self.db, row.id, &[EndorsementStatus::Pending]).await
    }

    /// The secretariat's decision on a held endorsement by `handle`.
    pub async fn decide_endorsement(
        &self,
        caller: &Caller,
        id: &str,
        handle: &str,
        accept: bool,
    ) -> Result<()> {
        let (row, _) = self.own_statement(caller, id, Permission::Decide).await?;
        let endorser = self.resolve(handle).await?;
        let held = s::endorsements_of_statement(&self.db, row.id, &[EndorsementStatus::Pending])
            .await?
            .into_iter()
            .find(|(_, a)| a.id == endorser.id)
            .map(|(e, _)| e)
            .ok_or_else(|| Error::not_found(format!("a held endorsement by {handle}")))?;
        let status = if accept {
            EndorsementStatus::Accepted
        } else {
            EndorsementStatus::Rejected
        };
        let txn = self.write().await?;
        let decided = s::set_endorsement_status(&txn, held, status, None).await?;
        endorsement_decided(&txn, &decided, &endorser, accept).await?;
        self.commit(txn).await?;
        Ok(())
    }

    /// A statement kept here, or else read from its URL (and kept).
    async fn known_or_fetched(&self, id: &str) -> Result<statement::Model> {
        match self.find_statement(id).await {
            Ok(row) => Ok(row),
            Err(_) => Ok(self.fetch_statement(id).await?.0),
        }
    }

    /// Reads a statement version from a URL (its origin or a copy) and keeps our copy up
    /// to date; ours are read from the database.
    pub async fn fetch_statement(
        &self,
        url: &str,
    ) -> Result<(statement::Model, statement_version::Model)> {
        let known = self.find_statement(url).await.ok();
        if let Some(row) = known.clone().filter(|row| row.local) {
            let version = match s::version_by_ap_id(&self.db, &object_id(url)).await? {
                Some(v) => v,
                None => s::current_version(&self.db, row.id).await?,
            };
            return Ok((row, version));
        }
        // A copy named by our id for it is read again from its origin's address.
        let target = match known {
            Some(copy) if Url::parse(url.trim()).is_err() => copy.ap_url,
            _ => object_id(url),
        };
        let parsed = Url::parse(&target)
            .map_err(|_| Error::bad_request(format!("{url:?} is not a statement's id or URL")))?;
        match self.network().fetch_statement(&parsed).await? {
            Some(remote) => {
                if let Some(version) = s::version_by_ap_id(&self.db, &remote.id).await?
                    && let Ok(row) = s::get(&self.db, version.statement_id).await
                    && row.local
                {
                    return Ok((row, version));
                }
                self.keep_statement_copy(remote).await
            }
            None => Err(Error::not_found(format!("statement {url}"))),
        }
    }

    /// `as_name` endorses the statement at `url` (its current version), named or
    /// counted-only (`anonymous`), with an optional note.
    pub async fn endorse(
        &self,
        caller: &Caller,
        as_name: &str,
        url: &str,
        anonymous: bool,
        note: Option<&str>,
    ) -> Result<Endorsed> {
        let endorser = query::actor::local_by_name_required(&self.db, as_name).await?;
        let endorser = self
            .acting_for(caller, endorser.clone(), endorsing_needs(&endorser))
            .await?
            .actor;
        let (row, version) = self.fetch_statement(url).await?;
        if row.status() != StatementStatus::Open {
            return Err(Error::conflict(format!(
                "the statement is {}, not open for endorsement",
                row.status
            )));
        }
        if row.deadline.is_some_and(|d| d <= Utc::now()) {
            return Err(Error::conflict("the statement's deadline has passed"));
        }
        let current = s::current_version(&self.db, row.id).await?;
        if current.id != version.id {
            return Err(Error::conflict(format!(
                "that version was revised; endorse the current one: {}",
                current.ap_id
            )));
        }
        if s::live_endorsement(&self.db, version.id, endorser.id)
            .await?
            .is_some()
        {
            return Err(Error::conflict(format!(
                "{as_name} already endorses this version"
            )));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > 2000) {
            return Err(Error::bad_request(
                "the note is longer than 2,000 characters",
            ));
        }
        let owner = query::actor::get(&self.db, row.owner_id).await?;
        let id = self.urls.new_activity();
        let document = self.network().sign_endorsement(&EndorseRequest {
            id: id.as_str(),
            endorser: &endorser,
            owner: &owner,
            statement: &row,
            version: &version,
            anonymous,
            note,
        })?;
        let note_html = note.map(sanitize::text_to_html);
        if row.local {
            let received = ReceivedEndorsement {
                id: id.to_string(),
                version: version.ap_id.clone(),
                digest: version.digest.clone(),
                anonymous,
                note: note_html,
                document,
            };
            let (admission, stored) = self.admit_endorsement(&endorser, received).await?;
            return Ok(Endorsed::Decided(
                admission,
                s::endorsement(&self.db, stored).await?,
            ));
        }
        let txn = self.write().await?;
        let stored = s::insert_endorsement(
            &txn,
            NewEndorsement {
                endorser_members: None,
                statement_id: row.id,
                version_id: version.id,
                endorser_id: endorser.id,
                ap_id: id.as_str(),
                status: EndorsementStatus::Pending,
                anonymous,
                note: note_html,
                activity: &document,
            },
        )
        .await?;
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::EndorsementSent {
                endorsement_id: stored.id,
            },
        )
        .await?;
        self.commit(txn).await?;
        Ok(Endorsed::Sent(stored))
    }

    /// `as_name` withdraws its endorsement of the statement at `url` with a signed Undo.
    pub async fn withdraw_endorsement(
        &self,
        caller: &Caller,
        as_name: &str,
        url: &str,
    ) -> Result<endorsement::Model> {
        let endorser = query::actor::local_by_name_required(&self.db, as_name).await?;
        let endorser = self
            .acting_for(caller, endorser.clone(), endorsing_needs(&endorser))
            .await?
            .actor;
        let row = self.known_or_fetched(url).await?;
        let live = s::endorsements_of_statement(
            &self.db,
            row.id,
            &[EndorsementStatus::Pending, EndorsementStatus::Accepted],
        )
        .await?
        .into_iter()
        .rev()
        .find(|(_, a)| a.id == endorser.id)
        .map(|(e, _)| e)
        .ok_or_else(|| {
            Error::not_found(format!("an endorsement of that statement by {as_name}"))
        })?;
        let owner = query::actor::get(&self.db, row.owner_id).await?;
        let undo_id = self.urls.new_activity();
        let undo = self.network().sign_withdrawal(&WithdrawRequest {
            id: undo_id.as_str(),
            endorser: &endorser,
            owner: &owner,
            endorsement: &live,
        })?;
        let id = live.id;
        let txn = self.write().await?;
        if row.local {
            withdraw(&txn, &row, live, &undo).await?;
        } else {
            s::set_endorsement_status(&txn, live, EndorsementStatus::Withdrawn, Some(&undo))
                .await?;
        }
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::EndorsementWithdrawn { endorsement_id: id },
        )
        .await?;
        self.commit(txn).await?;
        s::endorsement(&self.db, id).await
    }

    /// Named signatories of every version (anonymous endorsers are counted, never listed).
    pub async fn signatories(&self, id: &str) -> Result<(Vec<Signatory>, u64)> {
        let row = self.find_statement(id).await?;
        let mut out = Vec::new();
        let mut anonymous = 0;
        for version in s::versions(&self.db, row.id).await? {
            for (e, a) in
                s::endorsements_of_version(&self.db, version.id, &[EndorsementStatus::Accepted])
                    .await?
            {
                if e.anonymous {
                    anonymous += 1;
                    continue;
                }
                out.push(Signatory {
                    version: version.number,
                    name: a.display().to_string(),
                    handle: a.handle().acct(),
                    actor: a.ap_id.clone(),
                    kind: a.kind.clone(),
                    endorsed_at: e
                        .decided_at
                        .unwrap_or(e.created_at)
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    note: e
                        .note
                        .as_deref()
                        .map(sanitize::strip_html)
                        .unwrap_or_default(),
                    endorsement: e.ap_id.clone(),
                });
            }
        }
        Ok((out, anonymous))
    }

    /// Statements owned here and copies kept here, with their current version and owner.
    pub async fn list_statements(
        &self,
    ) -> Result<Vec<(statement::Model, statement_version::Model, actor::Model)>> {
        let mut all = s::copies(&self.db).await?;
        for owner in query::actor::list_local(&self.db).await? {
            all.extend(s::of_owner(&self.db, owner.id).await?);
        }
        let mut rows = Vec::new();
        for row in all {
            let version = s::current_version(&self.db, row.id).await?;
            let owner = query::actor::get(&self.db, row.owner_id).await?;
            rows.push((row, version, owner));
        }
        Ok(rows)
    }

    // The owner's side of endorsements, and the inbox.

    /// The owner's admission of an endorsement (from the inbox or a local endorser), whose
    /// proof was checked: the digest must match the version, then the statement's state and
    /// policy decide; the signed `Endorse` is kept verbatim.
    pub async fn admit_endorsement(
        &self,
        endorser: &actor::Model,
        endorse: ReceivedEndorsement,
    ) -> Result<(Admission, i64)> {
        let version = s::version_by_ap_id(&self.db, &endorse.version)
            .await?
            .ok_or_else(|| Error::not_found("statement version"))?;
        let row = s::get(&self.db, version.statement_id).await?;
        if !row.local {
            return Err(Error::bad_request("that statement is not owned here"));
        }
        if endorse.digest != version.digest {
            return Err(Error::bad_request(
                "digestMultibase does not match the statement version's text",
            ));
        }
        if let Some(existing) = s::endorsement_by_ap_id(&self.db, &endorse.id).await? {
            // The sender retried: answer as before.
            let admission = match existing.status() {
                EndorsementStatus::Accepted => Admission::Accepted,
                EndorsementStatus::Pending => Admission::Held,
                _ => Admission::Rejected,
            };
            return Ok((admission, existing.id));
        }
        if s::live_endorsement(&self.db, version.id, endorser.id)
            .await?
            .is_some()
        {
            return Err(Error::conflict("this actor already endorses that version"));
        }
        let current = s::current_version(&self.db, row.id).await?;
        let open = row.effective_status() == StatementStatus::Open && current.id == version.id;
        let blocked = query::block::exists(&self.db, row.owner_id, endorser.id).await?;
        let admission = if !open || blocked {
            Admission::Rejected
        } else {
            self.policy_admission(&row, endorser).await?
        };
        let status = match admission {
            Admission::Accepted => EndorsementStatus::Accepted,
            Admission::Held => EndorsementStatus::Pending,
            Admission::Rejected => EndorsementStatus::Rejected,
        };
        let endorser_members = self.alliance_size(endorser).await;
        let txn = self.write().await?;
        let stored = s::insert_endorsement(
            &txn,
            NewEndorsement {
                endorser_members,
                statement_id: row.id,
                version_id: version.id,
                endorser_id: endorser.id,
                ap_id: &endorse.id,
                status,
                anonymous: endorse.anonymous,
                note: endorse.note.as_deref().map(sanitize::clean_html),
                activity: &endorse.document,
            },
        )
        .await?;
        if admission != Admission::Held {
            endorsement_decided(&txn, &stored, endorser, admission == Admission::Accepted).await?;
        }
        if admission != Admission::Rejected {
            crate::notifications::tell_id(
                &txn,
                row.owner_id,
                puentes_core::NotificationKind::Endorsement,
                endorser,
                None,
                Some(&row.ap_url),
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok((admission, stored.id))
    }

    /// The endorsement policy: members of the owning alliance (or invited actors) at once,
    /// others held; anyone; invited only.
    async fn policy_admission(
        &self,
        row: &statement::Model,
        endorser: &actor::Model,
    ) -> Result<Admission> {
        if endorser.id == row.owner_id {
            return Ok(Admission::Accepted);
        }
        let invited = s::invitation_for(&self.db, row.id, endorser.id)
            .await?
            .is_some();
        Ok(match row.policy() {
            EndorsementPolicy::Anyone => Admission::Accepted,
            EndorsementPolicy::Invited if invited => Admission::Accepted,
            EndorsementPolicy::Invited => Admission::Rejected,
            EndorsementPolicy::Members => {
                let member =
                    query::membership::is_active_member(&self.db, row.owner_id, endorser.id)
                        .await?;
                if member || invited {
                    Admission::Accepted
                } else {
                    Admission::Held
                }
            }
        })
    }

    /// How many members an alliance endorsing as a Group has: counted here for ours, read
    /// from its public member list for others (unknown when the list is not public).
    async fn alliance_size(&self, endorser: &actor::Model) -> Option<i64> {
        if !endorser.is_alliance() {
            return None;
        }
        if endorser.local {
            return query::membership::count_members(
                &self.db,
                endorser.id,
                puentes_core::MembershipStatus::Active,
            )
            .await
            .ok()
            .map(|n| n as i64);
        }
        self.network().remote_member_count(endorser).await
    }

    /// Stores (or refreshes) our copy of a statement version its owner signed. A known
    /// version's frozen text must not change (until it opens, a draft's may).
    pub async fn keep_statement_copy(
        &self,
        remote: RemoteStatement,
    ) -> Result<(statement::Model, statement_version::Model)> {
        let owner = &remote.owner;
        let txn = self.write().await?;
        let existing = s::by_url(&txn, &remote.url).await?;
        let was_draft = existing
            .as_ref()
            .is_none_or(|r| r.status() == StatementStatus::Draft);
        let row = match existing {
            Some(row) if row.local => return Err(Error::forbidden("that statement is ours")),
            Some(row) if row.owner_id != owner.id => {
                return Err(Error::forbidden("that statement has another owner"));
            }
            Some(row) => match remote.status {
                // An earlier version says "superseded": the statement's own state comes
                // from the current version only.
                AnnouncedStatus::Superseded => row,
                AnnouncedStatus::Current(status) => {
                    s::update_copy(&txn, row, status, remote.policy, remote.deadline).await?
                }
            },
            None => {
                let status = match remote.status {
                    AnnouncedStatus::Current(status) => status,
                    AnnouncedStatus::Superseded => StatementStatus::Open,
                };
                s::insert(
                    &txn,
                    NewStatement {
                        uuid: &uuid::Uuid::now_v7().to_string(),
                        ap_url: &remote.url,
                        owner_id: owner.id,
                        local: false,
                        status,
                        policy: remote.policy,
                        ask: None,
                        deadline: remote.deadline,
                    },
                )
                .await?
            }
        };
        let new_version = |document: Option<String>| NewVersion {
            statement_id: row.id,
            number: remote.number,
            ap_id: &remote.id,
            name: &remote.name,
            content: &remote.content,
            content_map: remote.content_map.clone(),
            language: None,
            published: &remote.published,
            digest: &remote.digest,
            document,
        };
        let version = match s::version_by_ap_id(&txn, &remote.id).await? {
            Some(known) if known.digest != remote.digest && !was_draft => {
                return Err(Error::bad_request(
                    "the text of a published statement version changed without a new version id",
                ));
            }
            Some(known) => {
                let known = if known.digest != remote.digest {
                    s::replace_draft_text(&txn, known, new_version(None)).await?
                } else {
                    known
                };
                s::set_document(&txn, known, &remote.document).await?
            }
            None => s::insert_version(&txn, new_version(Some(remote.document.clone()))).await?,
        };
        self.commit(txn).await?;
        Ok((row, version))
    }

    /// The owner invites one of our actors to co-initiate or to endorse (its statement
    /// already kept as a copy).
    pub async fn receive_statement_invite(
        &self,
        from: &Caller,
        statement: &statement::Model,
        invitee: &actor::Model,
        role: InvitationRole,
        invite_id: &str,
    ) -> Result<()> {
        let owner = from.remote()?;
        if statement.owner_id != owner.id || !invitee.local {
            return Err(Error::forbidden("only a statement's owner invites to it"));
        }
        s::record_invitation(&self.db, statement.id, invitee.id, role, invite_id).await?;
        Ok(())
    }

    /// The invited actor answers one of our statement invitations.
    pub async fn receive_statement_invitation_answer(
        &self,
        from: &Caller,
        invitation: statement_invitation::Model,
        accepted: bool,
    ) -> Result<()> {
        let signer = from.remote()?;
        if invitation.actor_id != signer.id {
            return Err(Error::forbidden("only the invited actor can answer"));
        }
        let status = if accepted {
            InvitationStatus::Confirmed
        } else {
            InvitationStatus::Declined
        };
        s::answer_invitation(&self.db, invitation, status).await?;
        Ok(())
    }

    /// The statement's owner answers one of our endorsements; false when it was already
    /// answered.
    pub async fn receive_endorsement_answer(
        &self,
        from: &Caller,
        endorsement: endorsement::Model,
        accepted: bool,
    ) -> Result<bool> {
        let signer = from.remote()?;
        let row = s::get(&self.db, endorsement.statement_id).await?;
        if row.owner_id != signer.id {
            return Err(Error::forbidden(
                "only the statement's owner can answer an endorsement",
            ));
        }
        if endorsement.status() != EndorsementStatus::Pending {
            return Ok(false);
        }
        let status = if accepted {
            EndorsementStatus::Accepted
        } else {
            EndorsementStatus::Rejected
        };
        let txn = self.write().await?;
        let endorsement = s::set_endorsement_status(&txn, endorsement, status, None).await?;
        if accepted && !endorsement.anonymous {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::StatementBoosted {
                    endorsement_id: endorsement.id,
                },
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(true)
    }

    /// The endorser withdraws (its signed Undo, checked by the federation side).
    pub async fn receive_endorsement_withdrawal(
        &self,
        from: &Caller,
        endorsement: endorsement::Model,
        undo: &str,
    ) -> Result<bool> {
        let endorser = from.remote()?;
        if endorsement.endorser_id != endorser.id {
            return Err(Error::forbidden(
                "only the endorser can withdraw an endorsement",
            ));
        }
        if matches!(
            endorsement.status(),
            EndorsementStatus::Withdrawn | EndorsementStatus::Removed
        ) {
            return Ok(false);
        }
        let row = s::get(&self.db, endorsement.statement_id).await?;
        let txn = self.write().await?;
        withdraw(&txn, &row, endorsement, undo).await?;
        self.commit(txn).await?;
        Ok(true)
    }

    /// An endorsement by its id, if we know it.
    pub async fn endorsement_by_id(&self, ap_id: &str) -> Result<Option<endorsement::Model>> {
        s::endorsement_by_ap_id(&self.db, ap_id).await
    }

    /// A `Like` of one of our statements (by a version id or its address): an unverified
    /// supporter. False when it likes something else.
    pub async fn receive_statement_like(
        &self,
        from: &Caller,
        object_id: &str,
        like_id: &str,
    ) -> Result<bool> {
        let signer = from.remote()?;
        let row = match s::version_by_ap_id(&self.db, object_id).await? {
            Some(version) => Some(s::get(&self.db, version.statement_id).await?),
            None => s::by_url(&self.db, object_id).await?,
        };
        let Some(row) = row.filter(|r| r.local) else {
            return Ok(false);
        };
        if s::add_like(&self.db, row.id, &signer.ap_id, like_id).await? {
            crate::notifications::tell_id(
                &self.db,
                row.owner_id,
                puentes_core::NotificationKind::Favourite,
                signer,
                None,
                Some(&row.ap_url),
            )
            .await?;
            self.refresh_statement(row.id).await?;
        }
        Ok(true)
    }

    /// Undo of a `Like` of one of our statements; false when it undoes something else.
    pub async fn receive_statement_unlike(&self, from: &Caller, like_id: &str) -> Result<bool> {
        let signer = from.remote()?;
        match s::remove_like(&self.db, like_id, &signer.ap_id).await? {
            Some(statement_id) => {
                self.refresh_statement(statement_id).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Re-sends the current version so copies and Mastodon see the new counts.
    async fn refresh_statement(&self, statement_id: i64) -> Result<()> {
        let version = s::current_version(&self.db, statement_id).await?;
        query::outbox::enqueue(
            &self.db,
            &OutboxEvent::StatementUpdated {
                version_id: version.id,
            },
        )
        .await?;
        Ok(())
    }

    /// The owner adds an endorsement to its public list (the endorser's proof checked by
    /// the federation side): our copy keeps it.
    pub async fn receive_endorsement_added(
        &self,
        from: &Caller,
        endorser: &actor::Model,
        endorse: ReceivedEndorsement,
    ) -> Result<bool> {
        let owner = from.remote()?;
        let Some(version) = s::version_by_ap_id(&self.db, &endorse.version).await? else {
            return Ok(false);
        };
        let row = s::get(&self.db, version.statement_id).await?;
        if row.owner_id != owner.id {
            return Err(Error::forbidden(
                "only the statement's owner adds to its endorsements",
            ));
        }
        if row.local {
            return Ok(false);
        }
        if endorse.digest != version.digest {
            return Err(Error::bad_request(
                "digestMultibase does not match the statement version's text",
            ));
        }
        match s::endorsement_by_ap_id(&self.db, &endorse.id).await? {
            Some(known) if known.status() == EndorsementStatus::Accepted => return Ok(false),
            Some(known) => {
                s::set_endorsement_status(&self.db, known, EndorsementStatus::Accepted, None)
                    .await?;
            }
            None => {
                let endorser_members = self.alliance_size(endorser).await;
                s::insert_endorsement(
                    &self.db,
                    NewEndorsement {
                        endorser_members,
                        statement_id: row.id,
                        version_id: version.id,
                        endorser_id: endorser.id,
                        ap_id: &endorse.id,
                        status: EndorsementStatus::Accepted,
                        anonymous: false,
                        note: endorse.note.as_deref().map(sanitize::clean_html),
                        activity: &endorse.document,
                    },
                )
                .await?;
            }
        }
        Ok(true)
    }

    /// A confirmed co-initiator adds translations (language → HTML) of one of our
    /// versions; shown beside the text, outside what endorsers signed.
    pub async fn receive_statement_translation(
        &self,
        from: &Caller,
        version_id: &str,
        languages: Vec<(String, String)>,
    ) -> Result<bool> {
        let translator = from.remote()?;
        let Some(version) = s::version_by_ap_id(&self.db, version_id).await? else {
            return Ok(false);
        };
        let row = s::get(&self.db, version.statement_id).await?;
        let confirmed = s::invitation_for(&self.db, row.id, translator.id)
            .await?
            .is_some_and(|i| i.is_confirmed_initiator());
        if !row.local || !confirmed {
            return Err(Error::forbidden(
                "only the statement's co-initiators add translations",
            ));
        }
        if languages.is_empty() {
            return Err(Error::bad_request("the translation has no text"));
        }
        for (language, html) in languages {
            let language = text::language(&language)?;
            let current = s::version(&self.db, version.id).await?;
            self.add_translation(current, &language, &sanitize::clean_html(&html))
                .await?;
        }
        Ok(true)
    }

    /// The owner moves an endorsement of a copy we keep to its revocations, with the
    /// endorser's signed Undo when it holds (`withdrawn`), else its own Remove.
    pub async fn receive_endorsement_removed(
        &self,
        from: &Caller,
        endorsement: endorsement::Model,
        withdrawn: bool,
        revocation: &str,
    ) -> Result<()> {
        let owner = from.remote()?;
        let row = s::get(&self.db, endorsement.statement_id).await?;
        if row.owner_id != owner.id || row.local {
            return Err(Error::forbidden(
                "only the statement's owner removes its endorsements",
            ));
        }
        let status = if withdrawn {
            EndorsementStatus::Withdrawn
        } else {
            EndorsementStatus::Removed
        };
        s::set_endorsement_status(&self.db, endorsement, status, Some(revocation)).await?;
        Ok(())
    }
}

/// Events after the owner decides: the answer, and for an acceptance the public list entry,
/// the refreshed summary and the endorser's boost when the endorser is ours.
async fn endorsement_decided(
    db: &impl ConnectionTrait,
    endorsement: &endorsement::Model,
    endorser: &actor::Model,
    accepted: bool,
) -> Result<()> {
    let id = endorsement.id;
    let mut events = vec![OutboxEvent::EndorsementAnswered {
        endorsement_id: id,
        accepted,
    }];
    if accepted {
        events.push(OutboxEvent::EndorsementAdded { endorsement_id: id });
        events.push(OutboxEvent::StatementUpdated {
            version_id: endorsement.version_id,
        });
        if endorser.local && !endorsement.anonymous {
            events.push(OutboxEvent::StatementBoosted { endorsement_id: id });
        }
    }
    query::outbox::enqueue_all(db, &events).await
}

/// The owner's side of a withdrawal: the endorsement moves to the revocations, keeping the
/// endorser's signed Undo verbatim.
async fn withdraw(
    db: &impl ConnectionTrait,
    row: &statement::Model,
    endorsement: endorsement::Model,
    undo: &str,
) -> Result<()> {
    let was_public = endorsement.status() == EndorsementStatus::Accepted;
    let stored =
        s::set_endorsement_status(db, endorsement, EndorsementStatus::Withdrawn, Some(undo))
            .await?;
    if row.local && was_public {
        query::outbox::enqueue_all(
            db,
            &[
                OutboxEvent::EndorsementRevoked {
                    endorsement_id: stored.id,
                },
                OutboxEvent::StatementUpdated {
                    version_id: stored.version_id,
                },
            ],
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::testing::TestApp;
    use puentes_core::{ActorKind, ErrorKind, JoinPolicy};

    fn endorsement(id: &str, version: &statement_version::Model) -> ReceivedEndorsement {
        ReceivedEndorsement {
            id: id.into(),
            version: version.ap_id.clone(),
            digest: version.digest.clone(),
            anonymous: false,
            note: None,
            document: format!("signed Endorse {id}"),
        }
    }

    async fn opened(
        app: &TestApp,
        owner: &str,
        policy: EndorsementPolicy,
    ) -> statement_version::Model {
        let op = Caller::Operator;
        let draft = Draft {
            title: "Vías seguras".into(),
            text: "Pedimos vías seguras.".into(),
            policy: Some(policy),
            ..Draft::default()
        };
        let row = app.create_statement(&op, owner, draft).await.unwrap();
        app.open_statement(&op, &row.uuid).await.unwrap()
    }

    /// The owner's endorsement policy, for endorsements from the inbox.
    #[tokio::test]
    async fn endorsements_are_admitted_by_the_statements_policy() {
        for app in TestApp::all().await {
            let op = Caller::Operator;
            app.actor("red", ActorKind::Alliance).await;
            let auto = puentes_db::query::actor::AlliancePolicies {
                join: Some(JoinPolicy::Auto),
                ..Default::default()
            };
            app.set_alliance_policies(&op, "red", auto).await.unwrap();
            let red = query::actor::local_by_name_required(&app.db, "red")
                .await
                .unwrap();
            let miembro = app.remote("miembro", ActorKind::Organization).await;
            let ajena = app.remote("ajena", ActorKind::Organization).await;
            let invitada = app.remote("invitada", ActorKind::Organization).await;
            app.receive_join(
                &Caller::remote_actor(&miembro),
                &red,
                "http://remote.example/j/1",
            )
            .await
            .unwrap();

            // Members: a member's endorsement counts at once, a stranger's waits.
            let members = opened(&app, "red", EndorsementPolicy::Members).await;
            let (admission, _) = app
                .admit_endorsement(&miembro, endorsement("http://remote.example/e/1", &members))
                .await
                .unwrap();
            assert_eq!(admission, Admission::Accepted);
            let (admission, _) = app
                .admit_endorsement(&ajena, endorsement("http://remote.example/e/2", &members))
                .await
                .unwrap();
            assert_eq!(admission, Admission::Held);
            // The same endorsement again is answered as before; another by the same actor
            // is refused.
            let (again, _) = app
                .admit_endorsement(&miembro, endorsement("http://remote.example/e/1", &members))
                .await
                .unwrap();
            assert_eq!(again, Admission::Accepted);
            let twice = app
                .admit_endorsement(&miembro, endorsement("http://remote.example/e/3", &members))
                .await;
            assert_eq!(twice.unwrap_err().kind(), ErrorKind::Conflict);
            // A digest of another text is refused.
            let mut forged = endorsement("http://remote.example/e/4", &members);
            forged.digest = "zSomethingElse".into();
            let refused = app.admit_endorsement(&invitada, forged).await;
            assert_eq!(refused.unwrap_err().kind(), ErrorKind::BadRequest);

            // Invited: only invitees.
            let invited_only = opened(&app, "red", EndorsementPolicy::Invited).await;
            let row = s::get(&app.db, invited_only.statement_id).await.unwrap();
            app.invite_to_statement(
                &op,
                &row.uuid,
                "invitada@remote.example",
                InvitationRole::Endorser,
            )
            .await
            .unwrap();
            let (admission, _) = app
                .admit_endorsement(
                    &invitada,
                    endorsement("http://remote.example/e/5", &invited_only),
                )
                .await
                .unwrap();
            assert_eq!(admission, Admission::Accepted);
            let (admission, _) = app
                .admit_endorsement(
                    &ajena,
                    endorsement("http://remote.example/e/6", &invited_only),
                )
                .await
                .unwrap();
            assert_eq!(admission, Admission::Rejected);

            // Anyone; but a closed statement refuses everyone.
            let anyone = opened(&app, "red", EndorsementPolicy::Anyone).await;
            let (admission, _) = app
                .admit_endorsement(&ajena, endorsement("http://remote.example/e/7", &anyone))
                .await
                .unwrap();
            assert_eq!(admission, Admission::Accepted);
            let row = s::get(&app.db, anyone.statement_id).await.unwrap();
            app.close_statement(&op, &row.uuid).await.unwrap();
            let (admission, _) = app
                .admit_endorsement(&miembro, endorsement("http://remote.example/e/8", &anyone))
                .await
                .unwrap();
            assert_eq!(admission, Admission::Rejected);
            app.close().await;
        }
    }
}
