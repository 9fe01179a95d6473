//! Pairwise safety numbers, scheme v1 (specified in `docs/safety-numbers.md`).
//!
//! Each side's typed key and optional stable identifier are hashed with a
//! domain-separated, stretched BLAKE3 ([`SideFingerprint`]); the two sides are
//! sorted so both people see the same code ([`SafetyNumber`]), which is shown
//! as 60 digits in 12 groups of 5, as 18 BIP39 words, or as 26 PGP words.
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_core::safety_number::{Party, SafetyNumber};
//! let alice = Identity::from_seed(&[1; 32])?.public_key();
//! let bob = Identity::from_seed(&[2; 32])?.public_key();
//! let seen_by_alice = SafetyNumber::new(&Party::new(&alice), &Party::new(&bob));
//! let seen_by_bob = SafetyNumber::new(&Party::new(&bob), &Party::new(&alice));
//! assert_eq!(seen_by_alice, seen_by_bob);
//! assert_eq!(seen_by_alice.digits().len(), 60);
//! assert_eq!(seen_by_alice.digit_groups().len(), 12);
//! # Ok::<(), verifier_core::key::KeyError>(())
//! ```

use std::fmt;

use subtle::ConstantTimeEq as _;

use crate::key::PublicKey;
use crate::render::{self, Bip39Language, SasEmoji};

/// The scheme version this module implements.
pub const VERSION: u8 = 1;

/// Domain label of the per-side input hash.
pub const SIDE_DOMAIN: &str = "verifier/v1/safety-number/side";

/// Domain label of the per-side stretching iterations.
pub const STRETCH_DOMAIN: &str = "verifier/v1/safety-number/stretch";

/// Number of BLAKE3 evaluations per side (2^14): log2 = [`STRETCH_BITS`].
pub const ITERATIONS: u32 = 1 << STRETCH_BITS;

/// log2 of [`ITERATIONS`]: the work factor each candidate key costs an attacker.
pub const STRETCH_BITS: u32 = 14;

/// Digit groups per side (6 groups of 5 digits = 30 digits).
pub const DIGIT_GROUPS_PER_SIDE: usize = 6;

/// BIP39 words per side (9 × 11 = 99 bits).
pub const BIP39_WORDS_PER_SIDE: usize = 9;

/// PGP words per side (13 × 8 = 104 bits).
pub const PGP_WORDS_PER_SIDE: usize = 13;

/// Emoji per side, for a single key's fingerprint (17 × 6 = 102 bits).
pub const EMOJI_PER_SIDE: usize = 17;

/// One person in a safety-number comparison: a typed key and an optional
/// stable identifier (for example a user id in a messenger).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Party<'a> {
    /// The identity key.
    pub key: &'a PublicKey,
    /// The optional stable identifier (arbitrary bytes).
    pub id: Option<&'a [u8]>,
}

impl<'a> Party<'a> {
    /// A party identified by its key alone.
    pub fn new(key: &'a PublicKey) -> Self {
        Party { key, id: None }
    }

    /// A party with a stable identifier.
    pub fn with_id(key: &'a PublicKey, id: &'a [u8]) -> Self {
        Party { key, id: Some(id) }
    }

    /// The byte string hashed for this party (layout in `docs/safety-numbers.md`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.push(VERSION);
        put_lp(&mut out, self.key.key_type().name().as_bytes());
        put_lp(&mut out, self.key.as_bytes());
        match self.id {
            None => out.push(0),
            Some(id) => {
                out.push(1);
                put_lp(&mut out, id);
            }
        }
        out
    }
}

fn put_lp(out: &mut Vec<u8>, field: &[u8]) {
    // Identifiers longer than 4 GiB cannot be represented; they are cut to
    // u32::MAX by construction of the length (documented limit).
    let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(field.get(..len as usize).unwrap_or(field));
}

/// The stretched 32-byte hash of one party: one half of a safety number, or a
/// key's own fingerprint.
///
/// (The fingerprint inside pairwise QR codes is another hash:
/// [`PairwiseFingerprint`](crate::qr::PairwiseFingerprint).)
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SideFingerprint([u8; 32]);

