//! [`ScannableFingerprint`]: the protobuf payload of Signal's safety-number QR code,
//! a strict, panic-free parser for it, and the crosswise comparison of a scanned code.
//!
//! Wire format (protobuf, libsignal's `CombinedFingerprints`), always in this order:
//!
//! ```text
//! 0x08 varint(version)                   field 1: version (uint32)
//! 0x12 0x22  0x0a 0x20 <32 bytes>        field 2: LogicalFingerprint{1: local h[0..32]}
//! 0x1a 0x22  0x0a 0x20 <32 bytes>        field 3: LogicalFingerprint{1: remote h[0..32]}
//! ```

use std::fmt;

use subtle::{Choice, ConstantTimeEq};

/// Length of each fingerprint inside the scannable code.
pub const SCANNABLE_FINGERPRINT_LEN: usize = 32;

/// Field 1, wire type 0 (varint).
const TAG_VERSION: u64 = 0x08;
/// Field 2, wire type 2 (length-delimited).
const TAG_LOCAL: u64 = 0x12;
/// Field 3, wire type 2 (length-delimited).
const TAG_REMOTE: u64 = 0x1a;
/// Field 1 of `LogicalFingerprint`, wire type 2.
const TAG_CONTENT: u64 = 0x0a;

/// Which of the two fingerprints in a scannable code, as seen by whoever made the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FingerprintSide {
    /// Field 2: the code owner's own fingerprint.
    Local,
    /// Field 3: the code owner's view of the other party.
    Remote,
}

impl fmt::Display for FingerprintSide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Local => "local (field 2)",
            Self::Remote => "remote (field 3)",
        })
    }
}

/// Why bytes are not a well-formed Signal scannable fingerprint.
///
/// Offsets are zero-based byte positions in the whole scanned input.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScannableParseError {
    /// No bytes at all.
    #[error("the scanned code is empty: scan a Signal safety-number QR code")]
    Empty,
    /// The input ends inside an item.
    #[error(
        "the scanned code is cut off: the protobuf item at byte {offset} runs past the end of \
         the data; scan the whole code again"
    )]
    Truncated {
        /// Where the incomplete item starts.
        offset: usize,
    },
    /// A varint is longer than 10 bytes, overflows 64 bits or is not minimally encoded.
    #[error(
        "malformed protobuf varint at byte {offset} (overlong or not minimally encoded): \
         this is not a Signal safety-number code"
    )]
    InvalidVarint {
        /// Where the varint starts.
        offset: usize,
    },
    /// A field number / wire type that the layout does not allow at this point
    /// (unknown, repeated or out of order).
    #[error(
        "unexpected protobuf field {field} (wire type {wire_type}) at byte {offset}, expected \
         {expected}: this is not a Signal safety-number code"
    )]
    UnexpectedField {
        /// Where the field's tag starts.
        offset: usize,
        /// The field number found.
        field: u64,
        /// The wire type found.
        wire_type: u8,
        /// What the layout requires here.
        expected: &'static str,
    },
    /// The version field (1) is absent.
    #[error(
        "the scanned code has no version field: it comes from an obsolete Signal release; \
         both people need a current Signal app"
    )]
    MissingVersion,
    /// The version does not fit in 32 bits.
    #[error(
        "the scanned code's version {value} does not fit in 32 bits: this is not a Signal code"
    )]
    VersionOutOfRange {
        /// The decoded value.
        value: u64,
    },
    /// A fingerprint (field 2 or 3, or its content field) is absent.
    #[error("the scanned code has no {side} fingerprint: this is not a complete Signal code")]
    MissingFingerprint {
        /// Which one is missing.
        side: FingerprintSide,
    },
    /// A fingerprint is not 32 bytes long.
    #[error(
        "the {side} fingerprint in the scanned code is {len} bytes, but Signal uses 32: \
         this code is from an obsolete format or damaged"
    )]
    WrongFingerprintLength {
        /// Which fingerprint.
        side: FingerprintSide,
        /// Its length in bytes.
        len: usize,
    },
    /// Bytes after the last expected item (of the code, or of a fingerprint message).
    #[error(
        "{count} unexpected trailing byte(s) at byte {offset}: a Signal safety-number code \
         ends after the remote fingerprint"
    )]
    TrailingBytes {
        /// Where the trailing bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
}

