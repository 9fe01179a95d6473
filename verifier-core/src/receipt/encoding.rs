//! The binary layout of a receipt (`docs/receipts.md`): the body written field
//! by field, and read back with every field checked. The signature itself is
//! made and checked in `signed`.

use crate::key::PublicKey;
use crate::wire::{self, KeyProblem, push_key};

use super::evidence::{EXT_TOO_LONG, EXT_TOO_MANY, EXT_UNORDERED};
use super::{
    ComparedScheme, EVIDENCE_DIGEST_LEN, LabelField, MAX_EXTENSION_BYTES, MAX_EXTENSIONS,
    MAX_LABEL_BYTES, RECEIPT_MAGIC, RECEIPT_VERSION, RECEIPT_VERSIONS_READ, ReceiptError,
    ReceiptEvidence, ReceiptStatement, SIGNATURE_LEN, Timestamp, VerificationMethod,
    validate_label,
};

/// A binary receipt taken apart (its signature not checked yet).
pub(super) struct Decoded<'a> {
    /// The format version.
    pub(super) version: u8,
    /// The key the receipt says signed it.
    pub(super) signer: PublicKey,
    /// What it states.
    pub(super) statement: ReceiptStatement,
    /// Everything before the signature (what the signature covers, after the label).
    pub(super) body: &'a [u8],
    /// The signature bytes.
    pub(super) signature: [u8; SIGNATURE_LEN],
}

/// Reads a binary receipt of any version this code reads
/// ([`RECEIPT_VERSIONS_READ`]), checking every field, but not the signature.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded<'_>, ReceiptError> {
    let mut r = Reader::new(bytes, |field| ReceiptError::Truncated { field });
    let magic = r.take(4, "magic")?;
    if magic != RECEIPT_MAGIC {
        return Err(ReceiptError::NotAReceipt);
    }
    let version = r.u8("version")?;
    if !RECEIPT_VERSIONS_READ.contains(&version) {
        return Err(ReceiptError::UnsupportedVersion {
            found: version,
            supported: RECEIPT_VERSION,
        });
    }
    let signer = r.key("signer")?;
    let key = r.key("subject")?;
    let name = r.label(LabelField::ContactName, "contact name")?;
    let id_len = usize::from(r.u16("contact id length")?);
    let contact_id = if id_len == 0 {
        None
    } else {
        Some(r.label_body(LabelField::ContactId, id_len, "contact id")?)
    };
    let secs = r.u64("time")?;
    let code = r.u8("method")?;
    let method = VerificationMethod::from_code_in_version(code, version)?;
    let evidence = if version == 1 {
        None
    } else {
        Some(r.evidence()?)
    };
    let body_len = r.pos();
    let sig_bytes: [u8; SIGNATURE_LEN] = r.array("signature")?;
    if r.pos() < bytes.len() {
        return Err(ReceiptError::TrailingBytes {
            count: bytes.len() - r.pos(),
        });
    }
    let statement = ReceiptStatement::build(
        key,
        &name,
        contact_id.as_deref(),
        Timestamp::from_unix_secs(secs),
        method,
        evidence,
    )?;
    let body = bytes
        .get(..body_len)
        .ok_or(ReceiptError::Truncated { field: "body" })?;
    Ok(Decoded {
        version,
        signer,
        statement,
        body,
        signature: sig_bytes,
    })
}

