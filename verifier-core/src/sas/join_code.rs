//! The join code: where the host listens and which first message it will send
//! (docs/sas-protocol.md, "Join code").

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::machine::{JOIN_BINDING_LEN, JoinBinding};
use super::schedule::{LABEL_JOIN_CODE_CHECKSUM, labelled_hash};

const HEADER_V4: u8 = 0x14;
const HEADER_V6: u8 = 0x16;
const CHECKSUM_LEN: usize = 2;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUP: usize = 5;

/// A join code: the host's address and port plus bytes binding its first message.
///
/// ```
/// use verifier_core::sas::JoinCode;
/// let code = JoinCode::new("192.168.1.20:47000".parse().unwrap(), [1, 2, 3, 4]);
/// let text = code.to_string();
/// assert_eq!(text.len(), 21 + 4); // 21 base32 characters in groups of five
/// assert_eq!(text.to_lowercase().parse::<JoinCode>().unwrap(), code);
/// assert_eq!(JoinCode::from_bytes(&code.to_bytes()).unwrap(), code);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JoinCode {
    addr: SocketAddr,
    binding: JoinBinding,
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

impl JoinCode {
    /// A join code for a host at `addr` whose first message has `binding`.
    pub fn new(addr: SocketAddr, binding: JoinBinding) -> Self {
        Self { addr, binding }
    }

    /// The host's address and port.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The binding of the host's first message.
    pub fn binding(&self) -> JoinBinding {
        self.binding
    }

    /// The payload bytes (11 for IPv4, 23 for IPv6), without checksum: for QR codes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(23);
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
        out.extend_from_slice(&self.binding);
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
            other => return Err(JoinCodeError::UnknownFormat { header: other }),
        };
        let (port, rest) = rest
            .split_first_chunk::<2>()
            .ok_or_else(|| bad_bytes(bytes.len(), header))?;
        let (binding, rest) = rest
            .split_first_chunk::<JOIN_BINDING_LEN>()
            .ok_or_else(|| bad_bytes(bytes.len(), header))?;
        if !rest.is_empty() {
            return Err(bad_bytes(bytes.len(), header));
        }
        Ok(Self {
            addr: SocketAddr::new(ip, u16::from_be_bytes(*port)),
            binding: *binding,
        })
    }

    /// The text form people type: Crockford base32 with checksum, grouped by five.
    pub fn to_text(&self) -> String {
        let mut bytes = self.to_bytes();
        let sum = checksum(&bytes);
        bytes.extend_from_slice(&sum);
        let chars = base32_encode(&bytes);
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
        let mut values = Vec::with_capacity(40);
        for (position, ch) in text.chars().enumerate() {
            if ch == '-' || ch.is_whitespace() {
                continue;
            }
            let v = decode_char(ch).ok_or(JoinCodeError::BadCharacter { ch, position })?;
            values.push(v);
        }
        let payload_len = match values.len() {
            0 => return Err(JoinCodeError::Empty),
            21 => 11,
            40 => 23,
            n => {
                return Err(JoinCodeError::BadLength {
                    len: n,
                    expected: "21 (IPv4) or 40 (IPv6)",
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
        expected: if header == HEADER_V6 { "23" } else { "11" },
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

    #[test]
    fn round_trips_v4_and_v6() {
        for addr in [
            "127.0.0.1:1",
            "10.1.2.3:65535",
            "[::1]:4000",
            "[fe80::1:2:3:4]:9",
        ] {
            let code = JoinCode::new(addr.parse().unwrap(), [9, 8, 7, 6]);
            assert_eq!(JoinCode::parse(&code.to_text()).unwrap(), code, "{addr}");
            assert_eq!(JoinCode::from_bytes(&code.to_bytes()).unwrap(), code);
        }
    }

    #[test]
    fn every_single_character_typo_is_rejected_or_changes_nothing() {
        let code = JoinCode::new(
            "192.168.0.7:40123".parse().unwrap(),
            [0xde, 0xad, 0xbe, 0xef],
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
        // 16-bit checksum: at most a handful of the ~650 typos may slip through.
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
            JoinCode::from_bytes(&[0x14, 1, 2]),
            Err(JoinCodeError::BadLength { .. })
        ));
    }
}
