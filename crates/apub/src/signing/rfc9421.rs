//! RFC 9421 signature bases: each covered component on its own line, then the signature
//! parameters, as both signer and verifier must build them byte for byte.

use http::HeaderMap;
use url::Url;

/// What a signature base is built from: a request as sent or as received.
pub(super) struct Message<'a> {
    pub method: &'a str,
    pub target_uri: &'a Url,
    pub headers: &'a HeaderMap,
}

/// The value of one covered component, or why it cannot be covered.
fn component_value(name: &str, message: &Message<'_>) -> Result<String, String> {
    let uri = message.target_uri;
    Ok(match name {
        "@method" => message.method.to_ascii_uppercase(),
        "@target-uri" => uri.as_str().to_string(),
        // The url crate already leaves out default ports and lower-cases the host.
        "@authority" => puentes_core::urls::authority(uri),
        "@scheme" => uri.scheme().to_string(),
        "@path" => uri.path().to_string(),
        "@query" => format!("?{}", uri.query().unwrap_or("")),
        "@request-target" => match uri.query() {
            Some(query) => format!("{}?{query}", uri.path()),
            None => uri.path().to_string(),
        },
        derived if derived.starts_with('@') => {
            return Err(format!("unsupported derived component {derived}"));
        }
        header => {
            let values: Vec<&str> = message
                .headers
                .get_all(header)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::trim)
                .collect();
            if values.is_empty() {
                return Err(format!("covered header {header} is missing"));
            }
            values.join(", ")
        }
    })
}

/// The signature base of `components` (names, lower-case) with the serialized
/// `@signature-params` value.
pub(super) fn signature_base(
    components: &[String],
    signature_params: &str,
    message: &Message<'_>,
) -> Result<String, String> {
    let mut lines = Vec::with_capacity(components.len() + 1);
    for component in components {
        lines.push(format!(
            "\"{component}\": {}",
            component_value(component, message)?
        ));
    }
    lines.push(format!("\"@signature-params\": {signature_params}"));
    Ok(lines.join("\n"))
}

/// The serialized inner list with its parameters, as `@signature-params` and
/// `Signature-Input` carry it.
pub(super) fn serialize_inner_list(inner: &sfv::InnerList) -> Option<String> {
    let mut serializer = sfv::ListSerializer::new();
    serializer.members(std::iter::once(&sfv::ListEntry::InnerList(inner.clone())));
    serializer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use http::HeaderValue;

    /// RFC 9421, appendix B.2.6: the `ed25519` signature over the test request, with the
    /// test key of B.1.4. Ed25519 is deterministic, so signing must give the same bytes.
    #[test]
    fn rfc_9421_ed25519_example() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("example.com"));
        headers.insert(
            "date",
            HeaderValue::from_static("Tue, 20 Apr 2021 02:07:55 GMT"),
        );
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.insert("content-length", HeaderValue::from_static("18"));
        let uri = Url::parse("https://example.com/foo?param=Value&Pet=dog").unwrap();
        let message = Message {
            method: "POST",
            target_uri: &uri,
            headers: &headers,
        };
        let input: sfv::Dictionary = sfv::Parser::new(
            "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"",
        )
        .parse()
        .unwrap();
        let Some(sfv::ListEntry::InnerList(inner)) = input.get("sig-b26") else {
            panic!("inner list expected");
        };
        let components: Vec<String> = inner
            .items
            .iter()
            .map(|i| match &i.bare_item {
                sfv::BareItem::String(s) => s.as_str().to_string(),
                _ => panic!("string expected"),
            })
            .collect();
        let params = serialize_inner_list(inner).unwrap();
        let base = signature_base(&components, &params, &message).unwrap();
        assert_eq!(
            base,
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n\"content-type\": application/json\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
        );
        let seed: [u8; 32] = URL_SAFE_NO_PAD
            .decode("n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU")
            .unwrap()
            .try_into()
            .unwrap();
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        assert_eq!(
            URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
            "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"
        );
        use ed25519_dalek::Signer;
        let signature = key.sign(base.as_bytes());
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
            "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="
        );
    }
}