fn push_label(out: &mut Vec<u8>, s: &str) {
    // Labels are validated to at most MAX_LABEL_BYTES (< u16::MAX).
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

pub(super) fn push_evidence(out: &mut Vec<u8>, e: &ReceiptEvidence) {
    out.push(e.scheme.code());
    out.push(e.scheme_version);
    match &e.digest {
        Some(d) => {
            out.push(EVIDENCE_DIGEST_LEN as u8);
            out.extend_from_slice(d);
        }
        None => out.push(0),
    }
    // At most MAX_EXTENSIONS (16) extensions of at most MAX_EXTENSION_BYTES
    // (1024) bytes each, sorted by kind: checked by `with_extension`.
    out.push(e.extensions.len() as u8);
    for (kind, value) in &e.extensions {
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
        out.extend_from_slice(value);
    }
}

/// The body (everything before the signature) in the layout of `version`:
/// version 1 for a statement without evidence, version 2 otherwise.
pub(super) fn encode_body(version: u8, signer: &PublicKey, st: &ReceiptStatement) -> Vec<u8> {
    let mut out = Vec::with_capacity(192);
    out.extend_from_slice(&RECEIPT_MAGIC);
    out.push(version);
    push_key(&mut out, signer);
    push_key(&mut out, st.key());
    push_label(&mut out, st.contact_name());
    match st.contact_id() {
        Some(id) => push_label(&mut out, id),
        None => out.extend_from_slice(&0u16.to_be_bytes()),
    }
    out.extend_from_slice(&st.verified_at().as_unix_secs().to_be_bytes());
    out.push(st.method().code());
    if let Some(e) = st.evidence() {
        push_evidence(&mut out, e);
    }
    out
}

/// The receipt's reader: the shared one, with receipt errors.
type Reader<'a> = wire::Reader<'a, ReceiptError>;

impl Reader<'_> {
    /// A key field (`role`: "signer" or "subject").
    fn key(&mut self, role: &'static str) -> Result<PublicKey, ReceiptError> {
        let field = if role == "signer" {
            "signer key"
        } else {
            "subject key"
        };
        self.typed_key(field, |problem| match problem {
            KeyProblem::UnsupportedType { code } => ReceiptError::UnsupportedKeyType { role, code },
            KeyProblem::Length { found, expected } => ReceiptError::InvalidKeyLength {
                role,
                found,
                expected,
            },
            KeyProblem::Invalid => ReceiptError::InvalidKey { role },
        })
    }
    fn label(&mut self, lf: LabelField, field: &'static str) -> Result<String, ReceiptError> {
        let len = usize::from(self.u16(field)?);
        self.label_body(lf, len, field)
    }
    fn label_body(
        &mut self,
        lf: LabelField,
        len: usize,
        field: &'static str,
    ) -> Result<String, ReceiptError> {
        if len > MAX_LABEL_BYTES {
            return Err(ReceiptError::InvalidLabel {
                field: lf,
                reason: "it is longer than 256 bytes",
            });
        }
        let b = self.take(len, field)?;
        let s = std::str::from_utf8(b).map_err(|_| ReceiptError::InvalidLabel {
            field: lf,
            reason: "it is not valid UTF-8",
        })?;
        validate_label(lf, s)?;
        Ok(s.to_owned())
    }
    /// The version 2 evidence: scheme, scheme version, digest, extensions.
    fn evidence(&mut self) -> Result<ReceiptEvidence, ReceiptError> {
        let code = self.u8("scheme")?;
        let scheme = ComparedScheme::from_code(code).ok_or(ReceiptError::UnknownScheme { code })?;
        let scheme_version = self.u8("scheme version")?;
        let len = self.u8("digest length")?;
        let digest = match usize::from(len) {
            0 => None,
            EVIDENCE_DIGEST_LEN => Some(self.array::<EVIDENCE_DIGEST_LEN>("digest")?),
            _ => return Err(ReceiptError::InvalidDigestLength { len }),
        };
        let count = usize::from(self.u8("extension count")?);
        if count > MAX_EXTENSIONS {
            return Err(ReceiptError::InvalidExtension {
                reason: EXT_TOO_MANY,
            });
        }
        let mut extensions: Vec<(u16, Vec<u8>)> = Vec::with_capacity(count);
        for _ in 0..count {
            let kind = self.u16("extension kind")?;
            if extensions.last().is_some_and(|(prev, _)| *prev >= kind) {
                return Err(ReceiptError::InvalidExtension {
                    reason: EXT_UNORDERED,
                });
            }
            let len = usize::from(self.u16("extension length")?);
            if len > MAX_EXTENSION_BYTES {
                return Err(ReceiptError::InvalidExtension {
                    reason: EXT_TOO_LONG,
                });
            }
            let value = self.take(len, "extension value")?.to_vec();
            extensions.push((kind, value));
        }
        Ok(ReceiptEvidence {
            scheme,
            scheme_version,
            digest,
            extensions,
        })
    }
}
