//! Create and Update of posts, and Update of actor profiles.

use crate::{
    context::Data,
    inbox::Outcome,
    objects::actor::store_remote_actor,
    protocol::{
        activities::Envelope,
        actor::ACTOR_TYPES,
        helpers::type_of,
        note::{parse_remote_post, visibility},
        statement::is_statement,
    },
};
use puentes_core::{Error, Result, urls::authority};
use puentes_db::{actor, query, query::post::PostData};

pub(crate) fn post_data(
    post: crate::protocol::note::RemotePost,
    author: &actor::Model,
) -> PostData {
    let visibility = visibility(&post.to, &post.cc, author.followers_url.as_deref()).to_string();
    PostData {
        ap_id: post.id.to_string(),
        author_id: author.id,
        kind: post.kind,
        content: post.content,
        summary: post.summary,
        name: post.name,
        language: post.language,
        sensitive: post.sensitive,
        in_reply_to: post.in_reply_to.map(String::from),
        url: post.url.map(String::from),
        visibility,
        to: post.to,
        cc: post.cc,
        local: false,
        published: post.published.unwrap_or_else(chrono::Utc::now),
        updated_at: post.updated,
        content_map: post.content_map,
        tags: post.tags,
        audience: post.audience.map(String::from),
        attachments: post.attachments,
    }
}

/// We keep posts of actors someone here follows, and posts addressed to our actors.
pub(crate) async fn is_wanted(
    data: &Data,
    author: &actor::Model,
    to: &[String],
    cc: &[String],
) -> Result<bool> {
    if query::follow::has_local_follower(&data.db, author.id).await? {
        return Ok(true);
    }
    for address in to.iter().chain(cc) {
        // Addressed to the members of an alliance one of ours belongs to.
        if let Some(alliance_id) = address.strip_suffix("/members")
            && let Some(alliance) = query::actor::by_ap_id(&data.db, alliance_id).await?
            && query::membership::members(&data.db, alliance.id, query::membership::ACTIVE)
                .await?
                .iter()
                .any(|(_, member)| member.local)
        {
            return Ok(true);
        }
        if let Ok(url) = url::Url::parse(address)
            && data.urls.is_local(&url)
            && let Some(local) = query::actor::by_ap_id(&data.db, address).await?
            && !query::block::exists(&data.db, local.id, author.id).await?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn receive_create(
    data: &Data,
    author: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    if type_of(&activity.object) == Some("Event") {
        return super::calls::receive_event(data, author, activity).await;
    }
    if !activity.object.is_object() {
        return Ok(Outcome::Ignored(
            "Create with an object given only by id".into(),
        ));
    }
    if is_statement(&activity.object) {
        return super::statements::receive_version(data, author, &activity.object).await;
    }
    let post = match parse_remote_post(&activity.object) {
        Ok(post) => post,
        Err(reason) => return Ok(Outcome::Ignored(reason)),
    };
    if post.attributed_to.as_str() != author.ap_id || authority(&post.id) != author.domain {
        return Err(Error::forbidden(
            "the object is not attributed to the activity's actor",
        ));
    }
    // Replies to our posts are kept (unless their author blocked the replier), as Mastodon
    // keeps replies to its local statuses.
    let answers_ours = match &post.in_reply_to {
        Some(parent) if data.urls.is_local(parent) => {
            match query::post::by_ap_id(&data.db, parent.as_str()).await? {
                Some(ours) => !query::block::exists(&data.db, ours.author_id, author.id).await?,
                None => false,
            }
        }
        _ => false,
    };
    if !answers_ours && !is_wanted(data, author, &post.to, &post.cc).await? {
        return Ok(Outcome::Ignored(
            "nobody here follows the author or is addressed".into(),
        ));
    }
    if query::post::by_ap_id(&data.db, post.id.as_str())
        .await?
        .is_some()
    {
        return Ok(Outcome::Ignored("post already stored".into()));
    }
    let stored = query::post::insert(&data.db, post_data(post, author)).await?;
    crate::relay::consider(data, &stored, None).await?;
    Ok(Outcome::Applied)
}

pub async fn receive_update(
    data: &Data,
    author: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let kind = type_of(&activity.object).unwrap_or_default();
    if kind == "Event" {
        return super::calls::receive_event(data, author, activity).await;
    }
    if ACTOR_TYPES.contains(&kind) {
        let id = crate::protocol::helpers::id_of(&activity.object);
        if id.as_ref().map(url::Url::as_str) != Some(author.ap_id.as_str()) {
            return Err(Error::forbidden("an actor can only update itself"));
        }
        store_remote_actor(data, &activity.object).await?;
        return Ok(Outcome::Applied);
    }
    if is_statement(&activity.object) {
        return super::statements::receive_version(data, author, &activity.object).await;
    }
    let post = match parse_remote_post(&activity.object) {
        Ok(post) => post,
        Err(reason) => return Ok(Outcome::Ignored(reason)),
    };
    let Some(existing) = query::post::by_ap_id(&data.db, post.id.as_str()).await? else {
        return receive_create(data, author, activity).await;
    };
    if existing.author_id != author.id || post.attributed_to.as_str() != author.ap_id {
        return Err(Error::forbidden("only the author can edit a post"));
    }
    if existing.deleted_at.is_some() {
        return Ok(Outcome::Ignored("post was deleted".into()));
    }
    query::post::update_content(&data.db, existing, post_data(post, author)).await?;
    Ok(Outcome::Applied)
}
