//! Rendering pages: the template environment (auto-escaping, translation functions, a
//! sanitizing `html` filter), the reader (language, time zone, address), the layout's
//! shared context, HTML error pages and the security headers every page carries.

use crate::{
    HttpState,
    i18n::{Arg, I18n, Lang, language_name, negotiate, text_dir},
};
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use minijinja::{
    AutoEscape, Environment, State as TemplateState, Value, context, value::Kwargs,
    value::ValueKind,
};
use puentes_core::{Config, Error, Result};
use std::{convert::Infallible, sync::Arc};

/// The cookie remembering the reader's interface language.
pub const LANG_COOKIE: &str = "lang";
/// The cookie remembering the reader's time zone (for calls to action).
pub const TZ_COOKIE: &str = "tz";

/// Who is reading: their language, their time zone if they told us, and the address they
/// asked for (for the language switch and canonical links).
#[derive(Debug, Clone)]
pub struct Reader {
    pub lang: Lang,
    pub tz: Option<Tz>,
    /// Path and query as requested.
    pub path: String,
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(|c| c.ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

impl Reader {
    pub fn from_headers(headers: &HeaderMap, path: String) -> Reader {
        let lang = cookie(headers, LANG_COOKIE)
            .and_then(|c| Lang::from_code(&c))
            .unwrap_or_else(|| {
                negotiate(
                    headers
                        .get(header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok()),
                )
            });
        let tz = cookie(headers, TZ_COOKIE).and_then(|c| c.parse::<Tz>().ok());
        Reader { lang, tz, path }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Ok(Reader::from_headers(&parts.headers, path))
    }
}

/// Only a path on this site (no scheme, no `//host`, no backslashes) is a place to return to.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control) =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

fn arg_of(value: &Value) -> Arg {
    match value.kind() {
        ValueKind::Number => Arg::Number(f64::try_from(value.clone()).unwrap_or_default()),
        _ => Arg::Text(value.to_string()),
    }
}

fn reader_lang(state: &TemplateState) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::from_code))
        .unwrap_or(Lang::En)
}

/// A date in the reader's language: "30 November 2026".
pub fn format_date(i18n: &I18n, lang: Lang, at: DateTime<FixedOffset>) -> String {
    use chrono::Datelike;
    i18n.format(
        lang,
        "date-long",
        &[
            ("day", Arg::Number(f64::from(at.day()))),
            (
                "month",
                Arg::Text(i18n.format(lang, &format!("month-{}", at.month()), &[])),
            ),
            ("year", Arg::Number(f64::from(at.year()))),
        ],
    )
    // Month names are ours; no isolation marks needed around them.
    .replace(['\u{2068}', '\u{2069}'], "")
}

/// "30 November 2026, 14:05 CET".
pub fn format_datetime(i18n: &I18n, lang: Lang, at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    format!(
        "{}, {}",
        format_date(i18n, lang, local.fixed_offset()),
        local.format("%H:%M %Z")
    )
}

fn parse_time(value: &Value) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(value.as_str()?).ok()
}

