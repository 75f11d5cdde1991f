//! Object integrity (FEP-8b32): `eddsa-jcs-2022` Data Integrity proofs with the actors'
//! Ed25519 keys from `assertionMethod` (FEP-521a), and JCS digests of statement versions.

use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use puentes_core::{Error, Result};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
pub const DATA_INTEGRITY_CONTEXT: &str = "https://w3id.org/security/data-integrity/v2";

/// RFC 8785 canonical bytes of a JSON value.
pub fn canonical(value: &Value) -> Result<Vec<u8>> {
    serde_json_canonicalizer::to_vec(value)
        .map_err(|e| Error::bad_request(format!("document cannot be canonicalized: {e}")))
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// `digestMultibase`: base58btc multibase of the sha2-256 multihash of the JCS form.
pub fn digest_multibase(value: &Value) -> Result<String> {
    let mut multihash = vec![0x12, 0x20];
    multihash.extend_from_slice(&sha256(&canonical(value)?));
    Ok(format!("z{}", bs58::encode(multihash).into_string()))
}

/// The Ed25519 public key in a FEP-521a `publicKeyMultibase`.
pub fn decode_multikey(multibase: &str) -> Result<VerifyingKey> {
    let invalid = || Error::bad_request("publicKeyMultibase is not an Ed25519 Multikey");
    let encoded = multibase.strip_prefix('z').ok_or_else(invalid)?;
    let bytes = bs58::decode(encoded).into_vec().map_err(|_| invalid())?;
    let key: [u8; 32] = match bytes.as_slice() {
        [0xed, 0x01, rest @ ..] => rest.try_into().map_err(|_| invalid())?,
        _ => return Err(invalid()),
    };
    VerifyingKey::from_bytes(&key).map_err(|_| invalid())
}

fn signing_key(private_base64: &str) -> Result<SigningKey> {
    let bytes = Base64
        .decode(private_base64)
        .map_err(|e| Error::internal("stored Ed25519 key is not base64").with_source(e))?;
    let seed: [u8; 32] = bytes
        .try_into()
        .map_err(|_| Error::internal("stored Ed25519 key has the wrong length"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The bytes an eddsa-jcs-2022 signature covers: hash of the proof configuration, then
/// hash of the document without its proof.
fn hash_data(document: &Value, proof_config: &Value) -> Result<Vec<u8>> {
    let mut data = sha256(&canonical(proof_config)?).to_vec();
    data.extend_from_slice(&sha256(&canonical(document)?));
    Ok(data)
}

/// Adds an `eddsa-jcs-2022` proof by `key_id`, replacing any earlier proof. The data
/// integrity context is added first, since the proof's terms need it.
pub fn sign(mut document: Value, key_id: &str, private_base64: &str) -> Result<Value> {
    let Value::Object(map) = &mut document else {
        return Err(Error::internal("only JSON objects can be signed"));
    };
    map.remove("proof");
    let context = match map.remove("@context") {
        Some(Value::Array(mut items)) => {
            if !items.iter().any(|c| c == DATA_INTEGRITY_CONTEXT) {
                items.push(json!(DATA_INTEGRITY_CONTEXT));
            }
            Value::Array(items)
        }
        Some(other) if other != DATA_INTEGRITY_CONTEXT => json!([other, DATA_INTEGRITY_CONTEXT]),
        _ => json!(DATA_INTEGRITY_CONTEXT),
    };
    map.insert("@context".into(), context.clone());
    let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut proof = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "verificationMethod": key_id,
        "proofPurpose": "assertionMethod",
        "created": created,
    });
    // vc-di-eddsa: the proof configuration carries the document's context. Keeping it in
    // the proof too lets verifiers that hash the proof as given (bovine) agree.
    proof["@context"] = context;
    let signature = signing_key(private_base64)?.sign(&hash_data(&document, &proof)?);
    proof["proofValue"] = json!(format!(
        "z{}",
        bs58::encode(signature.to_bytes()).into_string()
    ));
    if let Value::Object(map) = &mut document {
        map.insert("proof".into(), proof);
    }
    Ok(document)
}

/// The `verificationMethod` of a document's proof.
pub fn proof_key_id(document: &Value) -> Option<&str> {
    document.get("proof")?.get("verificationMethod")?.as_str()
}

/// Why a proof does not hold, in words a report can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofError(pub String);

impl std::fmt::Display for ProofError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a document's `eddsa-jcs-2022` proof against an Ed25519 public key.
pub fn verify(document: &Value, key: &VerifyingKey) -> std::result::Result<(), ProofError> {
    let fail = |m: &str| ProofError(m.to_string());
    let proof = document.get("proof").ok_or_else(|| fail("no proof"))?;
    if proof.get("type").and_then(Value::as_str) != Some("DataIntegrityProof")
        || proof.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE)
    {
        return Err(fail(
            "proof is not a DataIntegrityProof with eddsa-jcs-2022",
        ));
    }
    if proof.get("proofPurpose").and_then(Value::as_str) != Some("assertionMethod") {
        return Err(fail("proof purpose is not assertionMethod"));
    }
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .and_then(|v| v.strip_prefix('z'))
        .ok_or_else(|| fail("proofValue is missing or not base58btc"))?;
    let bytes = bs58::decode(value)
        .into_vec()
        .map_err(|_| fail("proofValue is not base58btc"))?;
    let signature =
        Signature::from_slice(&bytes).map_err(|_| fail("proofValue is not a signature"))?;
    let mut unsigned = document.clone();
    let mut config = proof.clone();
    if let (Value::Object(doc), Value::Object(cfg)) = (&mut unsigned, &mut config) {
        doc.remove("proof");
        cfg.remove("proofValue");
    }
    let with_context = {
        let mut c = config.clone();
        if let Some(context) = unsigned.get("@context") {
            c["@context"] = context.clone();
        }
        c
    };
    // Earlier implementations (bovine among them) leave the context out of the proof
    // configuration; both forms are accepted.
    for candidate in [with_context, config] {
        let data = hash_data(&unsigned, &candidate).map_err(|e| ProofError(e.message().into()))?;
        if key.verify(&data, &signature).is_ok() {
            return Ok(());
        }
    }
    Err(fail("signature does not match the document"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keypair() -> (String, VerifyingKey) {
        let key = SigningKey::from_bytes(&[9u8; 32]);
        (Base64.encode(key.to_bytes()), key.verifying_key())
    }

    #[test]
    fn signed_documents_verify_and_tampering_is_caught() {
        let (private, public) = keypair();
        let doc = json!({ "@context": "https://www.w3.org/ns/activitystreams",
                          "type": "Endorse", "content": "yes", "id": "https://a.example/1" });
        let signed = sign(doc, "https://a.example/actors/x#ed25519-key", &private).unwrap();
        assert_eq!(signed["@context"][1], DATA_INTEGRITY_CONTEXT);
        assert!(verify(&signed, &public).is_ok());
        let mut tampered = signed.clone();
        tampered["content"] = json!("no");
        assert!(verify(&tampered, &public).is_err());
        let other = SigningKey::from_bytes(&[1u8; 32]).verifying_key();
        assert!(verify(&signed, &other).is_err());
    }

    /// The test vector of the W3C vc-di-eddsa recommendation (representation
    /// eddsa-jcs-2022), signed by the specification's test key.
    #[test]
    fn the_w3c_eddsa_jcs_2022_vector_verifies() {
        let context = json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2"
        ]);
        let document = json!({
            "@context": context,
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": { "id": "did:example:abcdefgh", "alumniOf": "The School of Examples" },
            "proof": {
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-jcs-2022",
                "created": "2023-02-24T23:36:38Z",
                "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
                "proofPurpose": "assertionMethod",
                "@context": context,
                "proofValue": "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
            }
        });
        let key = decode_multikey("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2").unwrap();
        assert_eq!(verify(&document, &key), Ok(()));
        let mut changed = document.clone();
        changed["credentialSubject"]["alumniOf"] = json!("Another School");
        assert!(verify(&changed, &key).is_err());
    }

    #[test]
    fn digests_ignore_key_order_but_not_content() {
        let a = digest_multibase(&json!({"a": 1, "b": "x"})).unwrap();
        let b = digest_multibase(&json!({"b": "x", "a": 1})).unwrap();
        let c = digest_multibase(&json!({"b": "y", "a": 1})).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.starts_with("zQm"), "sha2-256 multihash in base58btc: {a}");
    }

    #[test]
    fn multikeys_round_trip() {
        let (_, public) = keypair();
        let encoded = crate::local_actors::ed25519_multibase(public.as_bytes());
        assert_eq!(decode_multikey(&encoded).unwrap(), public);
        assert!(decode_multikey("zabc").is_err());
    }
}