impl ScannableParseError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::Empty => 7001,
            Self::Truncated { .. } => 7002,
            Self::InvalidVarint { .. } => 7003,
            Self::UnexpectedField { .. } => 7004,
            Self::MissingVersion => 7005,
            Self::VersionOutOfRange { .. } => 7006,
            Self::MissingFingerprint { .. } => 7007,
            Self::WrongFingerprintLength { .. } => 7008,
            Self::TrailingBytes { .. } => 7009,
        }
    }
}

/// Why a scanned code could not be compared with ours. A successful comparison that
/// does not match is `Ok(false)`, not an error.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScannableCompareError {
    /// The scanned code has a different version than ours (a missing version counts as 0,
    /// as in libsignal).
    #[error(
        "the scanned code is a version {theirs} Signal safety-number code, ours is version \
         {ours}: the two apps disagree on the format; update both and compare again"
    )]
    VersionMismatch {
        /// The scanned code's version.
        theirs: u32,
        /// Our code's version.
        ours: u32,
    },
    /// The scanned bytes are not a well-formed code.
    #[error(transparent)]
    Parse(#[from] ScannableParseError),
}

impl ScannableCompareError {
    /// A stable number for this error (docs/errors.md).
    ///
    /// [`Self::Parse`] has a number of its own; the wrapped [`ScannableParseError`] gives its
    /// own number with [`code`](ScannableParseError::code).
    pub fn code(&self) -> u16 {
        match self {
            Self::VersionMismatch { .. } => 7101,
            Self::Parse(_) => 7102,
        }
    }
}

/// The content of a Signal safety-number QR code: a version and the first 32 bytes of
/// both parties' iterated hashes, from the point of view of the code's owner.
///
/// ```
/// use verifier_core::signal::ScannableFingerprint;
/// let code = ScannableFingerprint::new(2, [0x12; 32], [0xba; 32]);
/// let bytes = code.to_bytes();
/// assert_eq!(&bytes[..6], &[0x08, 0x02, 0x12, 0x22, 0x0a, 0x20]);
/// assert_eq!(ScannableFingerprint::parse(&bytes)?, code);
/// assert!(ScannableFingerprint::parse(&bytes[..40]).is_err());
/// # Ok::<(), verifier_core::signal::ScannableParseError>(())
/// ```
#[derive(Clone, Eq)]
pub struct ScannableFingerprint {
    version: u32,
    local: [u8; SCANNABLE_FINGERPRINT_LEN],
    remote: [u8; SCANNABLE_FINGERPRINT_LEN],
}

impl ScannableFingerprint {
    /// Builds a code from its parts (any version; see [`NumericFingerprint`] for
    /// computing one).
    ///
    /// [`NumericFingerprint`]: super::NumericFingerprint
    pub fn new(
        version: u32,
        local: [u8; SCANNABLE_FINGERPRINT_LEN],
        remote: [u8; SCANNABLE_FINGERPRINT_LEN],
    ) -> Self {
        Self {
            version,
            local,
            remote,
        }
    }

    /// Parses a scanned code strictly: exactly the canonical encoding that libsignal
    /// produces (fields 1, 2, 3 in order, each once, minimal varints, 32-byte
    /// fingerprints, nothing else). Any version number is accepted here; comparing
    /// checks it. Never panics; `parse(b)` succeeding implies `to_bytes() == b`.
    pub fn parse(bytes: &[u8]) -> Result<Self, ScannableParseError> {
        let wire = Wire::decode(bytes)?;
        let version = wire.version.ok_or(ScannableParseError::MissingVersion)?;
        Ok(Self {
            version,
            local: wire.local.content(FingerprintSide::Local)?,
            remote: wire.remote.content(FingerprintSide::Remote)?,
        })
    }

