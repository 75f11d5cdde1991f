//! Statements arriving from other instances: copies of versions (Create/Update), the
//! owner's Add and Remove of endorsements, invitations and their answers, Endorse and its
//! Undo, the owner's answer to an Endorse, and Mastodon `Like`s as unverified supporters.

use crate::{
    FedContext,
    context::Data,
    inbox::Outcome,
    objects::statement::{digest_of, verify_proof_by},
    protocol::{
        activities::Envelope,
        helpers::{id_of, type_of},
        statement::{SUPERSEDED, parse_endorse, parse_statement},
    },
};
use puentes_core::{Error, Result, urls::authority};
use puentes_db::{
    OutboxEvent, TransactionTrait, actor, query,
    query::statement::{self as s, NewEndorsement, NewStatement, NewVersion},
    statement, statement_version,
};
use serde_json::Value;
use url::Url;

/// Stores (or refreshes) our copy of a statement version its owner signed. The proof must
/// hold and a known version's frozen text must not change.
pub async fn store_copy(
    ctx: &FedContext,
    owner: &actor::Model,
    document: &Value,
) -> Result<(statement::Model, statement_version::Model)> {
    let parsed = parse_statement(document).map_err(Error::bad_request)?;
    if parsed.owner.as_str() != owner.ap_id || authority(&parsed.id) != owner.domain {
        return Err(Error::forbidden(
            "a statement can only come from its owner's instance",
        ));
    }
    verify_proof_by(ctx, document, &parsed.owner).await?;
    let digest = digest_of(document)?;
    let text = serde_json::to_string(document)?;
    let txn = ctx.db.begin().await?;
    let existing = s::by_url(&txn, parsed.url.as_str()).await?;
    // Until it opens, a draft's text may still change under the same version id.
    let was_draft = existing.as_ref().is_none_or(|r| r.status == s::DRAFT);
    let row = match existing {
        Some(row) if row.local => return Err(Error::forbidden("that statement is ours")),
        Some(row) if row.owner_id != owner.id => {
            return Err(Error::forbidden("that statement has another owner"));
        }
        // An earlier version says "superseded": the statement's own state comes from the
        // current version only.
        Some(row) if parsed.status == SUPERSEDED => row,
        Some(row) => {
            s::update_copy(&txn, row, &parsed.status, &parsed.policy, parsed.deadline).await?
        }
        None => {
            s::insert(
                &txn,
                NewStatement {
                    uuid: &uuid::Uuid::now_v7().to_string(),
                    ap_url: parsed.url.as_str(),
                    owner_id: owner.id,
                    local: false,
                    status: if parsed.status == SUPERSEDED {
                        s::OPEN
                    } else {
                        &parsed.status
                    },
                    policy: &parsed.policy,
                    ask: None,
                    deadline: parsed.deadline,
                },
            )
            .await?
        }
    };
    let version = match s::version_by_ap_id(&txn, parsed.id.as_str()).await? {
        Some(known) if known.digest != digest && !was_draft => {
            return Err(Error::bad_request(
                "the text of a published statement version changed without a new version id",
            ));
        }
        Some(known) => {
            let known = if known.digest != digest {
                s::replace_draft_text(&txn, known, new_version(&row, &parsed, &digest, None))
                    .await?
            } else {
                known
            };
            s::set_document(&txn, known, &text).await?
        }
        None => s::insert_version(&txn, new_version(&row, &parsed, &digest, Some(text))).await?,
    };
    txn.commit().await?;
    Ok((row, version))
}

fn new_version<'a>(
    row: &statement::Model,
    parsed: &'a crate::protocol::statement::StatementDoc,
    digest: &'a str,
    document: Option<String>,
) -> NewVersion<'a> {
    NewVersion {
        statement_id: row.id,
        number: parsed.version,
        ap_id: parsed.id.as_str(),
        name: &parsed.name,
        content: &parsed.content,
        content_map: parsed.content_map.as_ref().map(Value::to_string),
        language: None,
        published: &parsed.published,
        digest,
        document,
    }
}

/// Create or Update of a statement version by its owner.
pub async fn receive_version(data: &Data, owner: &actor::Model, object: &Value) -> Result<Outcome> {
    store_copy(data, owner, object).await?;
    Ok(Outcome::Applied)
}

