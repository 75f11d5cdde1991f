//! Create and Update of posts, and Update of actor profiles.

use crate::{
    context::Data,
    objects::actor::store_remote_actor,
    outcome::Outcome,
    protocol::{
        activities::Envelope,
        actor::ACTOR_TYPES,
        helpers::type_of,
        note::{RemotePost, parse_remote_post, visibility},
        statement::is_statement,
    },
};
use puentes_app::{App, Caller, posts::Received};
use puentes_core::{Error, Result, urls::authority};
use puentes_db::{actor, query::post::PostData};

/// A remote post as domain data.
pub(crate) fn post_data(post: RemotePost, author: &actor::Model) -> PostData {
    let visibility = visibility(&post.to, &post.cc, author.followers_url.as_deref());
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

fn outcome(received: Received) -> Outcome {
    match received {
        Received::Stored => Outcome::Applied,
        Received::Ignored(why) => Outcome::Ignored(why.into()),
    }
}

/// The post in an activity, checked to be attributed to the activity's actor on its host.
fn own_post(author: &actor::Model, activity: &Envelope) -> Result<Option<PostData>> {
    let post = match parse_remote_post(&activity.object) {
        Ok(post) => post,
        Err(_) => return Ok(None),
    };
    if post.attributed_to.as_str() != author.ap_id || authority(&post.id) != author.domain {
        return Err(Error::forbidden(
            "the object is not attributed to the activity's actor",
        ));
    }
    Ok(Some(post_data(post, author)))
}

pub async fn receive_create(
    data: &Data,
    app: &App,
    author: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    if type_of(&activity.object) == Some("Event") {
        return super::calls::receive_event(data, app, author, activity).await;
    }
    if !activity.object.is_object() {
        return Ok(Outcome::Ignored(
            "Create with an object given only by id".into(),
        ));
    }
    if is_statement(&activity.object) {
        return super::statements::receive_version(data, app, author, &activity.object).await;
    }
    match parse_remote_post(&activity.object) {
        Err(reason) => Ok(Outcome::Ignored(reason)),
        Ok(_) => {
            let Some(post) = own_post(author, activity)? else {
                return Ok(Outcome::Ignored("not a post".into()));
            };
            Ok(outcome(
                app.receive_post(&Caller::remote_actor(author), post)
                    .await?,
            ))
        }
    }
}

pub async fn receive_update(
    data: &Data,
    app: &App,
    author: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let kind = type_of(&activity.object).unwrap_or_default();
    if kind == "Event" {
        return super::calls::receive_event(data, app, author, activity).await;
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
        return super::statements::receive_version(data, app, author, &activity.object).await;
    }
    if let Err(reason) = parse_remote_post(&activity.object) {
        return Ok(Outcome::Ignored(reason));
    }
    let Some(post) = own_post(author, activity)? else {
        return Ok(Outcome::Ignored("not a post".into()));
    };
    Ok(outcome(
        app.receive_post_update(&Caller::remote_actor(author), post)
            .await?,
    ))
}
