//! Statements arriving from other instances: copies of versions (Create/Update), the
//! owner's Add and Remove of endorsements, invitations and their answers, Endorse and its
//! Undo, the owner's answer to an Endorse, and Mastodon `Like`s as unverified supporters.
//! Proofs are checked here; what they mean is decided by the app.

use crate::{
    context::Data,
    network::remote_statement,
    objects::statement::verify_proof_by,
    outcome::Outcome,
    protocol::{
        activities::Envelope,
        helpers::{id_of, type_of},
        statement::parse_endorse,
    },
};
use puentes_app::{
    App, Caller,
    statements::{Admission, ReceivedEndorsement},
};
use puentes_core::{Error, InvitationRole, Result};
use puentes_db::{actor, query};
use serde_json::Value;
use url::Url;

/// Keeps (or refreshes) our copy of a version its owner signed, after checking the proof.
async fn keep_copy(
    data: &Data,
    app: &App,
    owner: &actor::Model,
    document: &Value,
) -> Result<(
    puentes_db::statement::Model,
    puentes_db::statement_version::Model,
)> {
    let remote = remote_statement(owner.clone(), document)?;
    let owner_id = Url::parse(&owner.ap_id).map_err(|_| Error::bad_request("bad owner id"))?;
    verify_proof_by(data, document, &owner_id).await?;
    app.keep_statement_copy(remote).await
}

/// Create or Update of a statement version by its owner.
pub async fn receive_version(
    data: &Data,
    app: &App,
    owner: &actor::Model,
    object: &Value,
) -> Result<Outcome> {
    keep_copy(data, app, owner, object).await?;
    Ok(Outcome::Applied)
}

/// An owner invites one of our actors to co-initiate or to endorse its statement.
pub async fn receive_invite(
    data: &Data,
    app: &App,
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
    let (row, _) = keep_copy(data, app, owner, &activity.object).await?;
    let role = match activity.raw.get("role").and_then(Value::as_str) {
        Some("endorser") => InvitationRole::Endorser,
        _ => InvitationRole::Initiator,
    };
    app.receive_statement_invite(
        &Caller::remote_actor(owner),
        &row,
        &invitee,
        role,
        activity.id.as_str(),
    )
    .await?;
    Ok(Outcome::Applied)
}

/// An `Endorse` whose proof by `endorser` holds, as domain data.
async fn verified_endorsement(
    data: &Data,
    endorser: &Url,
    document: &Value,
) -> Result<ReceivedEndorsement> {
    let endorse = parse_endorse(document).map_err(Error::bad_request)?;
    if &endorse.actor != endorser {
        return Err(Error::forbidden(
            "an endorsement must come from its endorser",
        ));
    }
    verify_proof_by(data, document, &endorse.actor).await?;
    Ok(ReceivedEndorsement {
        id: endorse.id.to_string(),
        version: endorse.object.to_string(),
        digest: endorse.digest,
        anonymous: endorse.anonymous,
        note: endorse
            .note
            .as_deref()
            .map(puentes_core::sanitize::clean_html),
        document: serde_json::to_string(document)?,
    })
}

pub async fn receive_endorse(
    data: &Data,
    app: &App,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let endorser = Url::parse(&signer.ap_id).map_err(|_| Error::bad_request("bad actor id"))?;
    let received = verified_endorsement(data, &endorser, &activity.raw).await?;
    let (admission, _) = app.admit_endorsement(signer, received).await?;
    Ok(match admission {
        Admission::Rejected => Outcome::Ignored("endorsement rejected".into()),
        _ => Outcome::Applied,
    })
}

/// Undo of an Endorse (by its endorser) or of a Like; None when it undoes something else.
pub async fn receive_undo(
    data: &Data,
    app: &App,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(undone) = id_of(&activity.object) else {
        return Ok(None);
    };
    let caller = Caller::remote_actor(signer);
    if let Some(endorsement) = app.endorsement_by_id(undone.as_str()).await? {
        if activity.raw.get("proof").is_some() {
            verify_proof_by(data, &activity.raw, &activity.actor).await?;
        }
        let applied = app
            .receive_endorsement_withdrawal(
                &caller,
                endorsement,
                &serde_json::to_string(&activity.raw)?,
            )
            .await?;
        return Ok(Some(if applied {
            Outcome::Applied
        } else {
            Outcome::Duplicate
        }));
    }
    if type_of(&activity.object) == Some("Like")
        && app
            .receive_statement_unlike(&caller, undone.as_str())
            .await?
    {
        return Ok(Some(Outcome::Applied));
    }
    Ok(None)
}

