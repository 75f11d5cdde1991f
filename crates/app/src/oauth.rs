//! OAuth 2 for client apps (the Mastodon client API): registering apps, the consent that
//! grants a code for one actor, exchanging it (PKCE S256), the password and
//! client-credentials grants, revoking, and turning a bearer token into a [`Caller`].
//! Codes, tokens and client secrets are stored as SHA-256 digests only.

use crate::{App, Caller, Permission};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use puentes_core::{Error, Result};
use puentes_db::{
    actor, oauth_app, oauth_grant,
    query::{
        self,
        oauth::{CODE, CONSENT, NewApp, NewGrant, TOKEN},
    },
};
use sha2::{Digest, Sha256};

/// The redirect URI that shows the code on a page instead (command-line clients).
pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";
const CODE_MINUTES: i64 = 10;
const MAX_NAME_CHARS: usize = 200;
const MAX_REDIRECTS: usize = 10;

/// Scopes a client may ask for: Mastodon's top-level scopes and their sub-scopes.
const TOP_SCOPES: [&str; 5] = ["read", "write", "follow", "push", "profile"];
const READ_SUBSCOPES: [&str; 11] = [
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
];
const WRITE_SUBSCOPES: [&str; 13] = [
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
];
/// What the legacy `follow` scope stands for.
const FOLLOW_COVERS: [&str; 6] = [
    "read:follows",
    "write:follows",
    "read:blocks",
    "write:blocks",
    "read:mutes",
    "write:mutes",
];

/// A set of OAuth scopes, as granted to a token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses a space- (or `+`-, or comma-) separated list; empty means `read`.
    pub fn parse(text: &str) -> Result<Scopes> {
        let mut out: Vec<String> = Vec::new();
        for scope in text
            .split([' ', '+', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let known = TOP_SCOPES.contains(&scope)
                || scope
                    .strip_prefix("read:")
                    .is_some_and(|s| READ_SUBSCOPES.contains(&s))
                || scope
                    .strip_prefix("write:")
                    .is_some_and(|s| WRITE_SUBSCOPES.contains(&s));
            if !known {
                return Err(Error::bad_request(format!("unknown scope {scope:?}")));
            }
            if !out.iter().any(|s| s == scope) {
                out.push(scope.to_string());
            }
        }
        if out.is_empty() {
            out.push("read".into());
        }
        Ok(Scopes(out))
    }

    /// Does this set allow `needed` (a top-level scope or a sub-scope)?
    pub fn allows(&self, needed: &str) -> bool {
        self.0.iter().any(|have| {
            have == needed
                || needed
                    .split_once(':')
                    .is_some_and(|(top, _)| top == have && (top == "read" || top == "write"))
                || (have == "follow" && FOLLOW_COVERS.contains(&needed))
        })
    }

    /// Is every scope of `self` allowed by `outer` (what an app registered)?
    pub fn within(&self, outer: &Scopes) -> bool {
        self.0.iter().all(|s| outer.allows(s))
    }

    pub fn as_string(&self) -> String {
        self.0.join(" ")
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 random bytes, URL-safe.
fn random_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A redirect URI an app may register: an absolute URI (custom schemes too, as phone apps
/// use) or the out-of-band URN.
fn check_redirect(uri: &str) -> Result<String> {
    let uri = uri.trim();
    if uri == OOB {
        return Ok(uri.to_string());
    }
    match url::Url::parse(uri) {
        Ok(url) if !matches!(url.scheme(), "javascript" | "data" | "file") => Ok(uri.to_string()),
        _ => Err(Error::bad_request(format!(
            "{uri:?} is not a valid redirect URI"
        ))),
    }
}

/// An app as registered, with its secret (shown once).
#[derive(Debug, Clone)]
pub struct RegisteredApp {
    pub app: oauth_app::Model,
    pub client_secret: String,
}

/// A token just issued (shown once).
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub scopes: Scopes,
    /// Unix seconds.
    pub created_at: i64,
    pub actor: Option<actor::Model>,
}

/// What a bearer token stands for.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub grant: oauth_grant::Model,
    pub app: oauth_app::Model,
    pub scopes: Scopes,
    /// `None` for an app's own token (client_credentials): it reads only public things.
    pub caller: Option<Caller>,
    pub actor: Option<actor::Model>,
}

/// What an app asks for at the consent page, checked.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub app: oauth_app::Model,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub code_challenge: Option<String>,
}

