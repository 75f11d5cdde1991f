//! Web pages (and later the JSON APIs). Never depends on the federation crate: state
//! changes go through the database and its outbox.

use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use minijinja::{Environment, context, path_loader};
use puentes_core::{Config, Error, Result, urls::Urls};
use puentes_db::{DatabaseConnection, query};
use std::{path::PathBuf, sync::Arc};

pub mod calls;
pub mod media;
mod statements;

#[derive(Clone)]
pub struct HttpState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub urls: Urls,
    templates: Arc<Environment<'static>>,
}

/// `web/` from the configuration, else beside the sources, else in the working directory.
pub fn web_dir(config: &Config) -> PathBuf {
    if let Some(dir) = &config.web_dir {
        return dir.clone();
    }
    let source_tree = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web"));
    if source_tree.join("templates").is_dir() {
        source_tree
    } else {
        PathBuf::from("web")
    }
}

impl HttpState {
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        let mut env = Environment::new();
        env.set_loader(path_loader(web_dir(&config).join("templates")));
        let urls = Urls::new(&config);
        HttpState {
            db,
            config,
            urls,
            templates: Arc::new(env),
        }
    }

    pub(crate) fn render(&self, name: &str, ctx: minijinja::Value) -> Result<Response> {
        let template = self
            .templates
            .get_template(name)
            .map_err(|e| Error::internal("missing template").with_source(e))?;
        let html = template
            .render(ctx)
            .map_err(|e| Error::internal("template failed").with_source(e))?;
        Ok(Html(html).into_response())
    }
}

pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/@{name}", get(actor_page))
        .route("/@{name}/posts/{id}", get(post_page))
        .route(
            "/@{name}/statements/{uuid}",
            get(statements::statement_page),
        )
        .route("/@{name}/calls/{id}", get(calls::call_page))
        .route("/tags/{tag}", get(tag_page))
        .route("/media/{file}", get(media::serve))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

async fn home(State(state): State<HttpState>) -> Result<Response> {
    let actors = query::actor::list_local(&state.db).await?;
    let actors: Vec<_> = actors
        .iter()
        .map(|a| context! { name => a.username, display_name => a.display_name.clone().unwrap_or(a.username.clone()), kind => a.kind })
        .collect();
    state.render(
        "home.html",
        context! {
            instance_name => state.config.instance_name,
            description => state.config.instance_description,
            domain => state.config.domain,
            actors => actors,
        },
    )
}

