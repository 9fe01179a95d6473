//! Pieces shared by the signed binary formats (receipts, identity rotations):
//! a bounds-checked reader of big-endian fields and the typed-key field
//! (`u8 key type || u8 length || key bytes`). Each format keeps its own error
//! type: the reader is given the format's "truncated in field …" error.

use crate::key::{KeyType, PublicKey};

/// A cursor over a binary message; every read names the field it reads, for
/// the error when the input ends inside it.
pub(crate) struct Reader<'a, E> {
    buf: &'a [u8],
    pos: usize,
    truncated: fn(&'static str) -> E,
}

/// What is wrong with a typed-key field (beyond being cut off).
pub(crate) enum KeyProblem {
    /// The key type code is not one this code knows.
    UnsupportedType {
        /// The code found.
        code: u8,
    },
    /// The length does not match the key type.
    Length {
        /// The length found.
        found: usize,
        /// The length the type needs.
        expected: usize,
    },
    /// The bytes are not a valid key of the type.
    Invalid,
}

impl<'a, E> Reader<'a, E> {
    /// A reader at the start of `buf`; `truncated` makes the error for input
    /// that ends inside a field.
    pub(crate) fn new(buf: &'a [u8], truncated: fn(&'static str) -> E) -> Self {
        Self {
            buf,
            pos: 0,
            truncated,
        }
    }

    /// How many bytes were read so far.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], E> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| (self.truncated)(field))?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or_else(|| (self.truncated)(field))?;
        self.pos = end;
        Ok(s)
    }

    /// The next `N` bytes as an array.
    pub(crate) fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], E> {
        self.take(N, field)?
            .try_into()
            .map_err(|_| (self.truncated)(field))
    }

    /// One byte.
    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, E> {
        let [b] = self.array::<1>(field)?;
        Ok(b)
    }

    /// A big-endian `u16`.
    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, E> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    /// A big-endian `u64`.
    pub(crate) fn u64(&mut self, field: &'static str) -> Result<u64, E> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }

    /// A typed-key field: type code, length, key bytes. The type is checked
    /// before the length is read, the length before the key bytes; `bad`
    /// makes the format's error for a field that is there but wrong.
    pub(crate) fn typed_key(
        &mut self,
        field: &'static str,
        bad: impl Fn(KeyProblem) -> E,
    ) -> Result<PublicKey, E> {
        let code = self.u8(field)?;
        let ty = KeyType::from_code(code).map_err(|_| bad(KeyProblem::UnsupportedType { code }))?;
        let len = usize::from(self.u8(field)?);
        let expected = ty.key_len();
        if len != expected {
            return Err(bad(KeyProblem::Length {
                found: len,
                expected,
            }));
        }
        let bytes = self.take(len, field)?;
        PublicKey::from_bytes(ty, bytes).map_err(|_| bad(KeyProblem::Invalid))
    }
}

/// Appends a typed-key field: `u8 key type || u8 length || key bytes`.
pub(crate) fn push_key(out: &mut Vec<u8>, key: &PublicKey) {
    let b = key.as_bytes();
    out.push(key.key_type().code());
    // Key lengths are small constants (32 for Ed25519).
    out.push(b.len() as u8);
    out.extend_from_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;

    #[derive(Debug, PartialEq)]
    enum Bad {
        Truncated(&'static str),
        Key(&'static str),
    }

    fn truncated(field: &'static str) -> Bad {
        Bad::Truncated(field)
    }

    fn what(p: KeyProblem) -> Bad {
        Bad::Key(match p {
            KeyProblem::UnsupportedType { .. } => "type",
            KeyProblem::Length { .. } => "length",
            KeyProblem::Invalid => "invalid",
        })
    }

    #[test]
    fn reads_big_endian_fields_and_names_the_one_cut_off() {
        let mut r = Reader::new(&[1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 9], truncated);
        assert_eq!(r.u8("a"), Ok(1));
        assert_eq!(r.u16("b"), Ok(2));
        assert_eq!(r.u64("c"), Ok(3));
        assert_eq!(r.pos(), 11);
        assert_eq!(r.u16("d"), Err(Bad::Truncated("d")));
        assert_eq!(r.take(usize::MAX, "e"), Err(Bad::Truncated("e")));
        assert_eq!(r.take(1, "f"), Ok(&[9][..]));
    }

    #[test]
    fn a_typed_key_round_trips_and_each_problem_is_told() {
        let key = Identity::from_seed(&[5; 32]).unwrap().public_key();
        let mut field = Vec::new();
        push_key(&mut field, &key);
        assert_eq!(field.len(), 34);
        let mut r = Reader::new(&field, truncated);
        assert_eq!(r.typed_key("k", what), Ok(key));
        let mut bad_type = field.clone();
        bad_type[0] = 0xee;
        assert_eq!(
            Reader::new(&bad_type, truncated).typed_key("k", what),
            Err(Bad::Key("type"))
        );
        let mut bad_len = field.clone();
        bad_len[1] = 31;
        assert_eq!(
            Reader::new(&bad_len, truncated).typed_key("k", what),
            Err(Bad::Key("length"))
        );
        assert_eq!(
            Reader::new(&field[..20], truncated).typed_key("k", what),
            Err(Bad::Truncated("k"))
        );
    }
}
