//! Signature headers as an attacker sends them (draft-cavage and RFC 9421): parsed into a
//! pending check, never a crash. Input: header lines `name: value`, a blank line, the body.
#![no_main]

use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use puentes_apub::signing::{IncomingRequest, PendingSignature};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut headers = HeaderMap::new();
    for line in head.lines() {
        if let Some((name, value)) = line.split_once(':')
            && let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.trim().as_bytes()),
                HeaderValue::from_str(value.trim()),
            )
        {
            headers.append(name, value);
        }
    }
    for (method, body) in [("POST", Some(body.as_bytes())), ("GET", None)] {
        let _ = PendingSignature::parse(&IncomingRequest {
            method,
            path_and_query: "/actors/ong/inbox",
            base_url: "https://puentes.example",
            headers: &headers,
            body,
        });
    }
});
