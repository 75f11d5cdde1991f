//! "Follow from elsewhere": the subscribe page a visitor's own server offers, read from its
//! WebFinger answer (`http://ostatus.org/schema/1.0/subscribe`, a template with `{uri}`).

use crate::FedContext;
use puentes_core::{Error, Result, handle::Handle};
use puentes_db::query;
use serde_json::Value;
use url::Url;

pub const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";
/// Redirects followed (WebFinger is often delegated from a short domain to its server).
const MAX_REDIRECTS: usize = 3;
/// Largest WebFinger answer read.
const MAX_BYTES: usize = 256 * 1024;

/// The subscribe template of `handle`'s server; `None` when its WebFinger answer has none.
/// Errors: not found (no such account), remote failure (unreachable), forbidden (blocked).
pub async fn template(ctx: &FedContext, handle: &Handle) -> Result<Option<String>> {
    if query::instance::is_blocked(&ctx.db, &handle.domain).await? {
        return Err(Error::forbidden("this server is blocked here"));
    }
    let scheme = if ctx.config.insecure_federation() {
        "http"
    } else {
        "https"
    };
    let mut url = Url::parse(&format!(
        "{scheme}://{}/.well-known/webfinger",
        handle.domain
    ))
    .map_err(|_| Error::bad_request("not a server name"))?;
    url.query_pairs_mut()
        .append_pair("resource", &format!("acct:{}", handle.acct()));
    for _ in 0..=MAX_REDIRECTS {
        let response = ctx
            .client
            .get(url.clone())
            .header("Accept", "application/jrd+json, application/json")
            .send()
            .await
            .map_err(|e| Error::remote("the server could not be reached").with_source(e))?;
        let status = response.status();
        if status.is_redirection() {
            let next = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .filter(|next| next.scheme() == scheme)
                .ok_or_else(|| Error::remote("the server sent a bad redirect"))?;
            url = next;
            continue;
        }
        if status.as_u16() == 404 || status.as_u16() == 410 {
            return Err(Error::not_found("account"));
        }
        if !status.is_success() {
            return Err(Error::remote(format!("the server answered {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::remote("the server's answer was cut").with_source(e))?;
        if body.len() > MAX_BYTES {
            return Err(Error::remote("the server's answer is too large"));
        }
        let doc: Value = serde_json::from_slice(&body)
            .map_err(|e| Error::remote("the server's answer is not WebFinger").with_source(e))?;
        return Ok(template_of(&doc));
    }
    Err(Error::remote("too many redirects"))
}

/// The subscribe template in a WebFinger document.
pub fn template_of(doc: &Value) -> Option<String> {
    doc.get("links")?
        .as_array()?
        .iter()
        .filter(|l| l.get("rel").and_then(Value::as_str) == Some(SUBSCRIBE_REL))
        .find_map(|l| l.get("template").and_then(Value::as_str))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_template_of_a_mastodon_answer() {
        let doc = serde_json::json!({
            "subject": "acct:maria@social.example",
            "links": [
                { "rel": "self", "type": "application/activity+json", "href": "https://social.example/users/maria" },
                { "rel": SUBSCRIBE_REL, "template": "https://social.example/authorize_interaction?uri={uri}" }
            ]
        });
        assert_eq!(
            template_of(&doc).as_deref(),
            Some("https://social.example/authorize_interaction?uri={uri}")
        );
        assert_eq!(template_of(&serde_json::json!({ "links": [] })), None);
    }
}