/// An owner invites one of our actors to co-initiate or to endorse its statement.
pub async fn receive_invite(
    data: &Data,
    owner: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let target = activity
        .raw
        .get("target")
        .and_then(id_of)
        .ok_or_else(|| Error::bad_request("Invite has no target"))?;
    let Some(invitee) = query::actor::by_ap_id(&data.db, target.as_str())
        .await?
        .filter(|a| a.local)
    else {
        return Ok(Outcome::Ignored("invitation for someone not here".into()));
    };
    let (row, _) = store_copy(data, owner, &activity.object).await?;
    let role = match activity.raw.get("role").and_then(Value::as_str) {
        Some(s::ENDORSER) => s::ENDORSER,
        _ => s::INITIATOR,
    };
    s::record_invitation(&data.db, row.id, invitee.id, role, activity.id.as_str()).await?;
    Ok(Outcome::Applied)
}

/// Accept or Reject that answers one of our invitations or one of our endorsements;
/// None when it answers something else.
pub async fn receive_answer(
    data: &Data,
    signer: &actor::Model,
    activity: &Envelope,
    accepted: bool,
) -> Result<Option<Outcome>> {
    let Some(answered) = id_of(&activity.object) else {
        return Ok(None);
    };
    if let Some(invitation) = s::invitation_by_ap_id(&data.db, answered.as_str()).await? {
        if invitation.actor_id != signer.id {
            return Err(Error::forbidden("only the invited actor can answer"));
        }
        let status = if accepted { s::CONFIRMED } else { s::DECLINED };
        s::answer_invitation(&data.db, invitation, status).await?;
        return Ok(Some(Outcome::Applied));
    }
    let Some(endorsement) = s::endorsement_by_ap_id(&data.db, answered.as_str()).await? else {
        return Ok(None);
    };
    let row = s::get(&data.db, endorsement.statement_id).await?;
    if row.owner_id != signer.id {
        return Err(Error::forbidden(
            "only the statement's owner can answer an endorsement",
        ));
    }
    if endorsement.status != s::PENDING {
        return Ok(Some(Outcome::Ignored(
            "endorsement already answered".into(),
        )));
    }
    let txn = data.db.begin().await?;
    let status = if accepted { s::ACCEPTED } else { s::REJECTED };
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
    txn.commit().await?;
    Ok(Some(Outcome::Applied))
}

/// What the owner decided about an endorsement on receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Accepted,
    Held,
    Rejected,
}

/// The owner's side of an endorsement, from the inbox or from a local endorser: checks
/// the proof and the digest (refusing the request when either fails), then the statement's
/// state and policy, and stores the signed `Endorse` verbatim.
pub async fn admit(
    ctx: &FedContext,
    endorser: &actor::Model,
    document: &Value,
) -> Result<(Admission, i64)> {
    let endorse = parse_endorse(document).map_err(Error::bad_request)?;
    if endorse.actor.as_str() != endorser.ap_id {
        return Err(Error::forbidden(
            "an endorsement must come from its endorser",
        ));
    }
    let version = s::version_by_ap_id(&ctx.db, endorse.object.as_str())
        .await?
        .ok_or_else(|| Error::not_found("statement version"))?;
    let row = s::get(&ctx.db, version.statement_id).await?;
    if !row.local {
        return Err(Error::bad_request("that statement is not owned here"));
    }
    verify_proof_by(ctx, document, &endorse.actor).await?;
    if endorse.digest != version.digest {
        return Err(Error::bad_request(
            "digestMultibase does not match the statement version's text",
        ));
    }
    if let Some(existing) = s::endorsement_by_ap_id(&ctx.db, endorse.id.as_str()).await? {
        // The sender retried: answer as before.
        let admission = match existing.status.as_str() {
            s::ACCEPTED => Admission::Accepted,
            s::PENDING => Admission::Held,
            _ => Admission::Rejected,
        };
        return Ok((admission, existing.id));
    }
    let current = s::current_version(&ctx.db, row.id).await?;
    let open = s::effective_status(&row) == s::OPEN && current.id == version.id;
    let blocked = query::block::exists(&ctx.db, row.owner_id, endorser.id).await?;
    let already = s::live_endorsement(&ctx.db, version.id, endorser.id).await?;
    if already.is_some() {
        return Err(Error::conflict("this actor already endorses that version"));
    }
    let admission = if !open || blocked {
        Admission::Rejected
    } else {
        policy_admission(ctx, &row, endorser).await?
    };
    let status = match admission {
        Admission::Accepted => s::ACCEPTED,
        Admission::Held => s::PENDING,
        Admission::Rejected => s::REJECTED,
    };
    let endorser_members = alliance_size(ctx, endorser).await;
    let txn = ctx.db.begin().await?;
    let stored = s::insert_endorsement(
        &txn,
        NewEndorsement {
            endorser_members,
            statement_id: row.id,
            version_id: version.id,
            endorser_id: endorser.id,
            ap_id: endorse.id.as_str(),
            status,
            anonymous: endorse.anonymous,
            note: endorse
                .note
                .as_deref()
                .map(puentes_core::sanitize::clean_html),
            activity: &serde_json::to_string(document)?,
        },
    )
    .await?;
    if admission != Admission::Held {
        decided(&txn, &stored, endorser, admission == Admission::Accepted).await?;
    }
    txn.commit().await?;
    Ok((admission, stored.id))
}

