//! The join code: where the host listens, and the secret that authenticates both sides'
//! first messages (docs/sas-protocol.md, "Join code").

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::schedule::{JOIN_SECRET_LEN, LABEL_JOIN_CODE_CHECKSUM, labelled_hash};

const HEADER_V4: u8 = 0x24;
const HEADER_V6: u8 = 0x26;
/// Headers of the SAS v1 join code, which carried no secret.
const OLD_HEADERS: [u8; 2] = [0x14, 0x16];
const CHECKSUM_LEN: usize = 2;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUP: usize = 5;
/// Characters of an IPv4 join code (without the `-` between groups).
pub const JOIN_CODE_CHARS_V4: usize = 28;
/// Characters of an IPv6 join code (without the `-` between groups).
pub const JOIN_CODE_CHARS_V6: usize = 47;
const PAYLOAD_V4: usize = 1 + 4 + 2 + JOIN_SECRET_LEN;
const PAYLOAD_V6: usize = 1 + 16 + 2 + JOIN_SECRET_LEN;

/// The random secret of one run's join code (64 bits). Zeroized on drop, never printed by
/// `Debug`, compared in constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct JoinSecret([u8; JOIN_SECRET_LEN]);

impl JoinSecret {
    /// Wraps secret bytes (made by the host's session; see [`JoinCode::new`]).
    pub fn from_bytes(bytes: [u8; JOIN_SECRET_LEN]) -> Self {
        Self(bytes)
    }

    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8; JOIN_SECRET_LEN] {
        &self.0
    }
}

impl PartialEq for JoinSecret {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for JoinSecret {}

impl core::fmt::Debug for JoinSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("JoinSecret(<redacted>)")
    }
}

/// A join code: the host's address and port plus the run's join secret.
///
/// The text form is meant to be shown and typed; treat it like a one-time password (it
/// is worthless once the run ended). `Debug` never shows the secret.
///
/// ```
/// use verifier_core::sas::{JoinCode, JoinSecret};
/// let code = JoinCode::new("192.168.1.20:47000".parse().unwrap(), JoinSecret::from_bytes([1; 8]));
/// let text = code.to_string();
/// assert_eq!(text.len(), 28 + 5); // 28 base32 characters in groups of five
/// assert_eq!(text.to_lowercase().parse::<JoinCode>().unwrap(), code);
/// assert_eq!(JoinCode::from_bytes(&code.to_bytes()).unwrap(), code);
/// assert!(!format!("{code:?}").contains(&text));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct JoinCode {
    addr: SocketAddr,
    secret: JoinSecret,
}

impl core::fmt::Debug for JoinCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("JoinCode")
            .field("addr", &self.addr)
            .field("secret", &self.secret)
            .finish()
    }
}

/// Why a join code could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JoinCodeError {
    /// No characters (after removing `-` and spaces).
    #[error("the join code is empty; type the code the host shows")]
    Empty,
    /// A character outside the code's alphabet.
    #[error(
        "'{ch}' at position {position} cannot be in a join code (letters and digits only, no U)"
    )]
    BadCharacter {
        /// The character.
        ch: char,
        /// Its position (0-based, counting all characters typed).
        position: usize,
    },
    /// The wrong number of characters or bytes.
    #[error(
        "the join code has {len} {unit}; expected {expected}: check for a missing or extra character"
    )]
    BadLength {
        /// Length found.
        len: usize,
        /// What was expected.
        expected: &'static str,
        /// "characters" or "bytes".
        unit: &'static str,
    },
    /// A join code of SAS v1, which this version no longer speaks.
    #[error(
        "this join code comes from an older verifier (SAS version 1, no join secret); update verifier on the host and start again"
    )]
    OldVersion,
    /// The first byte names no known address family or version.
    #[error("the join code has an unknown format (0x{header:02x}); update verifier on both sides")]
    UnknownFormat {
        /// The header byte.
        header: u8,
    },
    /// The checksum does not match: a typo.
    #[error("the join code's checksum does not match: a character is mistyped")]
    Checksum,
}

impl JoinCodeError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::Empty => 4201,
            Self::BadCharacter { .. } => 4202,
            Self::BadLength { .. } => 4203,
            Self::OldVersion => 4204,
            Self::UnknownFormat { .. } => 4205,
            Self::Checksum => 4206,
        }
    }
}

impl JoinCode {
    /// A join code for a host at `addr` whose run uses `secret`
    /// ([`SasSession::join_code`](super::SasSession::join_code) makes it for the host).
    pub fn new(addr: SocketAddr, secret: JoinSecret) -> Self {
        Self { addr, secret }
    }

