//! Signing outgoing requests. draft-cavage follows Mastodon's rules for GETs and POSTs
//! alike: `(request-target) host date`, plus `digest` when there is a body. RFC 9421 covers
//! `@method @target-uri @authority date`, plus `content-digest` when there is a body, with
//! `created`, `keyid` and `alg` — what Mastodon 4.5 and Fedify verify.

use super::{
    Scheme, SigningKey, content_digest_header, digest_header,
    keys::Algorithm,
    rfc9421::{Message, serialize_inner_list, signature_base},
};
use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use http::{HeaderMap, HeaderValue};
use puentes_core::{Error, Result};
use url::Url;

/// Headers to add to a request so it is signed by `key` under `scheme`: `Date`, the body's
/// digest when there is a body, and the signature.
pub fn sign(
    key: &SigningKey,
    scheme: Scheme,
    method: &str,
    url: &Url,
    body: Option<&[u8]>,
) -> Result<Vec<(&'static str, String)>> {
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    match scheme {
        Scheme::Cavage => sign_cavage(key, method, url, body, date),
        Scheme::Rfc9421 => sign_rfc9421(key, method, url, body, date),
    }
}

/// draft-cavage signature by an RSA key given as PEM: kept for callers that hold a raw
/// key (test peers that sign like Mastodon does).
pub fn sign_request(
    method: &str,
    url: &Url,
    body: Option<&[u8]>,
    key_id: &str,
    private_key_pem: &str,
) -> Result<Vec<(&'static str, String)>> {
    sign(
        &SigningKey::rsa(key_id, private_key_pem)?,
        Scheme::Cavage,
        method,
        url,
        body,
    )
}

fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

fn sign_cavage(
    key: &SigningKey,
    method: &str,
    url: &Url,
    body: Option<&[u8]>,
    date: String,
) -> Result<Vec<(&'static str, String)>> {
    if key.algorithm() != Algorithm::RsaSha256 {
        return Err(Error::internal(
            "draft-cavage signatures are made with RSA keys",
        ));
    }
    let host = puentes_core::urls::authority(url);
    let digest = body.map(digest_header);
    let mut lines = vec![
        format!(
            "(request-target): {} {}",
            method.to_ascii_lowercase(),
            path_and_query(url)
        ),
        format!("host: {host}"),
        format!("date: {date}"),
    ];
    let mut names = "(request-target) host date".to_string();
    if let Some(digest) = &digest {
        lines.push(format!("digest: {digest}"));
        names.push_str(" digest");
    }
    let signature = Base64.encode(key.sign(lines.join("\n").as_bytes())?);
    // No spaces after the commas: bovine splits on "," without trimming.
    let header = format!(
        "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{names}\",signature=\"{signature}\"",
        key.key_id()
    );
    let mut out = vec![("Date", date), ("Signature", header)];
    if let Some(digest) = digest {
        out.push(("Digest", digest));
    }
    Ok(out)
}

fn sign_rfc9421(
    key: &SigningKey,
    method: &str,
    url: &Url,
    body: Option<&[u8]>,
    date: String,
) -> Result<Vec<(&'static str, String)>> {
    let invalid = |e: sfv::Error| Error::internal("cannot build Signature-Input").with_source(e);
    let mut headers = HeaderMap::new();
    headers.insert(
        "date",
        HeaderValue::from_str(&date).map_err(|e| Error::internal("date").with_source(e))?,
    );
    let mut components = vec![
        "@method".to_string(),
        "@target-uri".to_string(),
        "@authority".to_string(),
        "date".to_string(),
    ];
    let content_digest = body.map(content_digest_header);
    if let Some(digest) = &content_digest {
        headers.insert(
            "content-digest",
            HeaderValue::from_str(digest).map_err(|e| Error::internal("digest").with_source(e))?,
        );
        components.push("content-digest".to_string());
    }
    let created = chrono::Utc::now().timestamp();
    let mut params = sfv::Parameters::new();
    params.insert(
        sfv::KeyRef::constant("created").to_owned(),
        sfv::BareItem::Integer(sfv::Integer::try_from(created).map_err(invalid)?),
    );
    params.insert(
        sfv::KeyRef::constant("keyid").to_owned(),
        sfv::BareItem::String(
            sfv::StringRef::from_str(key.key_id())
                .map_err(invalid)?
                .to_owned(),
        ),
    );
    params.insert(
        sfv::KeyRef::constant("alg").to_owned(),
        sfv::BareItem::String(
            sfv::StringRef::from_str(key.algorithm().rfc9421_name())
                .map_err(invalid)?
                .to_owned(),
        ),
    );
    let items = components
        .iter()
        .map(|c| {
            sfv::StringRef::from_str(c)
                .map(|s| sfv::Item::new(s.to_owned()))
                .map_err(invalid)
        })
        .collect::<Result<Vec<_>>>()?;
    let inner = sfv::InnerList::with_params(items, params);
    let signature_params = serialize_inner_list(&inner)
        .ok_or_else(|| Error::internal("empty signature parameters"))?;
    let base = signature_base(
        &components,
        &signature_params,
        &Message {
            method,
            target_uri: url,
            headers: &headers,
        },
    )
    .map_err(Error::internal)?;
    let signature = Base64.encode(key.sign(base.as_bytes())?);
    let mut out = vec![
        ("Date", date),
        ("Signature-Input", format!("sig1={signature_params}")),
        ("Signature", format!("sig1=:{signature}:")),
    ];
    if let Some(digest) = content_digest {
        out.push(("Content-Digest", digest));
    }
    Ok(out)
}