async fn actor_page(State(state): State<HttpState>, Path(name): Path<String>) -> Result<Response> {
    let actor = query::actor::local_by_name_required(&state.db, &name).await?;
    let posts = query::post::visible_by_author(&state.db, actor.id, 1, 20).await?;
    let followers =
        query::follow::count_accepted(&state.db, actor.id, query::follow::Side::Followers).await?;
    let posts: Vec<_> = posts
        .iter()
        .filter_map(|p| {
            let uuid = p.ap_id.rsplit('/').next()?.to_string();
            Some(context! { title => p.name, content => minijinja::Value::from_safe_string(p.content.clone()), published => p.published.format("%Y-%m-%d %H:%M UTC").to_string(), link => format!("/@{}/posts/{uuid}", actor.username) })
        })
        .collect();
    // Alliances show their members when the list is public, otherwise only how many.
    let (member_count, members) = if actor.is_alliance() {
        let rows =
            query::membership::members(&state.db, actor.id, puentes_core::MembershipStatus::Active)
                .await?;
        let shown: Vec<_> =
            if actor.member_list_visibility() == puentes_core::MemberListVisibility::Public {
                rows.iter()
                    .map(|(m, a)| {
                        context! {
                            name => a.display_name.clone().unwrap_or(a.username.clone()),
                            handle => format!("@{}@{}", a.username, a.domain),
                            link => a.url.clone().unwrap_or(a.ap_id.clone()),
                            role => m.role,
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
        (Some(rows.len()), shown)
    } else {
        (None, Vec::new())
    };
    // What the actor calls others to do, soonest first, and the statements it opened.
    let calls: Vec<_> =
        query::call::by_organizers(&state.db, &[actor.id], chrono::Utc::now(), 10)
            .await?
            .iter()
            .filter(|c| c.local)
            .filter_map(|c| {
                let uuid = c.ap_id.rsplit('/').next()?.to_string();
                Some(context! { title => c.name, summary => c.summary, status => c.status, link => format!("/@{}/calls/{uuid}", actor.username) })
            })
            .collect();
    let mut statements = Vec::new();
    for row in query::statement::of_owner(&state.db, actor.id).await? {
        if row.status() == puentes_core::StatementStatus::Draft {
            continue;
        }
        let version = query::statement::current_version(&state.db, row.id).await?;
        statements.push(context! { title => version.name, status => row.status, link => format!("/@{}/statements/{}", actor.username, row.uuid) });
    }
    state.render("actor.html", context! {
        calls => calls,
        statements => statements,
        member_count => member_count,
        members => members,
        instance_name => state.config.instance_name,
        name => actor.username,
        display_name => actor.display_name.clone().unwrap_or(actor.username.clone()),
        kind => actor.kind,
        summary => minijinja::Value::from_safe_string(actor.summary.clone().unwrap_or_default()),
        handle => format!("@{}@{}", actor.username, state.config.domain),
        actor_id => actor.ap_id,
        followers => followers,
        posts => posts,
    })
}

async fn tag_page(State(state): State<HttpState>, Path(tag): Path<String>) -> Result<Response> {
    let tag = tag.trim_start_matches('#').to_lowercase();
    if tag.is_empty() || !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(Error::not_found("hashtag"));
    }
    let mut posts = Vec::new();
    for post in query::post::local_with_hashtag(&state.db, &tag, 40).await? {
        let author = query::actor::get(&state.db, post.author_id).await?;
        posts.push(context! {
            author => author.display_name.clone().unwrap_or(author.username.clone()),
            title => post.name,
            content => minijinja::Value::from_safe_string(post.content.clone()),
            published => post.published.format("%Y-%m-%d %H:%M UTC").to_string(),
            link => post.url.clone().unwrap_or(post.ap_id.clone()),
        });
    }
    state.render(
        "tag.html",
        context! { instance_name => state.config.instance_name, tag => tag, posts => posts },
    )
}

async fn post_page(
    State(state): State<HttpState>,
    Path((name, id)): Path<(String, String)>,
) -> Result<Response> {
    let actor = query::actor::local_by_name_required(&state.db, &name).await?;
    let uuid = uuid::Uuid::parse_str(&id).map_err(|_| Error::not_found("post"))?;
    let post = query::post::by_ap_id(&state.db, state.urls.post(uuid).as_str())
        .await?
        .filter(|p| p.author_id == actor.id && p.is_publicly_readable())
        .ok_or_else(|| Error::not_found("post"))?;
    if post.deleted_at.is_some() {
        return Ok((
            StatusCode::GONE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "This post was deleted.",
        )
            .into_response());
    }
    let translations: Option<Vec<_>> = post.content_map().map(|languages| {
        languages
            .into_iter()
            .map(|(lang, html)| context! { lang => lang, content => minijinja::Value::from_safe_string(html) })
            .collect()
    });
    state.render(
        "post.html",
        context! {
            instance_name => state.config.instance_name,
            name => actor.username,
            display_name => actor.display_name.clone().unwrap_or(actor.username.clone()),
            title => post.name,
            summary => post.summary,
            language => post.language,
            content => minijinja::Value::from_safe_string(post.content.clone()),
            translations => translations,
            published => post.published.format("%Y-%m-%d %H:%M UTC").to_string(),
            post_id => post.ap_id,
        },
    )
}
