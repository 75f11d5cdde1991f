//! The staff pages: what an organization's or alliance's staff do from a phone browser.
//! Every form calls a command of the app layer, for `Caller::Staff`; rights are checked
//! there, once. Pages act as the actor named in their address (`/staff/as/{name}/…`), so
//! two tabs never disagree about whom they speak for.

use crate::{HttpState, Reader};
use axum::{
    Router,
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::{HeaderValue, header, request::Parts},
    middleware::from_fn_with_state,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use minijinja::{Value, context};
use puentes_app::{Acting, Caller, Permission, staff::StaffMember};
use puentes_core::{Error, Result};
use serde::Serialize;
use tower_sessions::Session;

pub mod account;
pub mod campaigns;
pub mod compose;
pub mod inbox;
pub mod network;
pub mod session;
pub mod settings;

pub fn router(state: &HttpState) -> Router<HttpState> {
    Router::new()
        .route("/staff", get(account::home))
        .route(
            "/staff/login",
            get(account::login_page).post(account::login),
        )
        .route("/staff/logout", post(account::logout))
        .route(
            "/staff/account",
            get(account::account_page).post(account::change_password),
        )
        .route("/staff/sessions/{id}/end", post(account::end_session))
        .route("/staff/tokens/{id}/revoke", post(account::revoke_token))
        .route("/staff/as/{name}", get(inbox::inbox))
        .route(
            "/staff/as/{name}/compose",
            get(compose::compose_page).post(compose::publish),
        )
        .route("/staff/as/{name}/posts", get(compose::posts_page))
        .route(
            "/staff/as/{name}/posts/{id}/edit",
            get(compose::edit_page).post(compose::edit),
        )
        .route("/staff/as/{name}/posts/{id}/delete", post(compose::delete))
        .route("/staff/as/{name}/decide", post(inbox::decide))
        .route("/staff/as/{name}/notifications", post(inbox::dismiss))
        .route(
            "/staff/as/{name}/statements",
            get(campaigns::statements_page).post(campaigns::create_statement),
        )
        .route(
            "/staff/as/{name}/statements/action",
            post(campaigns::statement_action),
        )
        .route(
            "/staff/as/{name}/statements/answer",
            post(campaigns::answer_invitation),
        )
        .route(
            "/staff/as/{name}/statements/translate",
            post(campaigns::translate),
        )
        .route(
            "/staff/as/{name}/statements/{uuid}",
            get(campaigns::statement_page),
        )
        .route(
            "/staff/as/{name}/statements/{uuid}/invite",
            post(campaigns::invite),
        )
        .route(
            "/staff/as/{name}/statements/{uuid}/revise",
            post(campaigns::revise),
        )
        .route(
            "/staff/as/{name}/statements/{uuid}/signatories.csv",
            get(campaigns::signatories_csv),
        )
        .route("/staff/as/{name}/endorse", post(campaigns::endorse))
        .route(
            "/staff/as/{name}/calls",
            get(campaigns::calls_page).post(campaigns::create_call),
        )
        .route(
            "/staff/as/{name}/calls/cancel",
            post(campaigns::cancel_call),
        )
        .route(
            "/staff/as/{name}/calls/{uuid}",
            get(campaigns::call_page).post(campaigns::update_call),
        )
        .route("/staff/as/{name}/pledge", post(campaigns::pledge))
        .route("/staff/as/{name}/following", get(network::following_page))
        .route("/staff/as/{name}/follow", post(network::follow))
        .route("/staff/interact", get(network::interact))
        .route("/staff/as/{name}/alliances", get(network::alliances_page))
        .route("/staff/as/{name}/membership", post(network::membership))
        .route("/staff/as/{name}/policies", post(network::policies))
        .route("/staff/as/{name}/settings", get(settings::settings_page))
        .route("/staff/as/{name}/settings/profile", post(settings::profile))
        .route(
            "/staff/as/{name}/settings/approval",
            post(settings::approval),
        )
        .route(
            "/staff/as/{name}/settings/staff",
            post(settings::staff_members),
        )
        .route(
            "/staff/as/{name}/settings/delete",
            post(settings::delete_actor),
        )
        .route("/staff/admin", get(settings::admin_page))
        .route("/staff/admin/blocks", post(settings::domain_block))
        .route("/staff/admin/retry", post(settings::retry_host))
        .layer(from_fn_with_state(state.clone(), session::require_csrf))
        .layer(session::layer(state))
        .layer(axum::extract::DefaultBodyLimit::max(
            session::MAX_FORM_BYTES,
        ))
}

/// A logged-in staff member on a staff page.
pub struct Staff {
    pub caller: Caller,
    pub member: StaffMember,
    pub session: Session,
    pub csrf: String,
    pub reader: Reader,
    /// The acting actor's notifications, counted once the page knows whom it acts for.
    unread: std::sync::OnceLock<u64>,
}

/// Sends a visitor who is not logged in to the login page, then back.
fn to_login(path: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    Redirect::to(&format!("/staff/login?next={next}")).into_response()
}

fn session_error(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("session: {e}"))
}