pub fn environment(web: crate::web_files::WebFiles, i18n: Arc<I18n>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_loader(move |name| {
        web.template(name).map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })
    });
    // Everything we render is HTML (SVG partials included): escape every value.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    // The default HTML escaping also escapes `/`, which bloats every URL six-fold; quotes,
    // `<`, `>` and `&` are all that matter in text and quoted attributes.
    env.set_formatter(|out, state, value| {
        if value.is_safe() || value.is_undefined() || value.is_none() {
            return minijinja::escape_formatter(out, state, value);
        }
        let text = value.to_string();
        let mut escaped = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                '"' => escaped.push_str("&quot;"),
                '\'' => escaped.push_str("&#39;"),
                c => escaped.push(c),
            }
        }
        out.write_str(&escaped).map_err(minijinja::Error::from)
    });
    let t = i18n.clone();
    env.add_function(
        "t",
        move |state: &TemplateState,
              key: &str,
              kwargs: Kwargs|
              -> Result<String, minijinja::Error> {
            let names: Vec<String> = kwargs.args().map(str::to_string).collect();
            let mut args = Vec::new();
            for name in &names {
                let value: Value = kwargs.get(name)?;
                args.push((name.as_str(), arg_of(&value)));
            }
            kwargs.assert_all_used()?;
            Ok(t.format(reader_lang(state), key, &args))
        },
    );
    env.add_function("langname", |tag: Option<&str>| {
        tag.map(language_name).unwrap_or_default()
    });
    env.add_function("textdir", |tag: Option<&str>| text_dir(tag.unwrap_or("")));
    // Stored HTML was sanitized on the way in; sanitizing again here means a template can
    // never print unsafe markup, whatever a row holds.
    env.add_filter("html", |raw: Option<&str>| {
        Value::from_safe_string(puentes_core::sanitize::clean_html(raw.unwrap_or_default()))
    });
    let d = i18n.clone();
    env.add_filter("date", move |state: &TemplateState, value: Value| {
        parse_time(&value)
            .map(|at| format_date(&d, reader_lang(state), at))
            .unwrap_or_default()
    });
    let dt = i18n;
    env.add_filter("datetime", move |state: &TemplateState, value: Value| {
        parse_time(&value)
            .map(|at| format_datetime(&dt, reader_lang(state), at.with_timezone(&Utc), Tz::UTC))
            .unwrap_or_default()
    });
    env.add_filter("isodate", |value: Value| {
        parse_time(&value)
            .map(|at| {
                at.with_timezone(&Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
            .unwrap_or_default()
    });
    env.add_filter("excerpt", |raw: Option<&str>, max: Option<usize>| {
        puentes_core::text::excerpt(raw.unwrap_or_default(), max.unwrap_or(200))
    });
    env
}

/// The strict Content-Security-Policy of every page: nothing inline, nothing from other
/// sites but images (posts from other instances show their own images) and the form that
/// sends a visitor to their own server to follow.
pub fn content_security_policy(config: &Config) -> HeaderValue {
    let remote = if config.insecure_federation() {
        "https: http:"
    } else {
        "https:"
    };
    let policy = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' {remote}; form-action 'self' {remote}; base-uri 'none'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'none'"))
}

/// Security headers on every response of the web side.
pub async fn security_headers(
    State(state): State<HttpState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    add_security_headers(response.headers_mut(), &state.csp);
    response
}

/// The headers every response carries, pages or not (the server adds them outermost, so
/// federation documents, errors and refusals have them too).
pub fn add_security_headers(headers: &mut axum::http::HeaderMap, csp: &HeaderValue) {
    // The consent page sets its own (it may send the browser on to an app's scheme).
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(csp.clone());
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// Errors of the page routes become pages in the reader's language (the JSON body of an
/// error says nothing a reader needs).
pub async fn html_errors(
    State(state): State<HttpState>,
    reader: Reader,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || !is_json {
        return response;
    }
    state.error_page(&reader, status)
}

impl HttpState {
    /// The context every page's layout needs.
    fn layout(&self, reader: &Reader) -> Value {
        let path_only = reader.path.split('?').next().unwrap_or("/");
        let next: String = url::form_urlencoded::byte_serialize(reader.path.as_bytes()).collect();
        let languages: Vec<Value> = Lang::ALL
            .iter()
            .map(|l| {
                context! {
                    code => l.code(),
                    name => l.native_name(),
                    dir => l.dir(),
                    current => *l == reader.lang,
                    href => format!("/lang/{}?next={next}", l.code()),
                }
            })
            .collect();
        context! {
            lang => reader.lang.code(),
            dir => reader.lang.dir(),
            og_locale => reader.lang.og_locale(),
            languages => languages,
            instance_name => self.config.instance_name,
            instance_description => self.config.instance_description,
            domain => self.config.domain,
            base_url => self.urls.base(),
            canonical => format!("{}{}", self.urls.base(), path_only),
            path => reader.path,
            stylesheet => format!("/static/style.css?v={}", self.statics.version),
        }
    }

    /// Renders a page in the reader's language.
    pub fn page(&self, reader: &Reader, template: &str, ctx: Value) -> Result<Response> {
        let html = self.render_html(reader, template, ctx)?;
        Ok((
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::VARY, "Accept-Language, Cookie"),
                (header::CACHE_CONTROL, "private, max-age=60"),
            ],
            html,
        )
            .into_response())
    }

    pub fn render_html(&self, reader: &Reader, template: &str, ctx: Value) -> Result<String> {
        let template = self
            .templates
            .get_template(template)
            .map_err(|e| Error::internal("missing template").with_source(e))?;
        let full = context! { ..ctx, ..self.layout(reader) };
        template
            .render(full)
            .map_err(|e| Error::internal("template failed").with_source(e))
    }

    /// An error page for `status` in the reader's language.
    pub fn error_page(&self, reader: &Reader, status: StatusCode) -> Response {
        let code = match status.as_u16() {
            c @ (400 | 403 | 404 | 410 | 429 | 500 | 503) => c,
            c if c >= 500 => 500,
            _ => 400,
        };
        let ctx = context! { status => code };
        let mut response = match self.render_html(reader, "error.html", ctx) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!(error = ?e, "error page failed");
                (
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    status.canonical_reason().unwrap_or("error").to_string(),
                )
                    .into_response()
            }
        };
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::VARY,
            HeaderValue::from_static("Accept-Language, Cookie"),
        );
        response
    }
}

/// A `Set-Cookie` value for a reader preference, kept a year.
pub fn preference_cookie(name: &str, value: &str, secure: bool) -> HeaderValue {
    let cookie = cookie::Cookie::build((name.to_string(), value.to_string()))
        .path("/")
        .max_age(cookie::time::Duration::days(365))
        .same_site(cookie::SameSite::Lax)
        .http_only(true)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/@red?page=2")), "/@red?page=2");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn readers_language_from_cookie_then_header() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr"));
        assert_eq!(Reader::from_headers(&headers, "/".into()).lang, Lang::Fr);
        headers.insert(header::COOKIE, HeaderValue::from_static("a=b; lang=ar"));
        assert_eq!(Reader::from_headers(&headers, "/".into()).lang, Lang::Ar);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=xx; tz=America/Bogota"),
        );
        let reader = Reader::from_headers(&headers, "/".into());
        assert_eq!(reader.lang, Lang::Fr);
        assert_eq!(reader.tz, Some(chrono_tz::America::Bogota));
    }
}
