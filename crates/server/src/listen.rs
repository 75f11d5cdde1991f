//! The HTTP front: accepts connections itself (hyper's HTTP/1 server) so that a client that
//! never finishes its headers is cut off, one IP cannot hold every connection, a panic in a
//! handler becomes a 500, a slow handler a timeout, and every response carries the security
//! headers. Per-IP rate limits on the inbox and the pages answer 429 with `Retry-After`.

use axum::{
    Router,
    body::Body,
    extract::{Request, State},
    http::{Method, Response, StatusCode},
    middleware::Next,
    response::IntoResponse,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use puentes_core::{Config, Error, LimitsConfig, limits::RateLimiter, urls::RequestTarget};
use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{net::TcpListener, task::JoinSet};
use tokio_util::sync::CancellationToken;
use tower::{Service, ServiceExt};
use tower_http::{
    catch_panic::CatchPanicLayer, normalize_path::NormalizePathLayer, timeout::TimeoutLayer,
};

/// The address a request came from (the TCP peer).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

/// Open connections per IP; a slot is given back when its connection ends.
#[derive(Clone, Default)]
struct ConnectionCounts(Arc<Mutex<HashMap<IpAddr, usize>>>);

struct Slot {
    counts: ConnectionCounts,
    ip: IpAddr,
}

impl ConnectionCounts {
    fn acquire(&self, ip: IpAddr, cap: usize) -> Option<Slot> {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let open = counts.entry(ip).or_insert(0);
        if cap > 0 && *open >= cap {
            return None;
        }
        *open += 1;
        Some(Slot {
            counts: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = counts.get_mut(&self.ip) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Per-IP request rates.
struct RateLimits {
    inbox: RateLimiter,
    pages: RateLimiter,
    behind_proxy: bool,
}

/// The client's address: the TCP peer, or behind our own proxy the address it appended
/// last to `X-Forwarded-For` (earlier ones are whatever the client claimed).
fn client_ip(request: &Request, behind_proxy: bool) -> Option<IpAddr> {
    let peer = request.extensions().get::<ClientAddr>()?.0.ip();
    if behind_proxy && peer.is_loopback() {
        let forwarded = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        return Some(forwarded.unwrap_or(peer));
    }
    Some(peer)
}

/// What a request costs: inbox deliveries and page renders are limited, files and the
/// discovery documents peers need are not.
fn limiter_for<'a>(limits: &'a RateLimits, method: &Method, path: &str) -> Option<&'a RateLimiter> {
    if method == Method::POST && (path == "/inbox" || path.ends_with("/inbox")) {
        return Some(&limits.inbox);
    }
    let free = ["/static/", "/media/", "/.well-known/", "/nodeinfo/"];
    if method == Method::GET
        && path != "/healthz"
        && path != "/actor"
        && !free.iter().any(|p| path.starts_with(p))
    {
        return Some(&limits.pages);
    }
    None
}

async fn rate_limit(
    State(limits): State<Arc<RateLimits>>,
    request: Request,
    next: Next,
) -> axum::response::Response {
    let ip = client_ip(&request, limits.behind_proxy);
    if let (Some(ip), Some(limiter)) = (
        ip,
        limiter_for(&limits, request.method(), request.uri().path()),
    ) && let Err(wait) = limiter.check(&ip.to_string())
    {
        tracing::debug!(%ip, path = request.uri().path(), "rate limited");
        return Error::rate_limited("too many requests from this address", wait).into_response();
    }
    next.run(request).await
}

/// The panic's text stays in the log; the client gets the same safe body as any 500.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let text = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = text, "a request handler panicked");
    Error::internal("internal error").into_response()
}

/// `router` with everything a public listener needs around it.
pub fn service(
    router: Router,
    config: &Config,
) -> impl Service<
    Request,
    Response = Response<Body>,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
+ Send
+ 'static {
    let limits = &config.limits;
    let rates = Arc::new(RateLimits {
        inbox: RateLimiter::new(limits.inbox_per_ip_per_minute),
        pages: RateLimiter::new(limits.pages_per_ip_per_minute),
        behind_proxy: limits.behind_proxy,
    });
    let router = router.layer(axum::middleware::from_fn_with_state(rates, rate_limit));
    let csp = puentes_http::render::content_security_policy(config);
    tower::ServiceBuilder::new()
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(limits.request_timeout_secs.max(1)),
        ))
        .map_request(|mut request: Request| {
            let target = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            request.extensions_mut().insert(RequestTarget(target));
            request
        })
        .layer(NormalizePathLayer::trim_trailing_slash())
        .service(router)
        .map_response(move |response| {
            let mut response = response.map(Body::new);
            puentes_http::render::add_security_headers(response.headers_mut(), &csp);
            response
        })
}

