//! One error type for the whole server. Every error has a kind that decides the HTTP status
//! and a safe message for clients; the underlying cause is logged, never sent.

use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    BadRequest,
    Unauthorized,
    Forbidden,
    Conflict,
    Gone,
    PayloadTooLarge,
    RateLimited,
    /// A remote server could not be reached or answered badly; retry later.
    RemoteFailure,
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Gone => StatusCode::GONE,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::RemoteFailure => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Gone => "gone",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::RemoteFailure => "remote_failure",
            ErrorKind::Internal => "internal",
        }
    }

    fn default_message(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::BadRequest => "bad request",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Gone => "gone",
            ErrorKind::PayloadTooLarge => "payload too large",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::RemoteFailure => "a remote server could not be reached, try again later",
            ErrorKind::Internal => "internal error",
        }
    }
}

pub struct Error {
    kind: ErrorKind,
    /// Safe to show to clients and CLI users.
    message: String,
    source: Option<anyhow::Error>,
    /// For 429 and 503: when to try again (`Retry-After`), seconds.
    retry_after: Option<u64>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            source: None,
            retry_after: None,
        }
    }
    /// Too many requests from one client or host; `Retry-After` tells when to come back.
    pub fn rate_limited(message: impl Into<String>, retry_after: std::time::Duration) -> Self {
        let mut err = Self::new(ErrorKind::RateLimited, message);
        err.retry_after = Some(retry_after.as_secs().max(1));
        err
    }
    pub fn not_found(what: impl fmt::Display) -> Self {
        Self::new(ErrorKind::NotFound, format!("{what} not found"))
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Gone, message)
    }
    pub fn remote(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::RemoteFailure, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn with_source(mut self, source: impl Into<anyhow::Error>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }
    /// A refusal the person at a form can act on (fix what they typed, pick something that
    /// exists, try again later): its message is shown on the form. Anything else (no right,
    /// a fault of ours) goes to the error page.
    pub fn is_users_mistake(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::BadRequest
                | ErrorKind::Conflict
                | ErrorKind::NotFound
                | ErrorKind::Gone
                | ErrorKind::PayloadTooLarge
                | ErrorKind::RemoteFailure
        )
    }
    pub fn source_ref(&self) -> Option<&anyhow::Error> {
        self.source.as_ref()
    }
    pub fn downcast_ref<T: std::fmt::Display + std::fmt::Debug + Send + Sync + 'static>(
        &self,
    ) -> Option<&T> {
        self.source.as_ref().and_then(|s| s.downcast_ref::<T>())
    }
}

/// Any other error is internal unless reclassified; its text stays in the logs.
impl<E: Into<anyhow::Error>> From<E> for Error {
    fn from(err: E) -> Self {
        Error {
            kind: ErrorKind::Internal,
            message: ErrorKind::Internal.default_message().to_string(),
            source: Some(err.into()),
            retry_after: None,
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)?;
        if let Some(source) = &self.source {
            write!(f, " ({source:#})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub trait ResultExt<T> {
    /// Reclassify any error with a safe message.
    fn kind(self, kind: ErrorKind, message: &str) -> Result<T>;
}

impl<T, E: Into<anyhow::Error>> ResultExt<T> for std::result::Result<T, E> {
    fn kind(self, kind: ErrorKind, message: &str) -> Result<T> {
        self.map_err(|e| Error::new(kind, message).with_source(e))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.kind.status();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        } else {
            tracing::debug!(error = ?self, "request refused");
        }
        let body = serde_json::json!({ "error": self.kind.code(), "message": self.message });
        let mut response = (status, body.to_string()).into_response();
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let err: Error = std::io::Error::other("secret path /etc/x").into();
        assert_eq!(err.kind(), ErrorKind::Internal);
        assert!(!err.to_string().contains("secret"));
        assert!(format!("{err:?}").contains("secret"));
    }

    #[test]
    fn only_what_the_user_can_fix_is_their_mistake() {
        assert!(Error::bad_request("x").is_users_mistake());
        assert!(Error::remote("x").is_users_mistake());
        assert!(!Error::forbidden("x").is_users_mistake());
        assert!(!Error::internal("x").is_users_mistake());
        assert!(!Error::unauthorized("x").is_users_mistake());
    }

    #[test]
    fn statuses_follow_kinds() {
        assert_eq!(
            Error::unauthorized("x").kind().status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            Error::remote("x").kind().status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
}