    /// The canonical protobuf encoding (74 bytes for versions below 128).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + 5 + 2 * (4 + SCANNABLE_FINGERPRINT_LEN));
        push_varint(&mut out, TAG_VERSION);
        push_varint(&mut out, u64::from(self.version));
        for (tag, fingerprint) in [(TAG_LOCAL, &self.local), (TAG_REMOTE, &self.remote)] {
            push_varint(&mut out, tag);
            push_varint(&mut out, 2 + SCANNABLE_FINGERPRINT_LEN as u64);
            push_varint(&mut out, TAG_CONTENT);
            push_varint(&mut out, SCANNABLE_FINGERPRINT_LEN as u64);
            out.extend_from_slice(fingerprint);
        }
        out
    }

    /// The version carried by the code.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The code owner's own fingerprint (field 2).
    pub fn local_fingerprint(&self) -> &[u8; SCANNABLE_FINGERPRINT_LEN] {
        &self.local
    }

    /// The code owner's view of the other party's fingerprint (field 3).
    pub fn remote_fingerprint(&self) -> &[u8; SCANNABLE_FINGERPRINT_LEN] {
        &self.remote
    }

    /// Compares a scanned code with ours, as libsignal's `ScannableFingerprint::compare`:
    /// the versions must be equal (else [`ScannableCompareError::VersionMismatch`], with a
    /// missing version read as 0), then crosswise and in constant time, their local must
    /// equal our remote and their remote our local. Our own code therefore does not
    /// match (unless both parties are the same).
    ///
    /// The version is checked before the fingerprints are validated (as in libsignal), so
    /// an old-format code reports the version mismatch, not a length error.
    pub fn compare(&self, scanned: &[u8]) -> Result<bool, ScannableCompareError> {
        let wire = Wire::decode(scanned)?;
        let theirs = wire.version.unwrap_or(0);
        if theirs != self.version {
            return Err(ScannableCompareError::VersionMismatch {
                theirs,
                ours: self.version,
            });
        }
        let their_local = wire.local.content(FingerprintSide::Local)?;
        let their_remote = wire.remote.content(FingerprintSide::Remote)?;
        Ok(self.crosswise(&their_local, &their_remote).into())
    }

    /// [`compare`](Self::compare) for an already parsed code.
    pub fn compare_parsed(
        &self,
        theirs: &ScannableFingerprint,
    ) -> Result<bool, ScannableCompareError> {
        if theirs.version != self.version {
            return Err(ScannableCompareError::VersionMismatch {
                theirs: theirs.version,
                ours: self.version,
            });
        }
        Ok(self.crosswise(&theirs.local, &theirs.remote).into())
    }

    fn crosswise(
        &self,
        their_local: &[u8; SCANNABLE_FINGERPRINT_LEN],
        their_remote: &[u8; SCANNABLE_FINGERPRINT_LEN],
    ) -> Choice {
        // Both comparisons always run; `&` on `Choice` does not short-circuit.
        their_local.ct_eq(&self.remote) & their_remote.ct_eq(&self.local)
    }
}

impl PartialEq for ScannableFingerprint {
    fn eq(&self, other: &Self) -> bool {
        let same = self.version.ct_eq(&other.version)
            & self.local.ct_eq(&other.local)
            & self.remote.ct_eq(&other.remote);
        same.into()
    }
}

impl fmt::Debug for ScannableFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScannableFingerprint")
            .field("version", &self.version)
            .field("local", &hex::encode(self.local))
            .field("remote", &hex::encode(self.remote))
            .finish()
    }
}

fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// A cursor over part of the input; `base` is the part's offset in the whole input.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            base,
        }
    }

    fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// A minimal (canonical) protobuf varint of at most 10 bytes, fitting in 64 bits.
    fn varint(&mut self) -> Result<u64, ScannableParseError> {
        let start = self.offset();
        let mut value = 0u64;
        for index in 0..10u32 {
            let byte = *self
                .bytes
                .get(self.pos)
                .ok_or(ScannableParseError::Truncated { offset: start })?;
            self.pos = self.pos.saturating_add(1);
            let low = u64::from(byte & 0x7f);
            if index == 9 && byte > 0x01 {
                return Err(ScannableParseError::InvalidVarint { offset: start });
            }
            value |= low << (7 * index);
            if byte & 0x80 == 0 {
                if index > 0 && byte == 0 {
                    return Err(ScannableParseError::InvalidVarint { offset: start });
                }
                return Ok(value);
            }
        }
        Err(ScannableParseError::InvalidVarint { offset: start })
    }

    /// The next tag as (offset, field number, wire type), or `None` at the end.
    fn tag(&mut self) -> Result<Option<Tag>, ScannableParseError> {
        if self.remaining() == 0 {
            return Ok(None);
        }
        let offset = self.offset();
        let raw = self.varint()?;
        Ok(Some(Tag { offset, raw }))
    }

    /// A length-delimited value (after its tag): returns the body and its offset.
    fn length_delimited(&mut self) -> Result<Part<'a>, ScannableParseError> {
        let start = self.offset();
        let len = self.varint()?;
        let body_start = self.pos;
        let body = usize::try_from(len)
            .ok()
            .and_then(|len| body_start.checked_add(len))
            .and_then(|end| self.bytes.get(body_start..end))
            .ok_or(ScannableParseError::Truncated { offset: start })?;
        self.pos = body_start.saturating_add(body.len());
        Ok(Part {
            bytes: body,
            base: self.base.saturating_add(body_start),
        })
    }

    fn expect_end(&self) -> Result<(), ScannableParseError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(ScannableParseError::TrailingBytes {
                offset: self.offset(),
                count,
            }),
        }
    }
}