impl SideFingerprint {
    /// Computes the fingerprint of one party (2^14 BLAKE3 evaluations).
    pub fn compute(party: &Party<'_>) -> Self {
        Self::compute_with_iterations(party, ITERATIONS)
    }

    /// Computes with a non-standard iteration count (tests and benchmarks only;
    /// anything but [`ITERATIONS`] is not scheme v1).
    #[doc(hidden)]
    pub fn compute_with_iterations(party: &Party<'_>, iterations: u32) -> Self {
        let d = blake3::derive_key(SIDE_DOMAIN, &party.encode());
        let stretch_key = blake3::derive_key(STRETCH_DOMAIN, &d);
        let mut h = d;
        let mut block = [0u8; 36];
        for i in 1..iterations {
            block[..32].copy_from_slice(&h);
            block[32..].copy_from_slice(&i.to_be_bytes());
            let mut hasher = blake3::Hasher::new_keyed(&stretch_key);
            hasher.update(&block);
            h = *hasher.finalize().as_bytes();
        }
        SideFingerprint(h)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Builds from raw bytes (for example a value stored earlier).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SideFingerprint(bytes)
    }

    /// 6 groups of 5 digits (30 digits, 99.66 bits).
    pub fn digit_groups(&self) -> Vec<String> {
        render::digits::digit_groups(&self.0, DIGIT_GROUPS_PER_SIDE).unwrap_or_default()
    }

    /// 9 BIP39 word indices (99 bits).
    pub fn bip39_indices(&self) -> Vec<u16> {
        bit_indices(&self.0, render::bip39::BITS_PER_WORD, BIP39_WORDS_PER_SIDE)
    }

    /// The 9 BIP39 words in `lang` (same indices in every language).
    pub fn bip39_words(&self, lang: Bip39Language) -> Vec<&'static str> {
        render::bip39::words_from_indices(&self.bip39_indices(), lang).unwrap_or_default()
    }

    /// The 13 PGP words (even list at even positions).
    pub fn pgp_words(&self) -> Vec<&'static str> {
        render::pgp::words_from_bytes(self.pgp_bytes())
    }

    /// The 17 emoji of the Matrix table.
    pub fn emoji_symbols(&self) -> Vec<SasEmoji> {
        render::emoji::emoji_from_indices(&self.emoji_indices()).unwrap_or_default()
    }

    /// The 17 emoji with their names in `lang` (English when untranslated).
    pub fn emoji(&self, lang: &str) -> Vec<(&'static str, &'static str)> {
        self.emoji_symbols()
            .iter()
            .map(|e| (e.emoji(), e.description(lang)))
            .collect()
    }

    /// The 13 bytes shown as PGP words (104 bits).
    pub fn pgp_bytes(&self) -> &[u8] {
        &self.0[..PGP_WORDS_PER_SIDE]
    }

    /// 17 emoji indices into the Matrix table (102 bits).
    pub fn emoji_indices(&self) -> Vec<u16> {
        bit_indices(&self.0, render::emoji::BITS_PER_EMOJI, EMOJI_PER_SIDE)
    }
}

impl fmt::Debug for SideFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SideFingerprint({})", hex::encode(self.0))
    }
}

/// The pairwise safety number: both sides' fingerprints, sorted.
#[derive(Clone, Copy, Debug, Eq)]
pub struct SafetyNumber {
    sides: [SideFingerprint; 2],
}

impl PartialEq for SafetyNumber {
    /// Constant-time comparison.
    fn eq(&self, other: &Self) -> bool {
        let a = [self.sides[0].0, self.sides[1].0].concat();
        let b = [other.sides[0].0, other.sides[1].0].concat();
        a.ct_eq(&b).into()
    }
}

impl SafetyNumber {
    /// The safety number of two parties (order does not matter).
    pub fn new(ours: &Party<'_>, theirs: &Party<'_>) -> Self {
        Self::from_sides(
            SideFingerprint::compute(ours),
            SideFingerprint::compute(theirs),
        )
    }

