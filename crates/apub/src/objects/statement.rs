//! Statements as documents: a local version's signed `Article` with its Mastodon-facing
//! summary, the endorsement and revocation collections, and the checks of proofs against
//! the keys actors publish in `assertionMethod`.

use crate::{
    FedContext, integrity,
    protocol::{
        PUBLIC,
        helpers::{id_of, type_of},
        statement::{SUPERSEDED, frozen_core, readable_content, statement_context},
    },
};
use puentes_core::{EndorsementStatus, Error, Result, StatementStatus, sanitize, text};
use puentes_db::{actor, endorsement, query, query::statement as s, statement, statement_version};
use serde_json::{Value, json};
use url::Url;

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn display(actor: &actor::Model) -> String {
    actor
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("{}@{}", actor.username, actor.domain))
}

/// The owner and the co-initiators who confirmed, in that order.
pub async fn initiators(
    db: &impl puentes_db::ConnectionTrait,
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

/// The frozen part of a local version: what its digest covers. `content` (and each
/// `contentMap` entry) reads whole: title, text, address.
pub fn core_document(
    ctx: &FedContext,
    row: &statement::Model,
    version: &statement_version::Model,
    initiators: &[actor::Model],
) -> Value {
    core_with(ctx, row, version, initiators, true)
}

/// The core as versions digested before `content` carried title and address had it.
fn core_with(
    ctx: &FedContext,
    row: &statement::Model,
    version: &statement_version::Model,
    initiators: &[actor::Model],
    readable: bool,
) -> Value {
    let url = ctx.urls.statement(&row.uuid);
    let wrap = |text: &str| {
        if readable {
            readable_content(&version.name, text, url.as_str())
        } else {
            text.to_string()
        }
    };
    let mut doc = json!({
        "id": version.ap_id,
        "type": "Article",
        "attributedTo": initiators.first().map(|a| a.ap_id.clone()),
        "initiators": initiators.iter().map(|a| a.ap_id.clone()).collect::<Vec<_>>(),
        "name": version.name,
        "content": wrap(&version.content),
        "published": version.published,
        "url": url,
    });
    if let Some(Value::Object(map)) = version
        .content_map
        .as_deref()
        .and_then(|m| serde_json::from_str::<Value>(m).ok())
    {
        if readable {
            // No empty entries: GoToSocial takes them for the text and shows nothing.
            let map: serde_json::Map<String, Value> = map
                .into_iter()
                .filter_map(|(lang, text)| {
                    let text = text.as_str()?;
                    (!text.trim().is_empty()).then(|| (lang, json!(wrap(text))))
                })
                .collect();
            if !map.is_empty() {
                doc["contentMap"] = Value::Object(map);
            }
        } else {
            doc["contentMap"] = Value::Object(map);
        }
    }
    doc
}

/// Counts shown to readers: accepted endorsements (named or not) and unverified likes.
pub struct Counts {
    pub endorsements: u64,
    pub anonymous: u64,
    pub supporters: u64,
    /// Boosts of the statement (any of its versions), once per actor.
    pub shares: u64,
}

pub async fn counts(
    ctx: &FedContext,
    row: &statement::Model,
    version: &statement_version::Model,
) -> Result<Counts> {
    let accepted =
        s::endorsements_of_version(&ctx.db, version.id, &[EndorsementStatus::Accepted]).await?;
    Ok(Counts {
        endorsements: accepted.len() as u64,
        anonymous: accepted.iter().filter(|(e, _)| e.anonymous).count() as u64,
        supporters: s::count_likes(&ctx.db, row.id).await?,
        shares: query::relay::count_announcers(&ctx.db, &row.ap_url).await?,
    })
}

/// What Mastodon shows of a statement (between its title and its address): the ask, who
/// started it, how many endorse it, and whether it is open.
pub fn summary(
    row: &statement::Model,
    version: &statement_version::Model,
    initiators: &[actor::Model],
    counts: &Counts,
    superseded_by: Option<&str>,
) -> String {
    let ask = row
        .ask
        .clone()
        .unwrap_or_else(|| text::excerpt(&version.content, 240));
    let names = initiators
        .iter()
        .map(display)
        .collect::<Vec<_>>()
        .join(", ");
    let mut count = match counts.endorsements {
        0 => "No endorsements yet".to_string(),
        n => format!("Endorsed by {}", plural(n, "organisation", "organisations")),
    };
    if counts.anonymous > 0 {
        count.push_str(&format!(" ({} without being named)", counts.anonymous));
    }
    if counts.supporters > 0 {
        count.push_str(&format!(
            "; {} on the fediverse (unverified)",
            plural(counts.supporters, "supporter", "supporters")
        ));
    }
    let state = match (superseded_by, row.effective_status()) {
        (Some(next), _) => {
            format!("This version was revised; endorsements of it stay here. New version: {next}")
        }
        (None, StatementStatus::Closed) => "Closed for endorsement.".to_string(),
        (None, StatementStatus::Draft) => "Draft, not yet open.".to_string(),
        (None, _) => match row.deadline {
            Some(deadline) => format!(
                "Open for endorsement until {}.",
                deadline.format("%-d %B %Y, %H:%M UTC")
            ),
            None => "Open for endorsement.".to_string(),
        },
    };
    // No link: Mastodon adds the statement's address after the summary itself, and
    // `content` carries it for the others.
    format!(
        "<p>{}</p><p>Initiated by {}. {count}. {}</p>",
        sanitize::escape(&ask),
        sanitize::escape(&names),
        sanitize::escape(&state),
    )
}

/// `1 supporter`, `2 supporters`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The whole signed document of a local version, as served and as sent.
pub async fn version_document(
    ctx: &FedContext,
    row: &statement::Model,
    version: &statement_version::Model,
) -> Result<Value> {
    let initiators = initiators(&ctx.db, row).await?;
    let owner = initiators
        .first()
        .cloned()
        .ok_or_else(|| Error::internal("statement without owner"))?;
    let counts = counts(ctx, row, version).await?;
    let next = s::version_by_number(&ctx.db, row.id, version.number + 1)
        .await?
        .map(|v| v.ap_id);
    let mut doc = core_document(ctx, row, version, &initiators);
    // Versions endorsed before content carried title and address keep the core they
    // were digested with, or their endorsements would no longer match.
    if digest_of(&doc)? != version.digest {
        let legacy = core_with(ctx, row, version, &initiators, false);
        if digest_of(&legacy)? == version.digest {
            doc = legacy;
        }
    }
    let collection = |name: &str| {
        ctx.urls
            .statement_collection(&row.uuid, version.number, name)
    };
    let extra = json!({
        "@context": statement_context(),
        "summary": sanitize::escape_markup(&summary(row, version, &initiators, &counts, next.as_deref())),
        "mediaType": "text/html",
        "to": [PUBLIC],
        "cc": [owner.followers_url],
        "audience": owner.ap_id,
        "version": version.number,
        "statementStatus": if next.is_some() { SUPERSEDED } else { row.effective_status().as_str() },
        "endorsementPolicy": row.policy,
        "endorsements": collection("endorsements"),
        "revocations": collection("revocations"),
        "likes": { "type": "Collection", "totalItems": counts.supporters },
        "shares": { "type": "Collection", "totalItems": counts.shares },
        "endorsementCount": counts.endorsements,
        "anonymousEndorsementCount": counts.anonymous,
    });
    if let (Value::Object(doc), Value::Object(extra)) = (&mut doc, extra) {
        doc.extend(extra);
    }
    if let Some(deadline) = row.deadline {
        doc["deadline"] = json!(rfc3339(deadline));
    }
    if let Some(next) = next {
        doc["supersededBy"] = json!(next);
    }
    let translations = s::translations(version);
    if !translations.is_empty() {
        doc["translations"] = Value::Object(translations);
    }
    sign_as(doc, &owner)
}

/// Signs a document with a local actor's Ed25519 key.
pub fn sign_as(doc: Value, signer: &actor::Model) -> Result<Value> {
    let private = signer
        .ed25519_private
        .as_deref()
        .ok_or_else(|| Error::internal("actor has no Ed25519 key"))?;
    let key_id = format!("{}#ed25519-key", signer.ap_id);
    integrity::sign(doc, &key_id, private)
}

/// Digest of a local version's frozen core.
pub fn digest_of(core: &Value) -> Result<String> {
    integrity::digest_multibase(&frozen_core(core))
}

/// Public items of a version's endorsement list: the accepted, named `Endorse`s verbatim.
pub fn public_endorsements(rows: &[(endorsement::Model, actor::Model)]) -> Vec<Value> {
    rows.iter()
        .filter(|(e, _)| !e.anonymous)
        .filter_map(|(e, _)| serde_json::from_str(&e.activity).ok())
        .collect()
}

/// Public items of a version's revocations: the endorsers' signed `Undo`s (or the owner's
/// `Remove`), verbatim. Anonymous withdrawals are counted only.
pub fn public_revocations(rows: &[(endorsement::Model, actor::Model)]) -> Vec<Value> {
    rows.iter()
        .filter(|(e, _)| !e.anonymous)
        .filter_map(|(e, _)| e.revocation.as_deref())
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect()
}

/// The Ed25519 key `key_id` of `actor`, which must be in the actor's own document
/// (FEP-fe34: the key and the actor share an origin). Read from our stored actor unless
/// `fresh`, else fetched from its origin.
pub async fn assertion_key(
    ctx: &FedContext,
    key_id: &str,
    actor: &Url,
    fresh: bool,
) -> Result<ed25519_dalek::VerifyingKey> {
    let mut key_url = Url::parse(key_id)
        .map_err(|_| Error::bad_request("proof verificationMethod is not a URL"))?;
    key_url.set_fragment(None);
    if &key_url != actor {
        return Err(Error::bad_request(
            "proof key is not in the actor's own document",
        ));
    }
    if !fresh {
        if let Some(multibase) = query::actor::by_ap_id(&ctx.db, actor.as_str())
            .await?
            .and_then(|a| a.ed25519_public)
        {
            return integrity::decode_multikey(&multibase);
        }
        // An organization that moved here keeps the key it signed with at its old address.
        if let Some(multibase) = query::moves::retired_keys_of(&ctx.db, actor.as_str())
            .await?
            .into_iter()
            .find_map(|k| k.ed25519_public)
        {
            return integrity::decode_multikey(&multibase);
        }
    }
    let document = crate::fetch::signed_get_json(ctx, actor, None).await?;
    let methods = match document.get("assertionMethod") {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let method = methods
        .iter()
        .find(|m| m.get("id").and_then(Value::as_str) == Some(key_id))
        .filter(|m| type_of(m) == Some("Multikey"))
        .ok_or_else(|| Error::bad_request("the actor does not publish the proof's key"))?;
    let multibase = method
        .get("publicKeyMultibase")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::bad_request("the proof's key has no publicKeyMultibase"))?;
    integrity::decode_multikey(multibase)
}

/// Checks the proof on `document` by `actor`: with the key we know, then with a fresh copy
/// of the actor (keys rotate).
pub async fn verify_proof_by(ctx: &FedContext, document: &Value, actor: &Url) -> Result<()> {
    let key_id = integrity::proof_key_id(document)
        .ok_or_else(|| Error::bad_request("the document carries no proof"))?;
    let key = assertion_key(ctx, key_id, actor, false).await?;
    if integrity::verify(document, &key).is_ok() {
        return Ok(());
    }
    let fresh = assertion_key(ctx, key_id, actor, true).await?;
    integrity::verify(document, &fresh)
        .map_err(|e| Error::bad_request(format!("proof by {actor} does not verify: {e}")))
}

/// The actor a document says it is from (`actor`, else `attributedTo`).
pub fn author_of(document: &Value) -> Option<Url> {
    document
        .get("actor")
        .or_else(|| document.get("attributedTo"))
        .and_then(id_of)
}