/// The scopes an app registered.
pub fn scope_set(app: &oauth_app::Model) -> Scopes {
    Scopes::parse(&app.scopes).unwrap_or_default()
}

impl App {
    /// `POST /api/v1/apps`: anyone may register an app.
    pub async fn register_app(
        &self,
        name: &str,
        redirect_uris: &[String],
        scopes: &str,
        website: Option<&str>,
    ) -> Result<RegisteredApp> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(Error::bad_request("client_name is missing or too long"));
        }
        let redirects = redirect_uris
            .iter()
            .flat_map(|r| r.split('\n'))
            .filter(|r| !r.trim().is_empty())
            .map(check_redirect)
            .collect::<Result<Vec<String>>>()?;
        if redirects.is_empty() || redirects.len() > MAX_REDIRECTS {
            return Err(Error::bad_request("give between 1 and 10 redirect_uris"));
        }
        let scopes = Scopes::parse(scopes)?;
        let website = website
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .and_then(puentes_core::sanitize::safe_link);
        let client_id = random_secret();
        let client_secret = random_secret();
        let app = query::oauth::insert_app(
            &self.db,
            NewApp {
                client_id: &client_id,
                secret_hash: &digest(&client_secret),
                name,
                website: website.as_deref(),
                redirect_uris: &redirects,
                scopes: &scopes.as_string(),
            },
        )
        .await?;
        Ok(RegisteredApp { app, client_secret })
    }

    /// An app by its client id (the consent page).
    pub async fn oauth_app(&self, client_id: &str) -> Result<oauth_app::Model> {
        query::oauth::app_by_client_id(&self.db, client_id)
            .await?
            .ok_or_else(|| Error::unauthorized("unknown client_id"))
    }

    /// An app that proves itself with its secret.
    pub async fn oauth_client(&self, client_id: &str, secret: &str) -> Result<oauth_app::Model> {
        let app = self.oauth_app(client_id).await?;
        if digest(secret) != app.secret_hash {
            return Err(Error::unauthorized("wrong client credentials"));
        }
        Ok(app)
    }

    /// Checks an authorization request before the consent page shows it.
    pub async fn authorize_request(
        &self,
        client_id: &str,
        redirect_uri: &str,
        scope: Option<&str>,
        code_challenge: Option<&str>,
        code_challenge_method: Option<&str>,
    ) -> Result<AuthorizeRequest> {
        let app = self.oauth_app(client_id).await?;
        let redirect_uri = redirect_uri.trim();
        if !app.redirect_list().iter().any(|r| r == redirect_uri) {
            return Err(Error::bad_request(
                "redirect_uri is not one the app registered",
            ));
        }
        let scopes = match scope {
            Some(s) if !s.trim().is_empty() => Scopes::parse(s)?,
            _ => Scopes::parse("read")?,
        };
        if !scopes.within(&scope_set(&app)) {
            return Err(Error::bad_request(
                "the app asks for scopes it did not register",
            ));
        }
        let code_challenge = code_challenge.map(str::trim).filter(|c| !c.is_empty());
        if code_challenge.is_some() && !matches!(code_challenge_method, None | Some("S256")) {
            return Err(Error::bad_request(
                "only the S256 code_challenge_method is supported",
            ));
        }
        Ok(AuthorizeRequest {
            app,
            redirect_uri: redirect_uri.to_string(),
            scopes,
            code_challenge: code_challenge.map(str::to_string),
        })
    }

    /// The staff member consented: a code for `request`, speaking as `actor_name`.
    pub async fn grant_code(
        &self,
        caller: &Caller,
        request: &AuthorizeRequest,
        actor_name: &str,
    ) -> Result<String> {
        let Some(staff_id) = caller.staff_id() else {
            return Err(Error::forbidden("only a staff member authorizes an app"));
        };
        let acting = self.acting(caller, actor_name, Permission::Publish).await?;
        let code = random_secret();
        query::oauth::insert_grant(
            &self.db,
            NewGrant {
                app_id: request.app.id,
                kind: CODE,
                secret_hash: &digest(&code),
                staff_id: Some(staff_id),
                actor_id: Some(acting.actor.id),
                scopes: &request.scopes.as_string(),
                redirect_uri: Some(&request.redirect_uri),
                code_challenge: request.code_challenge.as_deref(),
                expires_at: Some(puentes_db::now() + chrono::Duration::minutes(CODE_MINUTES)),
            },
        )
        .await?;
        Ok(code)
    }

    async fn issue(
        &self,
        app: &oauth_app::Model,
        staff_id: Option<i64>,
        actor: Option<actor::Model>,
        scopes: Scopes,
    ) -> Result<IssuedToken> {
        let token = random_secret();
        let row = query::oauth::insert_grant(
            &self.db,
            NewGrant {
                app_id: app.id,
                kind: TOKEN,
                secret_hash: &digest(&token),
                staff_id,
                actor_id: actor.as_ref().map(|a| a.id),
                scopes: &scopes.as_string(),
                redirect_uri: None,
                code_challenge: None,
                expires_at: None,
            },
        )
        .await?;
        Ok(IssuedToken {
            access_token: token,
            scopes,
            created_at: row.created_at.timestamp(),
            actor,
        })
    }

    /// `grant_type=authorization_code`: a code is used once, with the same redirect URI,
    /// and (when it was asked with a PKCE challenge) the verifier.
    pub async fn exchange_code(
        &self,
        app: &oauth_app::Model,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
    ) -> Result<IssuedToken> {
        let invalid = || Error::bad_request("invalid_grant: the code is unknown, used or expired");
        let row = query::oauth::grant_by_hash(&self.db, CODE, &digest(code))
            .await?
            .filter(|g| g.app_id == app.id)
            .ok_or_else(invalid)?;
        // Used once, whatever happens next.
        query::oauth::delete_grant(&self.db, row.id).await?;
        if let Some(uri) = redirect_uri
            && row.redirect_uri.as_deref() != Some(uri.trim())
        {
            return Err(invalid());
        }
        if let Some(challenge) = &row.code_challenge {
            let verifier = code_verifier.ok_or_else(invalid)?;
            if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != *challenge {
                return Err(invalid());
            }
        }
        let (Some(staff_id), Some(actor_id)) = (row.staff_id, row.actor_id) else {
            return Err(invalid());
        };
        // The role may have gone since the consent.
        let caller = Caller::Token { staff_id, actor_id };
        let actor = query::actor::get(&self.db, actor_id).await?;
        let acting = self.acting_for(&caller, actor, Permission::Publish).await?;
        self.issue(
            app,
            Some(staff_id),
            Some(acting.actor),
            Scopes::parse(&row.scopes)?,
        )
        .await
    }

    /// `grant_type=password` (command-line clients): the staff member's email and password,
    /// under the login's rate limit and lockout (counted for `client`, the caller's address);
    /// the token speaks as `actor_name`, or as the first actor the member may publish as.
    pub async fn password_grant(
        &self,
        app: &oauth_app::Model,
        email: &str,
        password: &str,
        client: &str,
        scope: Option<&str>,
        actor_name: Option<&str>,
    ) -> Result<IssuedToken> {
        let member = self.login(email, password, client).await?;
        let scopes = match scope {
            Some(s) if !s.trim().is_empty() => Scopes::parse(s)?,
            _ => Scopes::parse("read")?,
        };
        if !scopes.within(&scope_set(app)) {
            return Err(Error::bad_request(
                "invalid_scope: the app asks for scopes it did not register",
            ));
        }
        let caller = Caller::Staff(member.account.id);
        let acting = match actor_name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => self.acting(&caller, name, Permission::Publish).await?,
            None => self
                .actors_of(&caller)
                .await?
                .into_iter()
                .find(|a| a.role.is_some_and(|r| Permission::Publish.granted_to(r)))
                .ok_or_else(|| Error::forbidden("you hold no role to publish as anyone"))?,
        };
        self.issue(app, Some(member.account.id), Some(acting.actor), scopes)
            .await
    }

    /// `grant_type=client_credentials`: the app's own token, for public reads.
    pub async fn client_credentials(
        &self,
        app: &oauth_app::Model,
        scope: Option<&str>,
    ) -> Result<IssuedToken> {
        let scopes = match scope {
            Some(s) if !s.trim().is_empty() => Scopes::parse(s)?,
            _ => Scopes::parse("read")?,
        };
        if !scopes.within(&scope_set(app)) {
            return Err(Error::bad_request(
                "invalid_scope: the app asks for scopes it did not register",
            ));
        }
        self.issue(app, None, None, scopes).await
    }

    /// `POST /oauth/revoke`: the app forgets one of its tokens (unknown ones are fine).
    pub async fn revoke_token(&self, app: &oauth_app::Model, token: &str) -> Result<()> {
        if let Some(row) = query::oauth::grant_by_hash(&self.db, TOKEN, &digest(token)).await?
            && row.app_id == app.id
        {
            query::oauth::delete_grant(&self.db, row.id).await?;
        }
        Ok(())
    }

    /// What a bearer token stands for; unknown or revoked tokens are refused, as are tokens
    /// whose staff member lost the role on its actor.
    pub async fn token(&self, token: &str) -> Result<TokenGrant> {
        let refused = || Error::unauthorized("The access token is invalid");
        let grant = query::oauth::grant_by_hash(&self.db, TOKEN, &digest(token))
            .await?
            .ok_or_else(refused)?;
        let app = query::oauth::app(&self.db, grant.app_id).await?;
        let scopes = Scopes::parse(&grant.scopes).unwrap_or_default();
        let (caller, actor) = match (grant.staff_id, grant.actor_id) {
            (Some(staff_id), Some(actor_id)) => {
                let caller = Caller::Token { staff_id, actor_id };
                let actor = query::actor::get(&self.db, actor_id).await?;
                let acting = self
                    .acting_for(&caller, actor, Permission::Publish)
                    .await
                    .map_err(|_| refused())?;
                (Some(caller), Some(acting.actor))
            }
            _ => (None, None),
        };
        query::oauth::touch(&self.db, &grant).await?;
        Ok(TokenGrant {
            grant,
            app,
            scopes,
            caller,
            actor,
        })
    }

    /// A staff member's tokens with their apps and actors (to review and revoke them).
    pub async fn list_tokens(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(oauth_grant::Model, oauth_app::Model, Option<actor::Model>)>> {
        let Some(staff_id) = caller.staff_id() else {
            return Err(Error::forbidden("only a staff member has tokens"));
        };
        let mut out = Vec::new();
        for grant in query::oauth::tokens_of(&self.db, staff_id).await? {
            let app = query::oauth::app(&self.db, grant.app_id).await?;
            let actor = match grant.actor_id {
                Some(id) => query::actor::by_id(&self.db, id).await?,
                None => None,
            };
            out.push((grant, app, actor));
        }
        Ok(out)
    }

    /// A staff member revokes one of its tokens by id.
    pub async fn revoke_token_by_id(&self, caller: &Caller, id: i64) -> Result<()> {
        let Some(staff_id) = caller.staff_id() else {
            return Err(Error::forbidden("only a staff member has tokens"));
        };
        match query::oauth::grant(&self.db, id).await? {
            Some(row) if row.staff_id == Some(staff_id) && row.kind == TOKEN => {
                query::oauth::delete_grant(&self.db, row.id).await?;
                Ok(())
            }
            _ => Err(Error::not_found("token")),
        }
    }
}