/// A `Like` of one of our statements: an unverified supporter.
pub async fn receive_like(
    app: &App,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let Some(object) = id_of(&activity.object) else {
        return Ok(Outcome::Ignored("Like without object".into()));
    };
    Ok(
        if app
            .receive_statement_like(
                &Caller::remote_actor(signer),
                object.as_str(),
                activity.id.as_str(),
            )
            .await?
        {
            Outcome::Applied
        } else {
            Outcome::Ignored("Like of something other than our statements".into())
        },
    )
}

/// The owner adds an endorsement to its public list (our copy keeps it, after checking the
/// endorser's proof ourselves), or a co-initiator adds a translation.
pub async fn receive_add(
    data: &Data,
    app: &App,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let caller = Caller::remote_actor(signer);
    if type_of(&activity.object) == Some("Note") {
        let target = activity
            .raw
            .get("target")
            .and_then(id_of)
            .ok_or_else(|| Error::bad_request("Add has no target"))?;
        let Some(Value::Object(languages)) = activity.object.get("contentMap") else {
            return Err(Error::bad_request("the translation has no contentMap"));
        };
        let mut texts = Vec::new();
        for (language, html) in languages {
            let html = html
                .as_str()
                .ok_or_else(|| Error::bad_request("a translation must be text"))?;
            texts.push((language.clone(), html.to_string()));
        }
        let handled = app
            .receive_statement_translation(&caller, target.as_str(), texts)
            .await?;
        return Ok(Some(if handled {
            Outcome::Applied
        } else {
            Outcome::Ignored("Add to something other than a statement".into())
        }));
    }
    if type_of(&activity.object) != Some("Endorse") {
        return Ok(None);
    }
    let endorse = parse_endorse(&activity.object).map_err(Error::bad_request)?;
    if query::statement::version_by_ap_id(&data.db, endorse.object.as_str())
        .await?
        .is_none()
    {
        return Ok(Some(Outcome::Ignored(
            "endorsement of a statement we keep no copy of".into(),
        )));
    }
    let received = verified_endorsement(data, &endorse.actor, &activity.object).await?;
    let endorser = crate::fetch::actor_by_id(data, &endorse.actor).await?;
    let added = app
        .receive_endorsement_added(&caller, &endorser, received)
        .await?;
    Ok(Some(if added {
        Outcome::Applied
    } else {
        Outcome::Duplicate
    }))
}

/// The owner moves an endorsement to its revocations; the endorser's signed Undo travels
/// as the `instrument` and is kept when its proof holds.
pub async fn receive_remove(
    data: &Data,
    app: &App,
    owner: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(removed) = id_of(&activity.object) else {
        return Ok(None);
    };
    let Some(endorsement) = app.endorsement_by_id(removed.as_str()).await? else {
        return Ok(None);
    };
    let endorser = query::actor::get(&data.db, endorsement.endorser_id).await?;
    let undo = activity.raw.get("instrument").filter(|u| {
        type_of(u) == Some("Undo") && u.get("object").and_then(id_of).as_ref() == Some(&removed)
    });
    let signed_undo = match (undo, Url::parse(&endorser.ap_id)) {
        (Some(undo), Ok(actor)) => verify_proof_by(data, undo, &actor)
            .await
            .is_ok()
            .then_some(undo),
        _ => None,
    };
    let (withdrawn, revocation) = match signed_undo {
        Some(undo) => (true, undo),
        None => (false, &activity.raw),
    };
    app.receive_endorsement_removed(
        &Caller::remote_actor(owner),
        endorsement,
        withdrawn,
        &serde_json::to_string(revocation)?,
    )
    .await?;
    Ok(Some(Outcome::Applied))
}
