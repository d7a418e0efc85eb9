//! Subresource Integrity and file digests: one leaf that rendering (the snippet's pin), writing
//! (the manifest's digests) and `verify` (what the CDN served) all hash with.

use base64::Engine;
use sha2::{Digest, Sha384};

/// The `integrity` attribute value for these exact bytes: `sha384-<base64>`.
pub fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)))
}

/// The `integrity` value of a digest the manifest's `files` hold as hex (`sha384_hex`); an
/// unreadable hex gives the digest of nothing, which matches no file.
pub fn integrity_from_hex(hex: &str) -> String {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect();
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(bytes.unwrap_or_default()))
}

/// A CSP source expression allowing an inline element with exactly this text: `'sha256-…'`
/// without the quotes.
pub fn csp_hash(text: &str) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
    )
}

/// The SHA-384 digest as lower-case hex, as `sha384sum` prints it.
pub fn sha384_hex(bytes: &[u8]) -> String {
    Sha384::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_known_vectors() {
        // echo -n abc | openssl dgst -sha384 -binary | base64
        assert_eq!(
            integrity(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
        assert!(sha384_hex(b"abc").starts_with("cb00753f45a35e8b"));
        assert_eq!(integrity_from_hex(&sha384_hex(b"abc")), integrity(b"abc"));
    }
}
