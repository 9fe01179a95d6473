//! The Matrix `m.sas.v1` short-authentication-string mapping.
//!
//! From the 6 SAS bytes (the HKDF output both devices derive):
//!
//! * **emoji**: the first 42 bits as 7 indices of 6 bits, big-endian, into the
//!   table of [`super::emoji`];
//! * **decimals**: the first 39 bits as 3 numbers of 13 bits, big-endian,
//!   each plus 1000 (so 1000..=9191).
//!
//! ```
//! use verifier_core::render::matrix_sas;
//!
//! let sas = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05];
//! assert_eq!(matrix_sas::emoji_indices(&sas), [0, 0, 4, 2, 0, 48, 16]);
//! assert_eq!(matrix_sas::decimals(&sas), [1000, 2032, 1386]);
//! ```

/// Bytes of SAS input.
pub const SAS_BYTES: usize = 6;

/// Emoji shown.
pub const EMOJI_COUNT: usize = 7;

/// Decimals shown.
pub const DECIMAL_COUNT: usize = 3;

fn as_u64(sas: &[u8; SAS_BYTES]) -> u64 {
    sas.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// The 7 emoji indices (each 0..64) for 6 SAS bytes.
pub fn emoji_indices(sas: &[u8; SAS_BYTES]) -> [u8; EMOJI_COUNT] {
    let n = as_u64(sas);
    let mut out = [0u8; EMOJI_COUNT];
    for (k, slot) in out.iter_mut().enumerate() {
        let shift = 48 - 6 * (k as u32 + 1);
        *slot = ((n >> shift) & 0x3f) as u8;
    }
    out
}

/// The 3 decimals (each 1000..=9191) for 6 SAS bytes.
pub fn decimals(sas: &[u8; SAS_BYTES]) -> [u16; DECIMAL_COUNT] {
    let n = as_u64(sas);
    let mut out = [0u16; DECIMAL_COUNT];
    for (k, slot) in out.iter_mut().enumerate() {
        let shift = 48 - 13 * (k as u32 + 1);
        *slot = ((n >> shift) & 0x1fff) as u16 + 1000;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::bits;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn agrees_with_the_bit_reader(sas in any::<[u8; 6]>()) {
            let e = bits::bytes_to_indices(&sas, 6, 7).unwrap();
            prop_assert_eq!(emoji_indices(&sas).map(u16::from).to_vec(), e);
            let d = bits::bytes_to_indices(&sas, 13, 3).unwrap();
            prop_assert_eq!(decimals(&sas).to_vec(), d.iter().map(|x| x + 1000).collect::<Vec<_>>());
            prop_assert!(decimals(&sas).iter().all(|x| (1000..=9191).contains(x)));
        }
    }
}