/// Serves `router` on `listener` until `shutdown` is cancelled, then lets open requests end.
pub async fn serve(
    router: Router,
    config: &Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> puentes_core::Result<()> {
    let service = service(router, config);
    let LimitsConfig {
        header_read_timeout_secs,
        connections_per_ip,
        behind_proxy,
        ..
    } = config.limits;
    let header_timeout = Duration::from_secs(header_read_timeout_secs.max(1));
    let counts = ConnectionCounts::default();
    let mut connections = JoinSet::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => break,
        };
        while connections.try_join_next().is_some() {}
        // The proxy's own connections are its business (nginx's limit_conn).
        let cap = if behind_proxy && peer.ip().is_loopback() {
            0
        } else {
            connections_per_ip
        };
        let Some(slot) = counts.acquire(peer.ip(), cap) else {
            tracing::debug!(ip = %peer.ip(), "too many connections from one address");
            drop(stream);
            continue;
        };
        let service = service.clone();
        let stop = shutdown.clone();
        connections.spawn(async move {
            let _slot = slot;
            let handler = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let mut request = request.map(Body::new);
                    request.extensions_mut().insert(ClientAddr(peer));
                    // The staff login's rate limit reads the peer the way axum gives it.
                    request
                        .extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    service.clone().oneshot(request)
                },
            );
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            // Upgrades: the client API's streaming is a WebSocket.
            let connection = builder
                .serve_connection(TokioIo::new(stream), handler)
                .with_upgrades();
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_and_pages_are_limited_files_and_discovery_are_not() {
        let limits = RateLimits {
            inbox: RateLimiter::new(1),
            pages: RateLimiter::new(1),
            behind_proxy: false,
        };
        let is_inbox = |m: &Method, p: &str| {
            limiter_for(&limits, m, p).is_some_and(|l| std::ptr::eq(l, &limits.inbox))
        };
        let is_page = |m: &Method, p: &str| {
            limiter_for(&limits, m, p).is_some_and(|l| std::ptr::eq(l, &limits.pages))
        };
        assert!(is_inbox(&Method::POST, "/inbox"));
        assert!(is_inbox(&Method::POST, "/actors/a/inbox"));
        assert!(is_page(&Method::GET, "/@a"));
        assert!(is_page(&Method::GET, "/actors/a/outbox"));
        for free in [
            "/static/site.css",
            "/media/x.webp",
            "/.well-known/webfinger",
            "/healthz",
        ] {
            assert!(limiter_for(&limits, &Method::GET, free).is_none(), "{free}");
        }
    }

    #[test]
    fn behind_the_proxy_the_client_is_the_last_forwarded_address() {
        let request = |peer: &str, forwarded: Option<&str>| {
            let mut request = Request::new(Body::empty());
            request
                .extensions_mut()
                .insert(ClientAddr(peer.parse().unwrap()));
            if let Some(f) = forwarded {
                request
                    .headers_mut()
                    .insert("x-forwarded-for", f.parse().unwrap());
            }
            request
        };
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let spoofed = request("127.0.0.1:5000", Some("10.9.9.9, 203.0.113.7"));
        assert_eq!(client_ip(&spoofed, true), ip("203.0.113.7"));
        assert_eq!(client_ip(&spoofed, false), ip("127.0.0.1"));
        // Only a local proxy is believed.
        let direct = request("198.51.100.2:5000", Some("203.0.113.7"));
        assert_eq!(client_ip(&direct, true), ip("198.51.100.2"));
    }

    #[test]
    fn connection_slots_are_capped_per_ip_and_given_back() {
        let counts = ConnectionCounts::default();
        let ip: IpAddr = [192, 0, 2, 1].into();
        let first = counts.acquire(ip, 2);
        let second = counts.acquire(ip, 2);
        assert!(first.is_some() && second.is_some());
        assert!(counts.acquire(ip, 2).is_none());
        assert!(counts.acquire([192, 0, 2, 2].into(), 2).is_some());
        drop(first);
        assert!(counts.acquire(ip, 2).is_some());
    }
}