    /// The host's address and port.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The join secret.
    pub fn secret(&self) -> &JoinSecret {
        &self.secret
    }

    /// The payload bytes (15 for IPv4, 27 for IPv6), without checksum: for QR codes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PAYLOAD_V6);
        match self.addr.ip() {
            IpAddr::V4(ip) => {
                out.push(HEADER_V4);
                out.extend_from_slice(&ip.octets());
            }
            IpAddr::V6(ip) => {
                out.push(HEADER_V6);
                out.extend_from_slice(&ip.octets());
            }
        }
        out.extend_from_slice(&self.addr.port().to_be_bytes());
        out.extend_from_slice(self.secret.as_bytes());
        out
    }

    /// Reads payload bytes made by [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, JoinCodeError> {
        let (&header, rest) = bytes.split_first().ok_or(JoinCodeError::Empty)?;
        let (ip, rest): (IpAddr, &[u8]) = match header {
            HEADER_V4 => {
                let (a, rest) = rest
                    .split_first_chunk::<4>()
                    .ok_or_else(|| bad_bytes(bytes.len(), header))?;
                (Ipv4Addr::from(*a).into(), rest)
            }
            HEADER_V6 => {
                let (a, rest) = rest
                    .split_first_chunk::<16>()
                    .ok_or_else(|| bad_bytes(bytes.len(), header))?;
                (Ipv6Addr::from(*a).into(), rest)
            }
            h if OLD_HEADERS.contains(&h) => return Err(JoinCodeError::OldVersion),
            other => return Err(JoinCodeError::UnknownFormat { header: other }),
        };
        let (port, rest) = rest
            .split_first_chunk::<2>()
            .ok_or_else(|| bad_bytes(bytes.len(), header))?;
        let (secret, rest) = rest
            .split_first_chunk::<JOIN_SECRET_LEN>()
            .ok_or_else(|| bad_bytes(bytes.len(), header))?;
        if !rest.is_empty() {
            return Err(bad_bytes(bytes.len(), header));
        }
        Ok(Self {
            addr: SocketAddr::new(ip, u16::from_be_bytes(*port)),
            secret: JoinSecret(*secret),
        })
    }

    /// The text form people type: Crockford base32 with checksum, grouped by five.
    pub fn to_text(&self) -> String {
        let mut bytes = self.to_bytes();
        let sum = checksum(&bytes);
        bytes.extend_from_slice(&sum);
        let chars = base32_encode(&bytes);
        bytes.zeroize();
        let mut out = String::with_capacity(chars.len() + chars.len() / GROUP);
        for (i, c) in chars.chars().enumerate() {
            if i > 0 && i.is_multiple_of(GROUP) {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    /// Reads the text form (case-insensitive; `-` and spaces ignored; `O`→0, `I`/`L`→1).
    pub fn parse(text: &str) -> Result<Self, JoinCodeError> {
        let mut values = Vec::with_capacity(48);
        for (position, ch) in text.chars().enumerate() {
            if ch == '-' || ch.is_whitespace() {
                continue;
            }
            let v = decode_char(ch).ok_or(JoinCodeError::BadCharacter { ch, position })?;
            values.push(v);
        }
        let payload_len = match values.len() {
            0 => return Err(JoinCodeError::Empty),
            JOIN_CODE_CHARS_V4 => PAYLOAD_V4,
            JOIN_CODE_CHARS_V6 => PAYLOAD_V6,
            // v1 codes: 21 or 40 characters whose first five bits are header 0x14/0x16.
            21 | 40 if values.first() == Some(&2) => return Err(JoinCodeError::OldVersion),
            n => {
                return Err(JoinCodeError::BadLength {
                    len: n,
                    expected: "28 (IPv4) or 47 (IPv6)",
                    unit: "characters",
                });
            }
        };
        let bytes =
            base32_decode(&values, payload_len + CHECKSUM_LEN).ok_or(JoinCodeError::Checksum)?;
        let (payload, sum) = bytes.split_at(payload_len);
        if checksum(payload) != sum {
            return Err(JoinCodeError::Checksum);
        }
        Self::from_bytes(payload)
    }
}

impl core::fmt::Display for JoinCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl core::str::FromStr for JoinCode {
    type Err = JoinCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn bad_bytes(len: usize, header: u8) -> JoinCodeError {
    JoinCodeError::BadLength {
        len,
        expected: if header == HEADER_V6 { "27" } else { "15" },
        unit: "bytes",
    }
}

fn checksum(payload: &[u8]) -> [u8; CHECKSUM_LEN] {
    let h = labelled_hash(LABEL_JOIN_CODE_CHECKSUM, &[payload]);
    [h[0], h[1]]
}

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut acc: u32 = 0;
    let mut nbits = 0u32;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        nbits += 8;
        while nbits >= 5 {
            nbits -= 5;
            out.push(char::from(ALPHABET[((acc >> nbits) & 31) as usize]));
        }
    }
    if nbits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - nbits)) & 31) as usize]));
    }
    out
}

