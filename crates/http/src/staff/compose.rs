//! Writing: a post in one or several languages, with a visibility, an image and its
//! required description, a content warning, as a reply or into an alliance; editing and
//! deleting. One form that works without JavaScript on a small phone.

use super::{Staff, done, take_notice};
use crate::HttpState;
use axum::{
    Form,
    extract::{Multipart, Path, Query, State},
    http::StatusCode,
    response::Response,
};
use minijinja::context;
use puentes_app::posts::{NewImage, NewPost};
use puentes_core::{Error, MembershipStatus, Result, Visibility};
use puentes_db::{query, read::PostView};
use serde::{Deserialize, Serialize};

/// Languages offered for a text (the interface's four first).
pub const LANGUAGES: &[&str] = &["en", "es", "fr", "ar", "pt", "de", "it", "ca", "eu", "gl"];
/// Extra languages one form can add.
const TRANSLATION_SLOTS: usize = 2;

#[derive(Serialize, Default, Clone)]
struct Draft {
    text: String,
    language: String,
    translations: Vec<(String, String)>,
    visibility: String,
    summary: String,
    reply_to: String,
    to_alliance: String,
    alt: String,
}

#[derive(Serialize)]
struct AllianceChoice {
    handle: String,
    name: String,
}

#[derive(Deserialize)]
pub struct ComposeQuery {
    reply_to: Option<String>,
    to: Option<String>,
}

/// Active alliances of the actor, to post into.
async fn alliances(state: &HttpState, actor_id: i64) -> Result<Vec<AllianceChoice>> {
    Ok(query::membership::alliances_of(&state.db, actor_id)
        .await?
        .into_iter()
        .filter(|(m, _)| m.status() == MembershipStatus::Active)
        .map(|(_, a)| AllianceChoice {
            handle: a.handle().acct(),
            name: puentes_db::read::display_name(&a),
        })
        .collect())
}

async fn form(
    state: &HttpState,
    staff: &Staff,
    name: &str,
    draft: Draft,
    problem: Option<String>,
) -> Result<Response> {
    let acting = staff.acting(state, name).await?;
    let alliances = alliances(state, acting.actor.id).await?;
    let visibilities: Vec<&str> = Visibility::CHOSEN.iter().map(|v| v.as_str()).collect();
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut translations = draft.translations.clone();
    translations.resize(TRANSLATION_SLOTS, Default::default());
    let mut response = staff.page(
        state,
        Some(&acting),
        "staff/compose.html",
        context! {
            draft => draft,
            translations => translations,
            problem => problem,
            alliances => alliances,
            visibilities => visibilities,
            languages => LANGUAGES,
            notice => take_notice(&staff.session).await,
        },
    )?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn compose_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Query(q): Query<ComposeQuery>,
) -> Result<Response> {
    let draft = Draft {
        language: staff.reader.lang.code().to_string(),
        visibility: "public".into(),
        reply_to: q.reply_to.unwrap_or_default(),
        to_alliance: q.to.unwrap_or_default(),
        ..Draft::default()
    };
    form(&state, &staff, &name, draft, None).await
}

fn bad_form(e: impl std::fmt::Display) -> Error {
    Error::bad_request(format!("the form could not be read: {e}"))
}

/// Reads the compose form (multipart: it may carry an image).
async fn read_form(mut multipart: Multipart) -> Result<(Draft, Option<Vec<u8>>)> {
    let mut draft = Draft::default();
    let mut image = None;
    let mut translations = vec![(String::new(), String::new()); TRANSLATION_SLOTS];
    while let Some(field) = multipart.next_field().await.map_err(bad_form)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "image" {
            let bytes = field.bytes().await.map_err(bad_form)?;
            if !bytes.is_empty() {
                puentes_app::media::check_upload_size(bytes.len())?;
                image = Some(bytes.to_vec());
            }
            continue;
        }
        let value = field.text().await.map_err(bad_form)?;
        match name.as_str() {
            "text" => draft.text = value,
            "language" => draft.language = value,
            "visibility" => draft.visibility = value,
            "summary" => draft.summary = value,
            "reply_to" => draft.reply_to = value,
            "to_alliance" => draft.to_alliance = value,
            "alt" => draft.alt = value,
            other => {
                for (i, slot) in translations.iter_mut().enumerate() {
                    if other == format!("tr_lang_{i}") {
                        slot.0 = value.clone();
                    } else if other == format!("tr_text_{i}") {
                        slot.1 = value.clone();
                    }
                }
            }
        }
    }
    draft.translations = translations;
    Ok((draft, image))
}