/// How long a signed-in staff member has to choose the actor and decide.
const CONSENT_MINUTES: i64 = 15;

impl App {
    /// The staff member signed in on the consent page: a one-time ticket carries the
    /// checked request to the decision (no session needed; it also guards the form).
    pub async fn consent_ticket(
        &self,
        caller: &Caller,
        request: &AuthorizeRequest,
    ) -> Result<String> {
        let Some(staff_id) = caller.staff_id() else {
            return Err(Error::forbidden("only a staff member authorizes an app"));
        };
        let ticket = random_secret();
        query::oauth::insert_grant(
            &self.db,
            NewGrant {
                app_id: request.app.id,
                kind: CONSENT,
                secret_hash: &digest(&ticket),
                staff_id: Some(staff_id),
                actor_id: None,
                scopes: &request.scopes.as_string(),
                redirect_uri: Some(&request.redirect_uri),
                code_challenge: request.code_challenge.as_deref(),
                expires_at: Some(puentes_db::now() + chrono::Duration::minutes(CONSENT_MINUTES)),
            },
        )
        .await?;
        Ok(ticket)
    }

    /// Uses up a consent ticket: the staff member and the request it carried.
    async fn take_consent(&self, ticket: &str) -> Result<(Caller, AuthorizeRequest)> {
        let row = query::oauth::grant_by_hash(&self.db, CONSENT, &digest(ticket))
            .await?
            .ok_or_else(|| {
                Error::bad_request("this authorization page has expired: start again")
            })?;
        query::oauth::delete_grant(&self.db, row.id).await?;
        let staff_id = row
            .staff_id
            .ok_or_else(|| Error::internal("consent ticket without staff member"))?;
        let app = query::oauth::app(&self.db, row.app_id).await?;
        Ok((
            Caller::Staff(staff_id),
            AuthorizeRequest {
                app,
                redirect_uri: row.redirect_uri.unwrap_or_else(|| OOB.to_string()),
                scopes: Scopes::parse(&row.scopes)?,
                code_challenge: row.code_challenge,
            },
        ))
    }

