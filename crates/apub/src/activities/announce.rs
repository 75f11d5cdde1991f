//! Announce: a relay (boost) of a post, by its id or wrapping its Create (FEP-1b12).

use crate::{
    context::Data,
    fetch,
    outcome::Outcome,
    protocol::{
        activities::Envelope,
        helpers::{id_of, type_of},
        note::{POST_TYPES, parse_remote_post},
    },
};
use activitypub_federation::fetch::fetch_object_http;
use puentes_app::{App, Caller, posts::Received};
use puentes_core::{Error, Result, urls::authority};
use puentes_db::{post, query};
use serde_json::Value;
use url::Url;

/// The relayed object's id: never an Announce of an Announce, always the original.
fn object_id(object: &Value) -> Option<Url> {
    match type_of(object) {
        Some("Create") | Some("Update") => object.get("object").and_then(id_of),
        _ => id_of(object),
    }
}

/// Reads a post from its origin (a relay is not trusted with its content), and keeps it.
pub async fn fetch_post(data: &Data, app: &App, id: &Url) -> Result<post::Model> {
    if let Some(known) = query::post::by_ap_id(&data.db, id.as_str()).await? {
        return Ok(known);
    }
    let response = fetch_object_http::<_, Value>(id, data)
        .await
        .map_err(|e| fetch::classify(&e))?;
    let remote = parse_remote_post(&response.object).map_err(Error::bad_request)?;
    if authority(&remote.id) != authority(&remote.attributed_to) {
        return Err(Error::forbidden(
            "the post and its author are on different hosts",
        ));
    }
    let author = fetch::actor_by_id(data, &remote.attributed_to).await?;
    app.keep_fetched_post(super::create_or_update::post_data(remote, &author))
        .await
}

/// An `Announce{Update}` or `Announce{Delete}` of a post we keep: the relay is not trusted
/// with the change, the post is read again from its origin (gone means deleted).
async fn apply_forwarded_change(data: &Data, app: &App, activity: &Envelope) -> Result<Outcome> {
    let inner = activity.object.get("object");
    let Some(id) = inner.and_then(id_of) else {
        return Ok(Outcome::Ignored("forwarded change without object".into()));
    };
    let Some(existing) = query::post::by_ap_id(&data.db, id.as_str()).await? else {
        return Ok(Outcome::Ignored(
            "forwarded change of a post we do not keep".into(),
        ));
    };
    if existing.local || existing.deleted_at.is_some() {
        return Ok(Outcome::Ignored(
            "forwarded change of a local or deleted post".into(),
        ));
    }
    let author = query::actor::get(&data.db, existing.author_id).await?;
    let fresh = match fetch::signed_get_status(data, &id).await? {
        (404 | 410, _) => None,
        (status, Some(doc)) if (200..300).contains(&status) => match parse_remote_post(&doc) {
            Ok(remote) if remote.id == id && remote.attributed_to.as_str() == author.ap_id => {
                Some(super::create_or_update::post_data(remote, &author))
            }
            // A Tombstone, or no longer the author's post.
            _ => None,
        },
        (status, _) => {
            return Err(Error::remote(format!(
                "the post's origin answered {status}; try later"
            )));
        }
    };
    app.refresh_post(existing, fresh).await?;
    Ok(Outcome::Applied)
}

pub async fn receive_announce(
    data: &Data,
    app: &App,
    announcer: &puentes_db::actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    // A group forwarding an edit or a deletion (FEP-1b12): check with the origin.
    if matches!(type_of(&activity.object), Some("Update") | Some("Delete")) {
        return apply_forwarded_change(data, app, activity).await;
    }
    // Groups also announce activities that are not posts (Lemmy: votes, moderation);
    // their ids are not posts to fetch.
    if let Some(kind) = type_of(&activity.object)
        && !matches!(kind, "Create" | "Update")
        && !POST_TYPES.contains(&kind)
    {
        return Ok(Outcome::Ignored(format!(
            "Announce of a {kind} is not a relay of a post"
        )));
    }
    let Some(id) = object_id(&activity.object) else {
        return Ok(Outcome::Ignored("Announce without object".into()));
    };
    // Boosts of our own posts always count; others only when someone here follows the booster.
    let ours = data.urls.is_local(&id);
    if !ours && !app.is_followed_here(announcer).await? {
        return Ok(Outcome::Ignored("nobody here follows the announcer".into()));
    }
    let post = if ours {
        match query::post::by_ap_id(&data.db, id.as_str()).await? {
            Some(post) => post,
            None => {
                return Ok(Outcome::Ignored(
                    "Announce of an unknown local object".into(),
                ));
            }
        }
    } else {
        fetch_post(data, app, &id).await?
    };
    Ok(
        match app
            .receive_announce(
                &Caller::remote_actor(announcer),
                &post,
                activity.id.as_str(),
            )
            .await?
        {
            Received::Stored => Outcome::Applied,
            Received::Ignored(why) => Outcome::Ignored(why.into()),
        },
    )
}