/// Events after the owner decides: the answer, and for an acceptance the public list
/// entry, the refreshed summary and the endorser's boost when the endorser is ours.
pub async fn decided(
    txn: &impl puentes_db::ConnectionTrait,
    endorsement: &puentes_db::endorsement::Model,
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
    query::outbox::enqueue_all(txn, &events).await
}

/// How many members an alliance endorsing as a Group has: counted here for ours, read from
/// its public member list for others (unknown when the list is not public).
async fn alliance_size(ctx: &FedContext, endorser: &actor::Model) -> Option<i64> {
    if endorser.kind != "Group" {
        return None;
    }
    if endorser.local {
        let members =
            query::membership::members(&ctx.db, endorser.id, query::membership::ACTIVE).await;
        return members.ok().map(|m| m.len() as i64);
    }
    let url = Url::parse(&format!("{}/members", endorser.ap_id)).ok()?;
    let actor_doc = crate::fetch::signed_get_json(ctx, &Url::parse(&endorser.ap_id).ok()?, None)
        .await
        .ok()?;
    let members = actor_doc.get("members").and_then(id_of).unwrap_or(url);
    let list = crate::fetch::signed_get_json(ctx, &members, None)
        .await
        .ok()?;
    list.get("totalItems").and_then(Value::as_i64)
}

async fn policy_admission(
    ctx: &FedContext,
    row: &statement::Model,
    endorser: &actor::Model,
) -> Result<Admission> {
    if endorser.id == row.owner_id {
        return Ok(Admission::Accepted);
    }
    let invitation = s::invitation_for(&ctx.db, row.id, endorser.id).await?;
    Ok(match row.policy.as_str() {
        s::POLICY_ANYONE => Admission::Accepted,
        s::POLICY_INVITED if invitation.is_some() => Admission::Accepted,
        s::POLICY_INVITED => Admission::Rejected,
        _ => {
            let member =
                query::membership::is_active_member(&ctx.db, row.owner_id, endorser.id).await?;
            if member || invitation.is_some() {
                Admission::Accepted
            } else {
                Admission::Held
            }
        }
    })
}

pub async fn receive_endorse(
    data: &Data,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let (admission, _) = admit(data, signer, &activity.raw).await?;
    Ok(match admission {
        Admission::Rejected => Outcome::Ignored("endorsement rejected".into()),
        _ => Outcome::Applied,
    })
}