struct Tag {
    offset: usize,
    raw: u64,
}

impl Tag {
    fn unexpected(&self, expected: &'static str) -> ScannableParseError {
        ScannableParseError::UnexpectedField {
            offset: self.offset,
            field: self.raw >> 3,
            wire_type: (self.raw & 0x07) as u8,
            expected,
        }
    }
}

/// A length-delimited body and its offset in the whole input.
struct Part<'a> {
    bytes: &'a [u8],
    base: usize,
}

impl Part<'_> {
    /// Decodes a `LogicalFingerprint` body: exactly `0x0a 0x20 <32 bytes>`.
    fn content(
        &self,
        side: FingerprintSide,
    ) -> Result<[u8; SCANNABLE_FINGERPRINT_LEN], ScannableParseError> {
        let mut reader = Reader::new(self.bytes, self.base);
        let tag = reader
            .tag()?
            .ok_or(ScannableParseError::MissingFingerprint { side })?;
        if tag.raw != TAG_CONTENT {
            return Err(tag.unexpected("field 1 (fingerprint content, length-delimited)"));
        }
        let content = reader.length_delimited()?;
        let fingerprint =
            content
                .bytes
                .try_into()
                .map_err(|_| ScannableParseError::WrongFingerprintLength {
                    side,
                    len: content.bytes.len(),
                })?;
        reader.expect_end()?;
        Ok(fingerprint)
    }
}

/// The top level of a code: framing checked, fingerprint bodies not yet decoded.
struct Wire<'a> {
    version: Option<u32>,
    local: Part<'a>,
    remote: Part<'a>,
}

impl<'a> Wire<'a> {
    fn decode(bytes: &'a [u8]) -> Result<Self, ScannableParseError> {
        if bytes.is_empty() {
            return Err(ScannableParseError::Empty);
        }
        let mut reader = Reader::new(bytes, 0);
        let mut next = reader.tag()?;
        let mut version = None;
        if let Some(Tag {
            raw: TAG_VERSION, ..
        }) = next
        {
            let value = reader.varint()?;
            version = Some(
                u32::try_from(value)
                    .map_err(|_| ScannableParseError::VersionOutOfRange { value })?,
            );
            next = reader.tag()?;
        }
        let local = match next {
            Some(Tag { raw: TAG_LOCAL, .. }) => reader.length_delimited()?,
            Some(tag) if version.is_none() => {
                return Err(tag.unexpected(
                    "field 1 (version, varint) or field 2 (local fingerprint, length-delimited)",
                ));
            }
            Some(tag) => {
                return Err(tag.unexpected("field 2 (local fingerprint, length-delimited)"));
            }
            None => {
                return Err(ScannableParseError::MissingFingerprint {
                    side: FingerprintSide::Local,
                });
            }
        };
        let remote = match reader.tag()? {
            Some(Tag {
                raw: TAG_REMOTE, ..
            }) => reader.length_delimited()?,
            Some(tag) => {
                return Err(tag.unexpected("field 3 (remote fingerprint, length-delimited)"));
            }
            None => {
                return Err(ScannableParseError::MissingFingerprint {
                    side: FingerprintSide::Remote,
                });
            }
        };
        reader.expect_end()?;
        Ok(Self {
            version,
            local,
            remote,
        })
    }
}
