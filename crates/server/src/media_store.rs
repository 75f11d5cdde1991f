//! Uploaded media in an S3-compatible bucket (`[media] storage = "s3"`). Requests are signed
//! with rusty-s3 (presigned, short-lived URLs) and sent with reqwest. The endpoint is the
//! operator's own configuration, often on a private address (MinIO beside the server), so
//! the public-address policy for federation does not apply to it.

use puentes_app::ports::MediaStore;
use puentes_core::{Error, Result, S3Config};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use std::time::Duration;

/// How long a signed request stays valid: it is sent at once.
const SIGNED_FOR: Duration = Duration::from_secs(60);
/// Stored images are at most a few megabytes (see `puentes_app::media`).
const MAX_OBJECT_BYTES: usize = 2 * puentes_app::media::MAX_UPLOAD_BYTES;

pub struct S3Media {
    bucket: Bucket,
    credentials: Credentials,
    prefix: String,
    client: reqwest::Client,
    endpoint: String,
}

impl S3Media {
    pub fn new(config: &S3Config, timeout: Duration) -> Result<S3Media> {
        let endpoint = url::Url::parse(&config.endpoint)
            .map_err(|e| Error::bad_request("[media.s3] endpoint is not a URL").with_source(e))?;
        let style = if config.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(
            endpoint,
            style,
            config.bucket.clone(),
            config.region.clone(),
        )
        .map_err(|e| Error::bad_request(format!("[media.s3] bucket: {e}")))?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::internal("cannot build the S3 client").with_source(e))?;
        Ok(S3Media {
            bucket,
            credentials: Credentials::new(config.access_key.clone(), config.secret_key.clone()),
            prefix: config.prefix.clone(),
            client,
            endpoint: config.endpoint.clone(),
        })
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A failed exchange with the bucket, logged with its cause, told as a safe message.
    fn failure(&self, what: &str, cause: impl std::fmt::Display) -> Error {
        tracing::error!(endpoint = %self.endpoint, %cause, "media storage: cannot {what}");
        Error::internal(format!("media storage is unavailable: cannot {what}"))
    }
}

#[async_trait::async_trait]
impl MediaStore for S3Media {
    async fn put(&self, name: &str, bytes: Vec<u8>, content_type: &str) -> Result<()> {
        let key = self.key(name);
        let url = self
            .bucket
            .put_object(Some(&self.credentials), &key)
            .sign(SIGNED_FOR);
        let response = self
            .client
            .put(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes)
            .send()
            .await
            .map_err(|e| self.failure("store an image", e))?;
        if !response.status().is_success() {
            return Err(self.failure("store an image", response.status()));
        }
        Ok(())
    }

    async fn get(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let key = self.key(name);
        let url = self
            .bucket
            .get_object(Some(&self.credentials), &key)
            .sign(SIGNED_FOR);
        let mut response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| self.failure("read an image", e))?;
        match response.status() {
            reqwest::StatusCode::NOT_FOUND => return Ok(None),
            status if !status.is_success() => return Err(self.failure("read an image", status)),
            _ => {}
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.failure("read an image", e))?
        {
            if bytes.len() + chunk.len() > MAX_OBJECT_BYTES {
                return Err(self.failure("read an image", "object larger than any upload"));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(bytes))
    }

    async fn delete(&self, name: &str) -> Result<()> {
        let key = self.key(name);
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), &key)
            .sign(SIGNED_FOR);
        let response = self
            .client
            .delete(url)
            .send()
            .await
            .map_err(|e| self.failure("remove an image", e))?;
        if !(response.status().is_success() || response.status() == reqwest::StatusCode::NOT_FOUND)
        {
            return Err(self.failure("remove an image", response.status()));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("the S3 bucket {} at {}", self.bucket.name(), self.endpoint)
    }
}