impl FromRequestParts<HttpState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &HttpState,
    ) -> std::result::Result<Self, Response> {
        let reader = Reader::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|e| match e {});
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let staff_id = session
            .get::<i64>(session::STAFF_KEY)
            .await
            .map_err(|e| session_error(e).into_response())?;
        let Some(staff_id) = staff_id else {
            return Err(to_login(&reader.path));
        };
        let member = match state.app.staff_member(staff_id).await {
            Ok(member) => member,
            // The account was removed: the session is worth nothing any more.
            Err(e) if e.kind() == puentes_core::ErrorKind::NotFound => {
                let _ = session.flush().await;
                return Err(to_login(&reader.path));
            }
            Err(e) => return Err(e.into_response()),
        };
        let csrf = session::csrf_token(&session)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Staff {
            caller: Caller::Staff(staff_id),
            member,
            session,
            csrf,
            reader,
            unread: std::sync::OnceLock::new(),
        })
    }
}

impl OptionalFromRequestParts<HttpState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &HttpState,
    ) -> std::result::Result<Option<Self>, Response> {
        match <Staff as FromRequestParts<HttpState>>::from_request_parts(parts, state).await {
            Ok(staff) => Ok(Some(staff)),
            Err(r) if r.status().is_redirection() => Ok(None),
            Err(r) => Err(r),
        }
    }
}

/// An actor in the switcher.
#[derive(Serialize)]
pub struct ActorChoice {
    pub name: String,
    pub display: String,
    pub role: String,
    pub alliance: bool,
    pub current: bool,
}

impl Staff {
    /// Keeps a refused command's message for the page it goes back to.
    pub(super) async fn remember_problem(&self, message: &str) -> Result<()> {
        self.session
            .insert("problem", message)
            .await
            .map_err(session_error)
    }

    /// The message kept by [`Staff::remember_problem`], shown once.
    pub(super) async fn take_problem(&self) -> Option<String> {
        self.session
            .remove::<String>("problem")
            .await
            .ok()
            .flatten()
    }

    /// The actor named in the address, if the staff member holds any role on it. What the
    /// role allows is for each command to say.
    pub async fn acting(&self, state: &HttpState, name: &str) -> Result<Acting> {
        // Every role may publish: this is "holds a role on it", asked of the app layer.
        let acting = state
            .app
            .acting(&self.caller, name, puentes_app::Permission::Publish)
            .await?;
        // For the menu: how many notifications wait on the inbox.
        let all = puentes_db::query::notification::KindFilter::default();
        let count = state
            .app
            .unread_notifications(&self.caller, name, &all, None)
            .await?;
        let _ = self.unread.set(count);
        Ok(acting)
    }