    /// The staff member authorizes the app to speak as `actor_name`: the code to send back.
    pub async fn approve_consent(
        &self,
        ticket: &str,
        actor_name: &str,
    ) -> Result<(String, AuthorizeRequest)> {
        let (caller, request) = self.take_consent(ticket).await?;
        let code = self.grant_code(&caller, &request, actor_name).await?;
        Ok((code, request))
    }

    /// The staff member refuses: the request, to tell the app.
    pub async fn deny_consent(&self, ticket: &str) -> Result<AuthorizeRequest> {
        Ok(self.take_consent(ticket).await?.1)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn scopes_cover_their_sub_scopes() {
        let s = Scopes::parse("read write:statuses follow").unwrap();
        assert!(s.allows("read:notifications"));
        assert!(s.allows("write:statuses"));
        assert!(!s.allows("write:media"));
        assert!(s.allows("write:follows"));
        assert!(!s.allows("write"));
        assert!(Scopes::parse("read:statuses").unwrap().within(&s));
        assert!(!Scopes::parse("write").unwrap().within(&s));
        assert!(Scopes::parse("admin:read").is_err());
        assert_eq!(Scopes::parse("").unwrap().as_string(), "read");
    }

    #[test]
    fn redirects_may_use_custom_schemes() {
        assert!(check_redirect("com.tapbots.Ivory.1:/request_token").is_ok());
        assert!(check_redirect(OOB).is_ok());
        assert!(check_redirect("javascript:alert(1)").is_err());
        assert!(check_redirect("not a uri").is_err());
    }
}
