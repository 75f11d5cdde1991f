//! Joint statements behind `puentes statement …` and `puentes endorse`: drafting with
//! co-initiators, opening, revising into new versions, closing, deciding held endorsements,
//! endorsing and withdrawing, and exporting the signatories.

use crate::Instance;
use puentes_apub::{
    activities::statements::{self as handlers, Admission},
    fetch,
    objects::statement::{core_document, digest_of, initiators, sign_as},
    protocol::statement::{parse_statement, statement_context},
};
use puentes_core::{Error, Result, text};
use puentes_db::{
    OutboxEvent, TransactionTrait, actor, endorsement, query,
    query::statement::{self as s, NewEndorsement, NewStatement, NewVersion},
    statement, statement_version,
};
use serde_json::{Value, json};
use url::Url;

/// What `statement create` needs.
pub struct Draft {
    pub title: String,
    pub text: String,
    pub ask: Option<String>,
    pub language: Option<String>,
    pub translations: Vec<(String, String)>,
    pub policy: Option<String>,
    pub deadline: Option<String>,
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn parse_deadline(deadline: Option<&str>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    let Some(deadline) = deadline else {
        return Ok(None);
    };
    let parsed = chrono::DateTime::parse_from_rfc3339(deadline)
        .map_err(|_| {
            Error::bad_request(format!(
                "{deadline:?} is not a date and time like 2027-03-01T18:00:00Z"
            ))
        })?
        .with_timezone(&chrono::Utc);
    if parsed <= chrono::Utc::now() {
        return Err(Error::bad_request("the deadline is already past"));
    }
    Ok(Some(parsed))
}

/// Markdown text in one or more languages: the HTML content and the `contentMap`.
fn render_text(
    instance: &Instance,
    text_md: &str,
    language: Option<&str>,
    translations: &[(String, String)],
) -> Result<(String, Option<String>, Option<String>)> {
    if text_md.trim().is_empty() {
        return Err(Error::bad_request("the statement text is empty"));
    }
    let tag_base = format!("{}/tags", instance.ctx.urls.base());
    let content = text::render(text_md, &tag_base, &[]);
    let language = language.map(text::language).transpose()?;
    if !translations.is_empty() && language.is_none() {
        return Err(Error::bad_request(
            "give the language of the main text (--lang) to add translations",
        ));
    }
    let content_map = match &language {
        Some(lang) => {
            let mut map = serde_json::Map::new();
            map.insert(lang.clone(), json!(content));
            for (tag, translated) in translations {
                map.insert(
                    text::language(tag)?,
                    json!(text::render(translated, &tag_base, &[])),
                );
            }
            Some(Value::Object(map).to_string())
        }
        None => None,
    };
    Ok((content, content_map, language))
}

/// A statement's page address (what a browser shows) stands for the statement itself.
fn page_to_object(id: &str) -> String {
    Url::parse(id)
        .ok()
        .and_then(|u| puentes_core::urls::object_id_of_page(&u))
        .map(String::from)
        .unwrap_or_else(|| id.to_string())
}

/// Finds one of our statements by its id (uuid) or URL.
pub async fn local_statement(instance: &Instance, id: &str) -> Result<statement::Model> {
    known_statement(instance, id)
        .await
        .ok()
        .filter(|row| row.local)
        .ok_or_else(|| Error::not_found(format!("statement {id:?} of this instance")))
}

pub async fn create(instance: &Instance, as_name: &str, draft: Draft) -> Result<statement::Model> {
    let ctx = &instance.ctx;
    let owner = query::actor::local_by_name_required(&ctx.db, as_name).await?;
    if draft.title.trim().is_empty() {
        return Err(Error::bad_request("the statement needs a title"));
    }
    let policy = draft.policy.clone().unwrap_or_else(|| {
        if owner.kind == "Group" {
            s::POLICY_MEMBERS
        } else {
            s::POLICY_ANYONE
        }
        .to_string()
    });
    s::validate_policy(&policy)?;
    if policy == s::POLICY_MEMBERS && owner.kind != "Group" {
        return Err(Error::bad_request(
            "only an alliance has members: use --policy anyone or invited",
        ));
    }
    let deadline = parse_deadline(draft.deadline.as_deref())?;
    let (content, content_map, language) = render_text(
        instance,
        &draft.text,
        draft.language.as_deref(),
        &draft.translations,
    )?;
    let uuid = uuid::Uuid::now_v7().to_string();
    let txn = ctx.db.begin().await?;
    let row = s::insert(
        &txn,
        NewStatement {
            uuid: &uuid,
            ap_url: ctx.urls.statement(&uuid).as_str(),
            owner_id: owner.id,
            local: true,
            status: s::DRAFT,
            policy: &policy,
            ask: draft
                .ask
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
            deadline,
        },
    )
    .await?;
    let ap_id = ctx.urls.statement_version(&uuid, 1);
    let published = now_rfc3339();
    // Provisional digest: it is computed again when the statement opens.
    s::insert_version(
        &txn,
        NewVersion {
            statement_id: row.id,
            number: 1,
            ap_id: ap_id.as_str(),
            name: draft.title.trim(),
            content: &content,
            content_map,
            language,
            published: &published,
            digest: "",
            document: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Invites `handle` to co-initiate (before opening) or to endorse.
pub async fn invite(instance: &Instance, id: &str, handle: &str, role: &str) -> Result<()> {
    let ctx = &instance.ctx;
    let row = local_statement(instance, id).await?;
    if !matches!(role, s::INITIATOR | s::ENDORSER) {
        return Err(Error::bad_request(format!(
            "unknown role {role:?}: use initiator or endorser"
        )));
    }
    if role == s::INITIATOR && row.status != s::DRAFT {
        return Err(Error::conflict(
            "co-initiators are invited while the statement is a draft; it is already open",
        ));
    }
    if row.status == s::CLOSED {
        return Err(Error::conflict("the statement is closed"));
    }
    let invitee = fetch::actor_by_handle(&instance.data(), handle).await?;
    if invitee.id == row.owner_id {
        return Err(Error::bad_request("the owner is already an initiator"));
    }
    let txn = ctx.db.begin().await?;
    let invitation = s::invite(
        &txn,
        row.id,
        invitee.id,
        role,
        ctx.urls.new_activity().as_str(),
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
    txn.commit().await?;
    Ok(())
}

/// Finds a statement we own or keep a copy of, by any of its ids.
async fn known_statement(instance: &Instance, id: &str) -> Result<statement::Model> {
    let db = &instance.ctx.db;
    let id = &page_to_object(id);
    if let Some(row) = s::by_uuid(db, id).await? {
        return Ok(row);
    }
    if let Some(row) = s::by_url(db, id).await? {
        return Ok(row);
    }
    match s::version_by_ap_id(db, id).await? {
        Some(version) => s::get(db, version.statement_id).await,
        None => Err(Error::not_found(format!("statement {id:?}"))),
    }
}

/// A statement kept here, or else read from its URL (and kept).
async fn known_or_fetched(instance: &Instance, id: &str) -> Result<statement::Model> {
    match known_statement(instance, id).await {
        Ok(row) => Ok(row),
        Err(_) => Ok(fetch_statement(instance, id).await?.0),
    }
}

/// The invitee's answer: confirm (Accept) or decline (Reject).
pub async fn answer_invitation(
    instance: &Instance,
    as_name: &str,
    id: &str,
    confirm: bool,
) -> Result<()> {
    let ctx = &instance.ctx;
    let actor = query::actor::local_by_name_required(&ctx.db, as_name).await?;
    let row = known_statement(instance, id).await?;
    let invitation = s::invitation_for(&ctx.db, row.id, actor.id)
        .await?
        .ok_or_else(|| Error::not_found(format!("an invitation of {as_name} to that statement")))?;
    if invitation.status != s::INVITED {
        return Err(Error::conflict(format!(
            "the invitation was already {}",
            invitation.status
        )));
    }
    let txn = ctx.db.begin().await?;
    let status = if confirm { s::CONFIRMED } else { s::DECLINED };
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
    txn.commit().await?;
    Ok(())
}

/// Opens a draft once every co-initiator has answered; the text is frozen from here on.
pub async fn open(instance: &Instance, id: &str) -> Result<statement_version::Model> {
    let ctx = &instance.ctx;
    let row = local_statement(instance, id).await?;
    if row.status != s::DRAFT {
        return Err(Error::conflict(format!(
            "the statement is already {}",
            row.status
        )));
    }
    let waiting: Vec<String> = s::invitations(&ctx.db, row.id)
        .await?
        .into_iter()
        .filter(|(i, _)| i.role == s::INITIATOR && i.status == s::INVITED)
        .map(|(_, a)| format!("{}@{}", a.username, a.domain))
        .collect();
    if !waiting.is_empty() {
        return Err(Error::conflict(format!(
            "waiting for co-initiators to confirm: {}",
            waiting.join(", ")
        )));
    }
    let version = s::current_version(&ctx.db, row.id).await?;
    let txn = ctx.db.begin().await?;
    let version = freeze(instance, &txn, &row, version, None).await?;
    s::set_status(&txn, row, s::OPEN).await?;
    query::outbox::enqueue(
        &txn,
        &OutboxEvent::StatementPublished {
            version_id: version.id,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(version)
}

/// Stamps a version's publication time and computes its digest over the frozen core.
async fn freeze(
    instance: &Instance,
    txn: &impl puentes_db::ConnectionTrait,
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
    let core = core_document(&instance.ctx, row, &candidate, &initiators);
    let digest = digest_of(&core)?;
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

pub async fn close(instance: &Instance, id: &str) -> Result<()> {
    let ctx = &instance.ctx;
    let row = local_statement(instance, id).await?;
    if row.status != s::OPEN {
        return Err(Error::conflict(format!(
            "the statement is {}, not open",
            row.status
        )));
    }
    let version = s::current_version(&ctx.db, row.id).await?;
    let txn = ctx.db.begin().await?;
    s::set_status(&txn, row, s::CLOSED).await?;
    query::outbox::enqueue(
        &txn,
        &OutboxEvent::StatementUpdated {
            version_id: version.id,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A new text. A draft changes in place; an open statement gets a new version with its own
/// id, and endorsements of earlier versions stay with them.
pub async fn revise(
    instance: &Instance,
    id: &str,
    text_md: &str,
    title: Option<&str>,
) -> Result<statement_version::Model> {
    let ctx = &instance.ctx;
    let row = local_statement(instance, id).await?;
    let current = s::current_version(&ctx.db, row.id).await?;
    let name = title.map(str::trim).unwrap_or(&current.name).to_string();
    let (content, content_map, language) =
        render_text(instance, text_md, current.language.as_deref(), &[])?;
    // Other languages of the old text no longer match it: they are dropped, not carried over.
    let content_map = content_map.filter(|_| language.is_some());
    let txn = ctx.db.begin().await?;
    let version = match row.status.as_str() {
        s::DRAFT => {
            let mut draft = current.clone();
            draft.language = language;
            freeze(
                instance,
                &txn,
                &row,
                draft,
                Some((&name, &content, content_map)),
            )
            .await?
        }
        s::OPEN => {
            let number = current.number + 1;
            let fresh = s::insert_version(
                &txn,
                NewVersion {
                    statement_id: row.id,
                    number,
                    ap_id: ctx.urls.statement_version(&row.uuid, number).as_str(),
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
            let fresh = freeze(instance, &txn, &row, fresh, None).await?;
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
        _ => return Err(Error::conflict("a closed statement cannot be revised")),
    };
    txn.commit().await?;
    Ok(version)
}

/// Adds a translation. On our draft it joins the text; afterwards it is shown beside the
/// text, marked as added later, and is not part of what endorsers signed. A co-initiator
/// on another instance (`as_name`) sends it to the owner.
pub async fn translate(
    instance: &Instance,
    as_name: Option<&str>,
    id: &str,
    language: &str,
    text_md: &str,
) -> Result<()> {
    let ctx = &instance.ctx;
    let language = text::language(language)?;
    let tag_base = format!("{}/tags", ctx.urls.base());
    let html = text::render(text_md, &tag_base, &[]);
    let row = known_or_fetched(instance, id).await?;
    let current = s::current_version(&ctx.db, row.id).await?;
    if !row.local {
        let name = as_name.ok_or_else(|| {
            Error::bad_request("that statement is owned elsewhere: add --as CO-INITIATOR")
        })?;
        let translator = query::actor::local_by_name_required(&ctx.db, name).await?;
        let confirmed = s::invitation_for(&ctx.db, row.id, translator.id)
            .await?
            .is_some_and(|i| i.role == s::INITIATOR && i.status == s::CONFIRMED);
        if !confirmed {
            return Err(Error::forbidden(format!(
                "{name} is not a confirmed co-initiator of that statement"
            )));
        }
        let txn = ctx.db.begin().await?;
        let version_id = current.id;
        s::add_translation(&txn, current, &language, &html).await?;
        let event = OutboxEvent::TranslationOffered {
            version_id,
            actor_id: translator.id,
            language,
        };
        query::outbox::enqueue(&txn, &event).await?;
        txn.commit().await?;
        return Ok(());
    }
    if row.status != s::DRAFT {
        return handlers::add_translation(ctx, current, &language, &html).await;
    }
    if current.language.as_deref() == Some(language.as_str()) {
        return Err(Error::bad_request(
            "that is the language of the text itself",
        ));
    }
    let base = current.language.clone().ok_or_else(|| {
        Error::bad_request("the draft has no language; revise it with --lang first")
    })?;
    let mut map: serde_json::Map<String, Value> = current
        .content_map
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    map.entry(base).or_insert(json!(current.content));
    map.insert(language, json!(html));
    let (name, content) = (current.name.clone(), current.content.clone());
    let txn = ctx.db.begin().await?;
    let content_map = Some(Value::Object(map).to_string());
    freeze(
        instance,
        &txn,
        &row,
        current,
        Some((&name, &content, content_map)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Endorsements held for the secretariat.
pub async fn pending(
    instance: &Instance,
    id: &str,
) -> Result<Vec<(endorsement::Model, actor::Model)>> {
    let row = local_statement(instance, id).await?;
    s::endorsements_of_statement(&instance.ctx.db, row.id, &[s::PENDING]).await
}

/// The secretariat's decision on a held endorsement by `handle`.
pub async fn decide(instance: &Instance, id: &str, handle: &str, accept: bool) -> Result<()> {
    let ctx = &instance.ctx;
    let row = local_statement(instance, id).await?;
    let endorser = fetch::actor_by_handle(&instance.data(), handle).await?;
    let held = s::endorsements_of_statement(&ctx.db, row.id, &[s::PENDING])
        .await?
        .into_iter()
        .find(|(_, a)| a.id == endorser.id)
        .map(|(e, _)| e)
        .ok_or_else(|| Error::not_found(format!("a held endorsement by {handle}")))?;
    let txn = ctx.db.begin().await?;
    let status = if accept { s::ACCEPTED } else { s::REJECTED };
    let decided = s::set_endorsement_status(&txn, held, status, None).await?;
    handlers::decided(&txn, &decided, &endorser, accept).await?;
    txn.commit().await?;
    Ok(())
}

/// How an endorsement ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endorsed {
    /// Sent to the owner's instance, which will answer.
    Sent(endorsement::Model),
    /// Decided here, where the statement lives.
    Decided(Admission, endorsement::Model),
}

/// Reads a statement version from a URL (its origin or a copy) and keeps our copy of it.
pub async fn fetch_statement(
    instance: &Instance,
    url: &str,
) -> Result<(statement::Model, statement_version::Model)> {
    let ctx = &instance.ctx;
    if let Ok(row) = local_statement(instance, url).await {
        let version = match s::version_by_ap_id(&ctx.db, url).await? {
            Some(v) => v,
            None => s::current_version(&ctx.db, row.id).await?,
        };
        return Ok((row, version));
    }
    let url = &page_to_object(url);
    let parsed =
        Url::parse(url).map_err(|_| Error::bad_request(format!("{url:?} is not a URL")))?;
    let fetched = fetch::signed_get_json(ctx, &parsed, None).await?;
    let document = fetched
        .get("object")
        .filter(|_| fetched.get("type").and_then(Value::as_str) == Some("StatementCopy"))
        .cloned()
        .unwrap_or(fetched);
    let statement = parse_statement(&document)
        .map_err(|e| Error::bad_request(format!("{url} is not a statement: {e}")))?;
    if let Some(version) = s::version_by_ap_id(&ctx.db, statement.id.as_str()).await?
        && let Ok(row) = s::get(&ctx.db, version.statement_id).await
        && row.local
    {
        return Ok((row, version));
    }
    let owner = fetch::actor_by_id(&instance.data(), &statement.owner).await?;
    handlers::store_copy(ctx, &owner, &document).await
}

/// `as_name` endorses the statement at `url` (its current version).
pub async fn endorse(
    instance: &Instance,
    as_name: &str,
    url: &str,
    anonymous: bool,
    note: Option<&str>,
) -> Result<Endorsed> {
    let ctx = &instance.ctx;
    let endorser = query::actor::local_by_name_required(&ctx.db, as_name).await?;
    let (row, version) = fetch_statement(instance, url).await?;
    if row.status != s::OPEN {
        return Err(Error::conflict(format!(
            "the statement is {}, not open for endorsement",
            row.status
        )));
    }
    if row.deadline.is_some_and(|d| d <= chrono::Utc::now()) {
        return Err(Error::conflict("the statement's deadline has passed"));
    }
    let current = s::current_version(&ctx.db, row.id).await?;
    if current.id != version.id {
        return Err(Error::conflict(format!(
            "that version was revised; endorse the current one: {}",
            current.ap_id
        )));
    }
    if s::live_endorsement(&ctx.db, version.id, endorser.id)
        .await?
        .is_some()
    {
        return Err(Error::conflict(format!(
            "{as_name} already endorses this version"
        )));
    }
    let owner = query::actor::get(&ctx.db, row.owner_id).await?;
    let id = ctx.urls.new_activity();
    let collection = if row.local {
        ctx.urls
            .statement_collection(&row.uuid, version.number, "endorsements")
            .to_string()
    } else {
        version
            .document
            .as_deref()
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .and_then(|d| {
                d.get("endorsements")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| format!("{}/endorsements", version.ap_id))
    };
    let mut document = json!({
        "@context": statement_context(),
        "id": id,
        "type": "Endorse",
        "actor": endorser.ap_id,
        "object": version.ap_id,
        "digestMultibase": version.digest,
        "target": { "type": "OrderedCollection", "id": collection, "attributedTo": owner.ap_id },
        "to": [owner.ap_id],
        "published": now_rfc3339(),
    });
    if anonymous {
        // Named to the owner only: no public addressing, no boost.
        document["anonymous"] = json!(true);
    } else {
        document["cc"] = json!([puentes_apub::protocol::PUBLIC, endorser.followers_url]);
    }
    if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
        document["content"] = json!(puentes_core::sanitize::text_to_html(note));
    }
    let document = sign_as(document, &endorser)?;
    if row.local {
        let (admission, stored) = handlers::admit(ctx, &endorser, &document).await?;
        return Ok(Endorsed::Decided(
            admission,
            s::endorsement(&ctx.db, stored).await?,
        ));
    }
    let txn = ctx.db.begin().await?;
    let stored = s::insert_endorsement(
        &txn,
        NewEndorsement {
            endorser_members: None,
            statement_id: row.id,
            version_id: version.id,
            endorser_id: endorser.id,
            ap_id: id.as_str(),
            status: s::PENDING,
            anonymous,
            note: document
                .get("content")
                .and_then(Value::as_str)
                .map(str::to_string),
            activity: &serde_json::to_string(&document)?,
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
    txn.commit().await?;
    Ok(Endorsed::Sent(stored))
}

/// `as_name` withdraws its endorsement of the statement at `url` with a signed Undo.
pub async fn withdraw(instance: &Instance, as_name: &str, url: &str) -> Result<endorsement::Model> {
    let ctx = &instance.ctx;
    let endorser = query::actor::local_by_name_required(&ctx.db, as_name).await?;
    let row = known_or_fetched(instance, url).await?;
    let live = s::endorsements_of_statement(&ctx.db, row.id, &[s::PENDING, s::ACCEPTED])
        .await?
        .into_iter()
        .rev()
        .find(|(_, a)| a.id == endorser.id)
        .map(|(e, _)| e)
        .ok_or_else(|| {
            Error::not_found(format!("an endorsement of that statement by {as_name}"))
        })?;
    let owner = query::actor::get(&ctx.db, row.owner_id).await?;
    let mut undo = json!({
        "@context": statement_context(),
        "id": ctx.urls.new_activity(),
        "type": "Undo",
        "actor": endorser.ap_id,
        "object": live.ap_id,
        "to": [owner.ap_id],
        "published": now_rfc3339(),
    });
    if !live.anonymous {
        undo["cc"] = json!([puentes_apub::protocol::PUBLIC]);
    }
    let undo = sign_as(undo, &endorser)?;
    let id = live.id;
    if row.local {
        handlers::withdraw(ctx, live, &undo).await?;
    } else {
        s::set_endorsement_status(
            &ctx.db,
            live,
            s::WITHDRAWN,
            Some(&serde_json::to_string(&undo)?),
        )
        .await?;
    }
    query::outbox::enqueue(
        &ctx.db,
        &OutboxEvent::EndorsementWithdrawn { endorsement_id: id },
    )
    .await?;
    s::endorsement(&ctx.db, id).await
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

/// Named signatories of every version (anonymous endorsers are counted, never listed).
pub async fn signatories(instance: &Instance, id: &str) -> Result<(Vec<Signatory>, u64)> {
    let ctx = &instance.ctx;
    let row = known_statement(instance, id).await?;
    let mut out = Vec::new();
    let mut anonymous = 0;
    for version in s::versions(&ctx.db, row.id).await? {
        for (e, a) in s::endorsements_of_version(&ctx.db, version.id, &[s::ACCEPTED]).await? {
            if e.anonymous {
                anonymous += 1;
                continue;
            }
            out.push(Signatory {
                version: version.number,
                name: a.display_name.clone().unwrap_or_else(|| a.username.clone()),
                handle: format!("{}@{}", a.username, a.domain),
                actor: a.ap_id.clone(),
                kind: a.kind.clone(),
                endorsed_at: e
                    .decided_at
                    .unwrap_or(e.created_at)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                note: e
                    .note
                    .as_deref()
                    .map(puentes_core::sanitize::strip_html)
                    .unwrap_or_default(),
                endorsement: e.ap_id.clone(),
            });
        }
    }
    Ok((out, anonymous))
}

/// Statements owned here and copies kept here.
pub async fn list(
    instance: &Instance,
) -> Result<Vec<(statement::Model, statement_version::Model, actor::Model)>> {
    let db = &instance.ctx.db;
    let mut rows = Vec::new();
    let mut all = s::copies(db).await?;
    for owner in query::actor::list_local(db).await? {
        all.extend(s::of_owner(db, owner.id).await?);
    }
    for row in all {
        let version = s::current_version(db, row.id).await?;
        let owner = query::actor::get(db, row.owner_id).await?;
        rows.push((row, version, owner));
    }
    Ok(rows)
}
