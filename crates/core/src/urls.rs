//! The single place where local ActivityPub ids and page URLs are built.

use crate::config::Config;
use url::Url;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Urls {
    base: String,
}

/// Local URLs are built from the domain that `Config::validate` checked.
fn url(s: String) -> Url {
    #[allow(clippy::expect_used)]
    Url::parse(&s).expect("local urls are built from a validated domain")
}

impl Urls {
    pub fn new(config: &Config) -> Self {
        Urls {
            base: config.base_url(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }
    pub fn root(&self) -> Url {
        url(format!("{}/", self.base))
    }
    pub fn instance_actor(&self) -> Url {
        url(format!("{}/actor", self.base))
    }
    pub fn shared_inbox(&self) -> Url {
        url(format!("{}/inbox", self.base))
    }
    pub fn actor(&self, name: &str) -> Url {
        url(format!("{}/actors/{name}", self.base))
    }
    pub fn actor_key(&self, name: &str) -> Url {
        url(format!("{}/actors/{name}#main-key", self.base))
    }
    pub fn actor_ed25519_key(&self, name: &str) -> Url {
        url(format!("{}/actors/{name}#ed25519-key", self.base))
    }
    pub fn actor_collection(&self, name: &str, collection: &str) -> Url {
        url(format!("{}/actors/{name}/{collection}", self.base))
    }
    /// The HTML profile page, what Mastodon opens as "original page".
    pub fn actor_page(&self, name: &str) -> Url {
        url(format!("{}/@{name}", self.base))
    }
    pub fn post(&self, id: Uuid) -> Url {
        url(format!("{}/posts/{id}", self.base))
    }
    pub fn post_page(&self, name: &str, id: Uuid) -> Url {
        url(format!("{}/@{name}/posts/{id}", self.base))
    }
    /// A call to action (an Event); `.ics` beside it is its calendar file.
    pub fn call(&self, id: Uuid) -> Url {
        url(format!("{}/calls/{id}", self.base))
    }
    pub fn call_page(&self, name: &str, id: Uuid) -> Url {
        url(format!("{}/@{name}/calls/{id}", self.base))
    }
    pub fn activity(&self, id: Uuid) -> Url {
        url(format!("{}/activities/{id}", self.base))
    }
    /// A statement's stable address (ours, or our copy of a remote one).
    pub fn statement(&self, uuid: &str) -> Url {
        url(format!("{}/statements/{uuid}", self.base))
    }
    /// One frozen version; its collections hang below it.
    pub fn statement_version(&self, uuid: &str, number: i32) -> Url {
        url(format!("{}/statements/{uuid}/v/{number}", self.base))
    }
    pub fn statement_collection(&self, uuid: &str, number: i32, collection: &str) -> Url {
        url(format!(
            "{}/statements/{uuid}/v/{number}/{collection}",
            self.base
        ))
    }
    pub fn new_activity(&self) -> Url {
        self.activity(Uuid::now_v7())
    }

    /// Is this URL one of ours?
    pub fn is_local(&self, u: &Url) -> bool {
        u.as_str().starts_with(&format!("{}/", self.base)) || u.as_str() == self.base
    }
}

/// The path and query exactly as the client sent them, before any normalization: HTTP
/// signatures cover this `(request-target)`, trailing slash included.
#[derive(Debug, Clone)]
pub struct RequestTarget(pub String);

/// The ActivityPub id behind a Puentes page address, so people can paste what their browser
/// shows: `/@NAME/statements/ID` is `/statements/ID`, `/@NAME/calls/ID` is `/calls/ID`.
pub fn object_id_of_page(page: &Url) -> Option<Url> {
    let segments: Vec<&str> = page.path_segments()?.collect();
    match segments.as_slice() {
        [actor, kind @ ("statements" | "calls" | "posts"), id]
            if actor.starts_with('@') && !id.is_empty() =>
        {
            let mut object = page.clone();
            object.set_path(&format!("/{kind}/{id}"));
            object.set_query(None);
            object.set_fragment(None);
            Some(object)
        }
        _ => None,
    }
}

/// `host[:port]` of a URL: instances are keyed by authority, so two local test instances
/// on different ports stay apart.
pub fn authority(u: &Url) -> String {
    match (u.host_str(), u.port()) {
        (Some(h), Some(p)) => format!("{}:{p}", h.to_lowercase()),
        (Some(h), None) => h.to_lowercase(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_use_scheme_and_domain() {
        let urls = Urls::new(&Config::default());
        assert_eq!(
            urls.actor("alpha").as_str(),
            "http://localhost:8080/actors/alpha"
        );
        assert_eq!(urls.actor_key("alpha").fragment(), Some("main-key"));
        assert!(urls.is_local(&urls.actor("x")));
        assert!(!urls.is_local(&Url::parse("http://localhost:8081/actors/x").unwrap()));
        assert_eq!(authority(&urls.actor("a")), "localhost:8080");
        let page = Url::parse("https://red.example/@red/statements/01ab?x=1").unwrap();
        assert_eq!(
            object_id_of_page(&page).unwrap().as_str(),
            "https://red.example/statements/01ab"
        );
        let call = Url::parse("https://red.example/@red/calls/9").unwrap();
        assert_eq!(object_id_of_page(&call).unwrap().path(), "/calls/9");
        assert!(object_id_of_page(&urls.actor("x")).is_none());
    }
}