/// Decodes 5-bit values into exactly `len` bytes; padding bits must be zero.
fn base32_decode(values: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(len);
    let mut acc: u32 = 0;
    let mut nbits = 0u32;
    for &v in values {
        acc = ((acc << 5) | u32::from(v)) & 0xffff;
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push(((acc >> nbits) & 0xff) as u8);
        }
    }
    let padding_zero = acc & ((1u32 << nbits) - 1) == 0;
    (out.len() == len && padding_zero).then_some(out)
}

fn decode_char(ch: char) -> Option<u8> {
    let c = match ch.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(b: u8) -> JoinSecret {
        JoinSecret::from_bytes([b; JOIN_SECRET_LEN])
    }

    #[test]
    fn round_trips_v4_and_v6() {
        for addr in [
            "127.0.0.1:1",
            "10.1.2.3:65535",
            "[::1]:4000",
            "[fe80::1:2:3:4]:9",
        ] {
            let code = JoinCode::new(addr.parse().unwrap(), secret(9));
            assert_eq!(JoinCode::parse(&code.to_text()).unwrap(), code, "{addr}");
            assert_eq!(JoinCode::from_bytes(&code.to_bytes()).unwrap(), code);
            let chars = code.to_text().replace('-', "").len();
            let want = if addr.starts_with('[') {
                JOIN_CODE_CHARS_V6
            } else {
                JOIN_CODE_CHARS_V4
            };
            assert_eq!(chars, want, "{addr}");
        }
    }

    #[test]
    fn every_single_character_typo_is_rejected_or_changes_nothing() {
        let code = JoinCode::new(
            "192.168.0.7:40123".parse().unwrap(),
            JoinSecret::from_bytes([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]),
        );
        let text: Vec<char> = code.to_text().chars().collect();
        let mut accepted = 0;
        for i in 0..text.len() {
            if text[i] == '-' {
                continue;
            }
            for &a in ALPHABET {
                let mut t = text.clone();
                t[i] = char::from(a);
                if t == text {
                    continue;
                }
                let s: String = t.iter().collect();
                if JoinCode::parse(&s).is_ok() {
                    accepted += 1;
                }
            }
        }
        // 16-bit checksum: at most a handful of the ~870 typos may slip through.
        assert!(accepted <= 2, "{accepted} typos accepted");
    }

    #[test]
    fn bad_inputs_are_named() {
        assert_eq!(JoinCode::parse(" - "), Err(JoinCodeError::Empty));
        assert!(matches!(
            JoinCode::parse("ABCDE-U"),
            Err(JoinCodeError::BadCharacter { ch: 'U', .. })
        ));
        assert!(matches!(
            JoinCode::parse("ABCDE"),
            Err(JoinCodeError::BadLength { len: 5, .. })
        ));
        assert!(matches!(
            JoinCode::from_bytes(&[0x15, 1, 2]),
            Err(JoinCodeError::UnknownFormat { .. })
        ));
        assert!(matches!(
            JoinCode::from_bytes(&[0x24, 1, 2]),
            Err(JoinCodeError::BadLength { .. })
        ));
    }

    #[test]
    fn downgrade_to_a_v1_join_code_is_refused_with_update_advice() {
        // The v1 code of docs' old example (192.168.1.20:47000) and its bytes.
        assert_eq!(
            JoinCode::parse("2K0AG-08MPY-CDVMC-C5AKB-M"),
            Err(JoinCodeError::OldVersion)
        );
        assert_eq!(
            JoinCode::from_bytes(&[0x14, 192, 168, 1, 20, 0xb7, 0x98, 1, 2, 3, 4]),
            Err(JoinCodeError::OldVersion)
        );
        assert!(
            JoinCodeError::OldVersion
                .to_string()
                .contains("update verifier")
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let code = JoinCode::new("10.0.0.1:5".parse().unwrap(), secret(0xab));
        let dbg = format!("{code:?}");
        assert!(dbg.contains("10.0.0.1:5") && dbg.contains("<redacted>"));
        assert!(!dbg.contains("171") && !dbg.to_lowercase().contains("ab, "));
        assert!(!dbg.contains(&code.to_text()));
    }
}
