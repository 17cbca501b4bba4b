//! Random secrets and their hashes (keys and session tokens are stored hashed).

use crate::error::{AppError, AppResult};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `bytes` random bytes from the operating system, hex-encoded.
pub fn random_hex(bytes: usize) -> AppResult<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(AppError::internal)?;
    Ok(hex::encode(buf))
}

/// The SHA-256 of `text`, hex-encoded. Keys and session tokens carry 256
/// random bits, so a fast hash is enough to make a leaked table useless.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Whether `presented` hashes to `stored_hash`, compared in constant time.
pub fn matches(presented: &str, stored_hash: &str) -> bool {
    sha256_hex(presented)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashes_compare() {
        let a = random_hex(32).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_hex(32).unwrap());
        let hash = sha256_hex(&a);
        assert!(matches(&a, &hash));
        assert!(!matches("other", &hash));
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
