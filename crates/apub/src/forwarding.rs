//! Inbox forwarding: an activity delivered by a server other than its actor's. Mastodon
//! forwards replies (and their edits and deletions) to the followers of the author they
//! answer, signed by its own key. The forwarder vouches for nothing: the activity is
//! accepted when its actor's own FEP-8b32 proof verifies, or when its object, read again
//! from its origin, is the actor's; what is stored is then what the origin says.

use crate::{
    client::Signer,
    context::Data,
    fetch,
    inbox::{Outcome, apply_once},
    objects::statement::{author_of, verify_proof_by},
    protocol::{
        activities::Envelope,
        helpers::{id_of, type_of},
    },
};
use puentes_core::{Error, ErrorKind, Result, urls::authority};
use puentes_db::actor;

pub async fn receive(
    data: &Data,
    app: &puentes_app::App,
    forwarder: &actor::Model,
    envelope: Envelope,
) -> Result<Outcome> {
    tracing::debug!(activity = %envelope.id, forwarder = %forwarder.ap_id, "forwarded activity");
    if !matches!(envelope.kind.as_str(), "Create" | "Update" | "Delete") {
        return Ok(Outcome::Ignored(format!(
            "a forwarded {} is not accepted without its actor's own signature",
            envelope.kind
        )));
    }
    let object_id = id_of(&envelope.object)
        .ok_or_else(|| Error::bad_request("forwarded activity without object"))?;
    if authority(&object_id) != authority(&envelope.actor) {
        return Err(Error::unauthorized(
            "a forwarded activity's object must be on its actor's host",
        ));
    }
    // The actor's own proof makes the activity as sent authentic, wherever it came from.
    if envelope.raw.get("proof").is_some()
        && author_of(&envelope.raw).as_ref() == Some(&envelope.actor)
        && verify_proof_by(data, &envelope.raw, &envelope.actor)
            .await
            .is_ok()
    {
        let author = fetch::actor_by_id(data, &envelope.actor).await?;
        return apply_once(data, app, &author, envelope).await;
    }
    let origin = fetch::object(data, &object_id, Signer::Instance).await;
    let envelope = match (envelope.kind.as_str(), origin) {
        ("Delete", Err(e)) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Gone) => envelope,
        ("Delete", Ok(_)) => {
            return Err(Error::unauthorized(
                "forwarded Delete refused: the object still exists at its origin",
            ));
        }
        (_, Ok(document)) => {
            if author_of(&document).as_ref() != Some(&envelope.actor) {
                return Err(Error::unauthorized(
                    "forwarded activity refused: its origin attributes the object to someone else",
                ));
            }
            if type_of(&document) != type_of(&envelope.object) && envelope.object.is_object() {
                tracing::info!(id = %object_id, "forwarded object differs in type from its origin");
            }
            Envelope {
                object: document,
                ..envelope
            }
        }
        (_, Err(e)) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Gone) => {
            return Err(Error::unauthorized(
                "forwarded activity refused: its object does not exist at its origin",
            ));
        }
        (_, Err(e)) if e.kind() == ErrorKind::RemoteFailure => {
            return Err(Error::remote(
                "the forwarded activity's origin cannot be reached; try later",
            )
            .with_source(anyhow::anyhow!("{e:?}")));
        }
        (_, Err(e)) => {
            return Err(Error::unauthorized(
                "forwarded activity refused: its object cannot be read at its origin",
            )
            .with_source(anyhow::anyhow!("{e:?}")));
        }
    };
    let author = fetch::actor_by_id(data, &envelope.actor).await?;
    apply_once(data, app, &author, envelope).await
}