/// The owner's side of a withdrawal: the endorsement moves to the revocations, keeping the
/// endorser's signed Undo verbatim.
pub async fn withdraw(
    ctx: &FedContext,
    endorsement: puentes_db::endorsement::Model,
    undo: &Value,
) -> Result<()> {
    let row = s::get(&ctx.db, endorsement.statement_id).await?;
    let txn = ctx.db.begin().await?;
    let was_public = endorsement.status == s::ACCEPTED;
    let stored = s::set_endorsement_status(
        &txn,
        endorsement,
        s::WITHDRAWN,
        Some(&serde_json::to_string(undo)?),
    )
    .await?;
    if row.local && was_public {
        query::outbox::enqueue_all(
            &txn,
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
    txn.commit().await?;
    Ok(())
}

/// Undo of an Endorse (by its endorser) or of a Like; None when it undoes something else.
pub async fn receive_undo(
    data: &Data,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(undone) = id_of(&activity.object) else {
        return Ok(None);
    };
    if let Some(endorsement) = s::endorsement_by_ap_id(&data.db, undone.as_str()).await? {
        if endorsement.endorser_id != signer.id {
            return Err(Error::forbidden(
                "only the endorser can withdraw an endorsement",
            ));
        }
        if matches!(endorsement.status.as_str(), s::WITHDRAWN | s::REMOVED) {
            return Ok(Some(Outcome::Duplicate));
        }
        if activity.raw.get("proof").is_some() {
            verify_proof_by(data, &activity.raw, &activity.actor).await?;
        }
        withdraw(data, endorsement, &activity.raw).await?;
        return Ok(Some(Outcome::Applied));
    }
    if type_of(&activity.object) == Some("Like")
        && let Some(statement_id) = s::remove_like(&data.db, undone.as_str(), &signer.ap_id).await?
    {
        refresh(data, statement_id).await?;
        return Ok(Some(Outcome::Applied));
    }
    Ok(None)
}

/// A `Like` of one of our statements: an unverified supporter.
pub async fn receive_like(
    data: &Data,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let Some(object) = id_of(&activity.object) else {
        return Ok(Outcome::Ignored("Like without object".into()));
    };
    let row = match s::version_by_ap_id(&data.db, object.as_str()).await? {
        Some(version) => Some(s::get(&data.db, version.statement_id).await?),
        None => s::by_url(&data.db, object.as_str()).await?,
    };
    let Some(row) = row.filter(|r| r.local) else {
        return Ok(Outcome::Ignored(
            "Like of something other than our statements".into(),
        ));
    };
    if s::add_like(&data.db, row.id, &signer.ap_id, activity.id.as_str()).await? {
        refresh(data, row.id).await?;
    }
    Ok(Outcome::Applied)
}

/// Re-sends the current version so copies and Mastodon see the new counts.
async fn refresh(ctx: &FedContext, statement_id: i64) -> Result<()> {
    let version = s::current_version(&ctx.db, statement_id).await?;
    query::outbox::enqueue(
        &ctx.db,
        &OutboxEvent::StatementUpdated {
            version_id: version.id,
        },
    )
    .await?;
    Ok(())
}

/// The owner adds an endorsement to its public list: our copy keeps it, after checking the
/// endorser's proof and the digest ourselves.
pub async fn receive_add(
    data: &Data,
    owner: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    if type_of(&activity.object) == Some("Note") {
        return receive_translation(data, owner, activity).await.map(Some);
    }
    if type_of(&activity.object) != Some("Endorse") {
        return Ok(None);
    }
    let endorse = parse_endorse(&activity.object).map_err(Error::bad_request)?;
    let Some(version) = s::version_by_ap_id(&data.db, endorse.object.as_str()).await? else {
        return Ok(Some(Outcome::Ignored(
            "endorsement of a statement we keep no copy of".into(),
        )));
    };
    let row = s::get(&data.db, version.statement_id).await?;
    if row.owner_id != owner.id {
        return Err(Error::forbidden(
            "only the statement's owner adds to its endorsements",
        ));
    }
    if row.local {
        return Ok(Some(Outcome::Ignored("our own statement".into())));
    }
    verify_proof_by(data, &activity.object, &endorse.actor).await?;
    if endorse.digest != version.digest {
        return Err(Error::bad_request(
            "digestMultibase does not match the statement version's text",
        ));
    }
    let endorser = crate::fetch::actor_by_id(data, &endorse.actor).await?;
    match s::endorsement_by_ap_id(&data.db, endorse.id.as_str()).await? {
        Some(known) if known.status == s::ACCEPTED => return Ok(Some(Outcome::Duplicate)),
        Some(known) => {
            s::set_endorsement_status(&data.db, known, s::ACCEPTED, None).await?;
        }
        None => {
            s::insert_endorsement(
                &data.db,
                NewEndorsement {
                    endorser_members: alliance_size(data, &endorser).await,
                    statement_id: row.id,
                    version_id: version.id,
                    endorser_id: endorser.id,
                    ap_id: endorse.id.as_str(),
                    status: s::ACCEPTED,
                    anonymous: false,
                    note: endorse
                        .note
                        .as_deref()
                        .map(puentes_core::sanitize::clean_html),
                    activity: &serde_json::to_string(&activity.object)?,
                },
            )
            .await?;
        }
    }
    Ok(Some(Outcome::Applied))
}

/// A co-initiator adds a translation of one of our statement versions. It is shown beside
/// the text, outside what endorsers signed.
async fn receive_translation(
    data: &Data,
    translator: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let target = activity
        .raw
        .get("target")
        .and_then(id_of)
        .ok_or_else(|| Error::bad_request("Add has no target"))?;
    let Some(version) = s::version_by_ap_id(&data.db, target.as_str()).await? else {
        return Ok(Outcome::Ignored(
            "Add to something other than a statement".into(),
        ));
    };
    let row = s::get(&data.db, version.statement_id).await?;
    let confirmed = s::invitation_for(&data.db, row.id, translator.id)
        .await?
        .is_some_and(|i| i.role == s::INITIATOR && i.status == s::CONFIRMED);
    if !row.local || !confirmed {
        return Err(Error::forbidden(
            "only the statement's co-initiators add translations",
        ));
    }
    let Some(Value::Object(languages)) = activity.object.get("contentMap") else {
        return Err(Error::bad_request("the translation has no contentMap"));
    };
    for (language, html) in languages {
        let language = puentes_core::text::language(language)?;
        let html = html
            .as_str()
            .ok_or_else(|| Error::bad_request("a translation must be text"))?;
        let current = s::version(&data.db, version.id).await?;
        add_translation(
            data,
            current,
            &language,
            &puentes_core::sanitize::clean_html(html),
        )
        .await?;
    }
    Ok(Outcome::Applied)
}

/// Adds a translation after opening and re-sends the version so copies show it.
pub async fn add_translation(
    ctx: &FedContext,
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
    let txn = ctx.db.begin().await?;
    s::add_translation(&txn, version, language, html).await?;
    query::outbox::enqueue(&txn, &OutboxEvent::StatementUpdated { version_id }).await?;
    txn.commit().await?;
    Ok(())
}

/// The owner moves an endorsement to its revocations; the endorser's signed Undo travels
/// as the `instrument` and is kept when its proof holds.
pub async fn receive_remove(
    data: &Data,
    owner: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(removed) = id_of(&activity.object) else {
        return Ok(None);
    };
    let Some(endorsement) = s::endorsement_by_ap_id(&data.db, removed.as_str()).await? else {
        return Ok(None);
    };
    let row = s::get(&data.db, endorsement.statement_id).await?;
    if row.owner_id != owner.id || row.local {
        return Err(Error::forbidden(
            "only the statement's owner removes its endorsements",
        ));
    }
    let endorser = query::actor::get(&data.db, endorsement.endorser_id).await?;
    let undo = activity.raw.get("instrument").filter(|u| {
        type_of(u) == Some("Undo") && u.get("object").and_then(id_of).as_ref() == Some(&removed)
    });
    let signed_undo = match undo {
        Some(undo) => match Url::parse(&endorser.ap_id) {
            Ok(actor) => verify_proof_by(data, undo, &actor)
                .await
                .is_ok()
                .then_some(undo),
            Err(_) => None,
        },
        None => None,
    };
    let (status, revocation) = match signed_undo {
        Some(undo) => (s::WITHDRAWN, undo.clone()),
        None => (s::REMOVED, activity.raw.clone()),
    };
    s::set_endorsement_status(
        &data.db,
        endorsement,
        status,
        Some(&serde_json::to_string(&revocation)?),
    )
    .await?;
    Ok(Some(Outcome::Applied))
}
