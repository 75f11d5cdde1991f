//! Who is on the other end of a login attempt: the key the login rate limit counts failures
//! under, shared by the staff login and the OAuth consent page.

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, request::Parts},
};
use std::net::SocketAddr;

/// The address a login attempt comes from: the peer, or the client a local reverse proxy
/// names (only a proxy on this machine is believed).
pub struct LoginClient(pub String);

impl<S: Send + Sync> FromRequestParts<S> for LoginClient {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(LoginClient(client_of(peer, &parts.headers)))
    }
}

fn client_of(peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_string());
    match peer {
        Some(peer) if peer.ip().is_loopback() => forwarded.unwrap_or_else(|| peer.ip().to_string()),
        Some(peer) => peer.ip().to_string(),
        None => forwarded.unwrap_or_else(|| "unknown".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_local_proxy_names_the_client() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.4".parse().unwrap(),
        );
        let local: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let far: SocketAddr = "192.0.2.1:4000".parse().unwrap();
        assert_eq!(client_of(Some(local), &headers), "198.51.100.4");
        assert_eq!(client_of(Some(far), &headers), "192.0.2.1");
        assert_eq!(client_of(Some(local), &HeaderMap::new()), "127.0.0.1");
    }
}
