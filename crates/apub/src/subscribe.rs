//! "Follow from elsewhere": the subscribe page a visitor's own server offers, read from its
//! WebFinger answer (`http://ostatus.org/schema/1.0/subscribe`, a template with `{uri}`).

use crate::FedContext;
use puentes_core::{Error, Result, handle::Handle};
use puentes_db::query;
use serde_json::Value;
use url::Url;

pub const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";

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
    // Through the one outgoing path: address policy, redirects re-checked, size bounded.
    let fetched = crate::client::get(
        ctx,
        &url,
        crate::client::Signer::Anonymous,
        "application/jrd+json, application/json",
    )
    .await
    .map_err(|e| match e.kind() {
        puentes_core::ErrorKind::RemoteFailure => {
            Error::remote("the server could not be reached").with_source(anyhow::anyhow!("{e:?}"))
        }
        _ => e,
    })?;
    match fetched.status {
        404 | 410 => return Err(Error::not_found("account")),
        status if !(200..300).contains(&status) => {
            return Err(Error::remote(format!("the server answered {status}")));
        }
        _ => {}
    }
    let doc = fetched
        .json()
        .ok_or_else(|| Error::remote("the server's answer is not WebFinger"))?;
    Ok(template_of(&doc))
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