    /// Combines two precomputed side fingerprints.
    pub fn from_sides(a: SideFingerprint, b: SideFingerprint) -> Self {
        let sides = if a <= b { [a, b] } else { [b, a] };
        SafetyNumber { sides }
    }

    /// The two sides, sorted.
    pub fn sides(&self) -> &[SideFingerprint; 2] {
        &self.sides
    }

    /// The 12 groups of 5 digits.
    pub fn digit_groups(&self) -> Vec<String> {
        let mut g = self.sides[0].digit_groups();
        g.extend(self.sides[1].digit_groups());
        g
    }

    /// The 60 digits without spaces.
    pub fn digits(&self) -> String {
        self.digit_groups().concat()
    }

    /// The 18 BIP39 word indices (9 per side; same indices in every language).
    pub fn bip39_indices(&self) -> Vec<u16> {
        let mut v = self.sides[0].bip39_indices();
        v.extend(self.sides[1].bip39_indices());
        v
    }

    /// The 26 bytes shown as PGP words (13 per side; even/odd list by position in these 26).
    pub fn pgp_bytes(&self) -> Vec<u8> {
        [self.sides[0].pgp_bytes(), self.sides[1].pgp_bytes()].concat()
    }

    /// The 18 BIP39 words in `lang` (same indices in every language).
    pub fn bip39_words(&self, lang: Bip39Language) -> Vec<&'static str> {
        render::bip39::words_from_indices(&self.bip39_indices(), lang).unwrap_or_default()
    }

    /// The 26 PGP words.
    pub fn pgp_words(&self) -> Vec<&'static str> {
        render::pgp::words_from_bytes(&self.pgp_bytes())
    }
}

impl fmt::Display for SafetyNumber {
    /// The 12 digit groups separated by spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digit_groups().join(" "))
    }
}

/// `count` big-endian indices of `bits` bits from a 32-byte side hash. The
/// counts used here need at most 102 of its 256 bits, so this never runs short.
fn bit_indices(bytes: &[u8; 32], bits: u32, count: usize) -> Vec<u16> {
    render::bits::bytes_to_indices(bytes, bits, count).unwrap_or_default()
}

/// Domain label of the safety-number digest recorded in receipts
/// (`docs/receipts.md`): BLAKE3 `derive_key` over both sorted sides.
pub const RECEIPT_DIGEST_DOMAIN: &str = "verifier/v1/receipt-evidence/safety-number";

/// A safety number bound to the other party's key, so that comparing it is
/// evidence about that key for the trust engine ([`crate::trust`]).
///
/// ```
/// use verifier_core::identity::Identity;
/// use verifier_core::render::Bip39Language;
/// use verifier_core::safety_number::{Comparison, Party};
/// let alice = Identity::from_seed(&[1; 32])?.public_key();
/// let bob = Identity::from_seed(&[2; 32])?.public_key();
/// let c = Comparison::new(&Party::new(&alice), &Party::new(&bob));
/// // Bob reads his words out; Alice types them back.
/// let typed = c.number().bip39_words(Bip39Language::English).join(" ");
/// let evidence = c.check_typed_back_words(&typed, Bip39Language::English)?;
/// assert_eq!(evidence.key(), &bob);
/// assert!(c.check_typed_back_digits("12345").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    number: SafetyNumber,
    theirs: PublicKey,
}

impl Comparison {
    /// The safety number of `ours` and `theirs`, for checking `theirs.key`.
    pub fn new(ours: &Party<'_>, theirs: &Party<'_>) -> Self {
        Self {
            number: SafetyNumber::new(ours, theirs),
            theirs: *theirs.key,
        }
    }

    /// The number to show.
    pub fn number(&self) -> &SafetyNumber {
        &self.number
    }

    /// The key being checked.
    pub fn their_key(&self) -> &PublicKey {
        &self.theirs
    }

    fn digest(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new_derive_key(RECEIPT_DIGEST_DOMAIN);
        h.update(self.number.sides[0].as_bytes());
        h.update(self.number.sides[1].as_bytes());
        *h.finalize().as_bytes()
    }

    /// The person compared the number with the other person and answered
    /// "they match": evidence of a safety-number comparison.
    pub fn confirm_compared(&self) -> crate::trust::Evidence {
        crate::trust::Evidence::safety_number(self.theirs, VERSION, self.digest(), false)
    }