    /// Renders a staff page: the layout gets who is logged in, whom they act as, the actor
    /// switcher and the CSRF token for every form.
    pub fn page(
        &self,
        state: &HttpState,
        acting: Option<&Acting>,
        template: &str,
        ctx: Value,
    ) -> Result<Response> {
        let current = acting.map(|a| a.actor.id);
        let actors: Vec<ActorChoice> = self
            .member
            .roles
            .iter()
            .map(|(role, a)| ActorChoice {
                name: a.username.clone(),
                display: a.display_name.clone().unwrap_or_else(|| a.username.clone()),
                role: role.as_str().to_string(),
                alliance: a.is_alliance(),
                current: Some(a.id) == current,
            })
            .collect();
        let acting_ctx = acting.map(|a| {
            let role = a.role.map(|r| r.as_str()).unwrap_or("owner");
            context! {
                name => a.actor.username,
                display => a.actor.display_name.clone().unwrap_or_else(|| a.actor.username.clone()),
                handle => a.actor.handle().acct(),
                role => role,
                alliance => a.actor.is_alliance(),
                decides => a.role.is_some_and(|r| Permission::Decide.granted_to(r)),
                manages => a.role.is_some_and(|r| Permission::Manage.granted_to(r)),
                unread => self.unread.get().copied().unwrap_or_default(),
            }
        });
        let full = context! {
            ..ctx,
            ..context! {
                csrf => self.csrf,
                me => self.member.account.email,
                is_admin => self.member.account.is_admin,
                actors => actors,
                acting => acting_ctx,
                staff_page => true,
            }
        };
        let mut response = state.page(&self.reader, template, full)?;
        // Staff pages are personal and change with every decision.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(response)
    }
}

/// What a logged-in staff member may do from a public page (endorse a statement, pledge to
/// a call): the actors they may do it as, and the token for the forms. Nothing for anyone
/// else, so public pages say nothing of staff to visitors.
#[derive(Serialize)]
pub struct PublicActions {
    pub csrf: String,
    pub actors: Vec<ActorChoice>,
}

impl PublicActions {
    /// `need` says which role an actor needs for the action; `except` is the statement's
    /// owner or the call's organizer, who does not endorse or pledge to its own.
    pub async fn of(
        state: &HttpState,
        headers: &axum::http::HeaderMap,
        need: impl Fn(&puentes_db::actor::Model) -> Permission,
        except: &str,
    ) -> Option<PublicActions> {
        let (staff_id, csrf) = session::peek(&state.app, headers).await?;
        let member = state.app.staff_member(staff_id).await.ok()?;
        let actors: Vec<ActorChoice> = member
            .roles
            .iter()
            .filter(|(role, a)| a.username != except && need(a).granted_to(*role))
            .map(|(role, a)| ActorChoice {
                name: a.username.clone(),
                display: a.display_name.clone().unwrap_or_else(|| a.username.clone()),
                role: role.as_str().to_string(),
                alliance: a.is_alliance(),
                current: false,
            })
            .collect();
        (!actors.is_empty()).then_some(PublicActions { csrf, actors })
    }
}

/// A public page that shows staff forms is personal: never kept by a cache.
pub fn personal(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// After a form: back to a page of ours, with a short notice of what happened.
pub async fn done(session: &Session, to: &str, notice: &str) -> Result<Response> {
    session
        .insert("notice", notice)
        .await
        .map_err(session_error)?;
    Ok(Redirect::to(&crate::render::local_path(Some(to))).into_response())
}

/// After a command: back to the page, with its notice, or with the reason it was refused
/// when the person can act on it (anything else goes to the error page).
pub async fn outcome<T>(
    staff: &Staff,
    to: &str,
    result: Result<T>,
    notice: &str,
) -> Result<Response> {
    match result {
        Ok(_) => done(&staff.session, to, notice).await,
        Err(e) if e.is_users_mistake() => {
            staff.remember_problem(e.message()).await?;
            Ok(Redirect::to(&crate::render::local_path(Some(to))).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The notice left by the last form, shown once.
pub async fn take_notice(session: &Session) -> Option<String> {
    session.remove::<String>("notice").await.ok().flatten()
}