fn some(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn new_post(draft: &Draft, image: Option<Vec<u8>>) -> Result<NewPost> {
    let visibility = Visibility::parse(&draft.visibility)?;
    Ok(NewPost {
        text: draft.text.clone(),
        visibility,
        language: some(&draft.language),
        translations: draft
            .translations
            .iter()
            .filter(|(l, t)| !l.trim().is_empty() && !t.trim().is_empty())
            .cloned()
            .collect(),
        title: None,
        summary: some(&draft.summary),
        reply_to: some(&draft.reply_to),
        to_alliance: some(&draft.to_alliance),
        images: image
            .map(|bytes| {
                vec![NewImage {
                    bytes,
                    alt: draft.alt.clone(),
                }]
            })
            .unwrap_or_default(),
        media_ids: Vec::new(),
    })
}

/// What a refused command says, shown above the form kept as it was typed.
fn problem_of(e: &Error) -> Option<String> {
    e.is_users_mistake().then(|| e.message().to_string())
}

pub async fn publish(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    multipart: Multipart,
) -> Result<Response> {
    let (draft, image) = read_form(multipart).await?;
    let result = match new_post(&draft, image) {
        Ok(post) => state.app.publish(&staff.caller, &name, post).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => done(&staff.session, &format!("/staff/as/{name}/posts"), "posted").await,
        Err(e) => match problem_of(&e) {
            Some(problem) => form(&state, &staff, &name, draft, Some(problem)).await,
            None => Err(e),
        },
    }
}

#[derive(Serialize)]
struct OwnPost {
    id: i64,
    view: PostView,
    visibility: String,
}

/// The actor's latest posts, each with edit and delete.
pub async fn posts_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
) -> Result<Response> {
    let (acting, rows) = state.app.own_posts(&staff.caller, &name, 40).await?;
    let prefer = staff.reader.lang.code();
    let posts: Vec<OwnPost> = rows
        .iter()
        .map(|p| OwnPost {
            id: p.id,
            view: PostView::of(p, &acting.actor, prefer),
            visibility: p.visibility.clone(),
        })
        .collect();
    staff.page(
        &state,
        Some(&acting),
        "staff/posts.html",
        context! { posts => posts, notice => take_notice(&staff.session).await },
    )
}

/// One of the actor's posts, by its row id.
async fn own_post(
    state: &HttpState,
    staff: &Staff,
    name: &str,
    id: i64,
) -> Result<(puentes_app::Acting, puentes_db::post::Model)> {
    let acting = staff.acting(state, name).await?;
    let post = query::post::by_id(&state.db, id)
        .await?
        .filter(|p| p.author_id == acting.actor.id && p.local && p.deleted_at.is_none())
        .ok_or_else(|| Error::not_found("post"))?;
    Ok((acting, post))
}

pub async fn edit_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path((name, id)): Path<(String, i64)>,
) -> Result<Response> {
    let (acting, post) = own_post(&state, &staff, &name, id).await?;
    // The stored text is HTML; the form gives it back as plain text to rewrite.
    let text = editable_text(&post.content);
    staff.page(
        &state,
        Some(&acting),
        "staff/edit.html",
        context! { id => id, text => text, problem => None::<String> },
    )
}

#[derive(Deserialize)]
pub struct EditForm {
    text: String,
}

pub async fn edit(
    State(state): State<HttpState>,
    staff: Staff,
    Path((name, id)): Path<(String, i64)>,
    Form(f): Form<EditForm>,
) -> Result<Response> {
    let (acting, post) = own_post(&state, &staff, &name, id).await?;
    match state
        .app
        .edit_post(&staff.caller, &post.ap_id, &f.text)
        .await
    {
        Ok(_) => done(&staff.session, &format!("/staff/as/{name}/posts"), "edited").await,
        Err(e) => match problem_of(&e) {
            Some(problem) => {
                let mut response = staff.page(
                    &state,
                    Some(&acting),
                    "staff/edit.html",
                    context! { id => id, text => f.text, problem => problem },
                )?;
                *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                Ok(response)
            }
            None => Err(e),
        },
    }
}

pub async fn delete(
    State(state): State<HttpState>,
    staff: Staff,
    Path((name, id)): Path<(String, i64)>,
) -> Result<Response> {
    let (_, post) = own_post(&state, &staff, &name, id).await?;
    state.app.delete_post(&staff.caller, &post.ap_id).await?;
    done(
        &staff.session,
        &format!("/staff/as/{name}/posts"),
        "deleted",
    )
    .await
}

/// A post's HTML as text to edit: paragraphs and line breaks kept, markup dropped.
fn editable_text(html: &str) -> String {
    let spaced = html
        .replace("</p>", "\n\n")
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n");
    let text = puentes_core::sanitize::strip_html(&spaced);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn posts_are_edited_as_text() {
        assert_eq!(
            super::editable_text("<p>Hola &amp; <a href=\"/tags/x\">#x</a></p><p>dos<br>tres</p>"),
            "Hola & #x\n\ndos\ntres"
        );
    }
}