    /// The other person read their BIP39 words out and this person typed them
    /// back: evidence if every word matches, else where they differ.
    pub fn check_typed_back_words(
        &self,
        typed: &str,
        lang: Bip39Language,
    ) -> Result<crate::trust::Evidence, render::parse::CompareError> {
        render::parse::compare_bip39(typed, lang, &self.number.bip39_indices())?;
        Ok(crate::trust::Evidence::safety_number(
            self.theirs,
            VERSION,
            self.digest(),
            true,
        ))
    }

    /// As [`Comparison::check_typed_back_words`], for the digit groups.
    pub fn check_typed_back_digits(
        &self,
        typed: &str,
    ) -> Result<crate::trust::Evidence, render::parse::CompareError> {
        let values: Vec<u32> = self
            .number
            .digit_groups()
            .iter()
            .filter_map(|g| g.parse().ok())
            .collect();
        render::digits::compare_digit_groups(typed, &values)?;
        Ok(crate::trust::Evidence::safety_number(
            self.theirs,
            VERSION,
            self.digest(),
            true,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;

    fn key(seed: u8) -> PublicKey {
        Identity::from_seed(&[seed; 32]).unwrap().public_key()
    }

    /// Found by mutation testing: what `Display` and `Debug` print.
    #[test]
    fn display_is_the_digit_groups_and_debug_the_side_hash() {
        let number = SafetyNumber::new(&Party::new(&key(1)), &Party::new(&key(2)));
        assert_eq!(number.to_string(), number.digit_groups().join(" "));
        assert_eq!(number.to_string().split(' ').count(), 12);
        let side = number.sides()[0];
        assert_eq!(
            format!("{side:?}"),
            format!("SideFingerprint({})", hex::encode(side.as_bytes()))
        );
    }

    #[test]
    fn security_arithmetic_holds() {
        let digit_bits = DIGIT_GROUPS_PER_SIDE as f64 * 5.0 * 10f64.log2();
        assert!(digit_bits + f64::from(STRETCH_BITS) >= 112.0);
        assert!((BIP39_WORDS_PER_SIDE * 11) as u32 + STRETCH_BITS >= 112);
        assert!((PGP_WORDS_PER_SIDE * 8) as u32 + STRETCH_BITS >= 112);
        assert!((EMOJI_PER_SIDE * 6) as u32 + STRETCH_BITS >= 112);
        assert_eq!(ITERATIONS, 16384);
    }

    #[test]
    fn id_presence_is_unambiguous() {
        let k = key(1);
        assert_ne!(Party::new(&k).encode(), Party::with_id(&k, b"").encode());
    }

    #[test]
    fn renderings_have_the_specified_sizes() {
        let k = key(3);
        let side = SideFingerprint::compute(&Party::new(&k));
        assert_eq!(side.digit_groups().len(), DIGIT_GROUPS_PER_SIDE);
        assert_eq!(
            side.bip39_words(Bip39Language::Japanese).len(),
            BIP39_WORDS_PER_SIDE
        );
        assert_eq!(side.pgp_words().len(), PGP_WORDS_PER_SIDE);
        assert_eq!(side.emoji("de").len(), EMOJI_PER_SIDE);
        let n = SafetyNumber::from_sides(side, SideFingerprint::compute(&Party::new(&key(4))));
        assert_eq!(n.bip39_words(Bip39Language::English).len(), 18);
        assert_eq!(n.pgp_words().len(), 26);
    }

    #[test]
    fn order_independent_and_sensitive() {
        let (a, b) = (key(1), key(2));
        let n1 = SafetyNumber::new(&Party::with_id(&a, b"alice"), &Party::new(&b));
        let n2 = SafetyNumber::new(&Party::new(&b), &Party::with_id(&a, b"alice"));
        assert_eq!(n1, n2);
        assert_eq!(n1.digits(), n2.digits());
        let n3 = SafetyNumber::new(&Party::with_id(&a, b"alicf"), &Party::new(&b));
        assert_ne!(n1, n3);
    }
}
