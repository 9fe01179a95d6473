//! Big-endian bit reader and writer: bytes ⇄ a sequence of fixed-width indices.
//!
//! Index `k` of width `b` is made of the bits `k·b .. (k+1)·b` of the input,
//! counting from the most significant bit of the first byte. This is the order
//! BIP39 and Matrix SAS use.
//!
//! ```
//! use verifier_core::render::bits;
//!
//! // 0b10110011_01000000 read as three 5-bit indices: 10110 01101 00000
//! assert_eq!(bits::bytes_to_indices(&[0xb3, 0x40], 5, 3)?, vec![22, 13, 0]);
//! // and back: the unused low bits of the last byte are zero
//! assert_eq!(bits::indices_to_bytes(&[22, 13, 0], 5)?, vec![0xb3, 0x40]);
//! # Ok::<(), verifier_core::render::RenderError>(())
//! ```

use super::RenderError;

/// The widest index supported, in bits.
pub const MAX_BITS: u32 = 16;

fn check_width(bits: u32) -> Result<(), RenderError> {
    if (1..=MAX_BITS).contains(&bits) {
        Ok(())
    } else {
        Err(RenderError::UnsupportedBitWidth { bits })
    }
}

/// Reads `count` indices of `bits` bits each from the front of `bytes`.
///
/// Bits after the last index are ignored. Errors if `bits` is not in
/// `1..=16` or if `bytes` holds fewer than `count × bits` bits.
pub fn bytes_to_indices(bytes: &[u8], bits: u32, count: usize) -> Result<Vec<u16>, RenderError> {
    check_width(bits)?;
    let available = bytes.len().saturating_mul(8);
    let needed = count.saturating_mul(bits as usize);
    if needed > available {
        return Err(RenderError::NotEnoughBits { needed, available });
    }
    let mask: u32 = (1u32 << bits) - 1;
    let mut out = Vec::with_capacity(count);
    let mut acc: u32 = 0;
    let mut held: u32 = 0;
    let mut input = bytes.iter();
    while out.len() < count {
        while held < bits {
            // `needed <= available` guarantees a byte is left here.
            let Some(&byte) = input.next() else {
                return Err(RenderError::NotEnoughBits { needed, available });
            };
            acc = (acc << 8) | u32::from(byte);
            held += 8;
        }
        held -= bits;
        out.push(((acc >> held) & mask) as u16);
        acc &= (1u32 << held) - 1;
    }
    Ok(out)
}

/// Packs `indices` of `bits` bits each, big-endian, into bytes.
///
/// The result has `ceil(len × bits / 8)` bytes; the unused low bits of the
/// last byte are zero. Errors if `bits` is not in `1..=16` or an index does
/// not fit in `bits` bits (the position of the first one is named).
pub fn indices_to_bytes(indices: &[u16], bits: u32) -> Result<Vec<u8>, RenderError> {
    check_width(bits)?;
    let limit = 1u32 << bits;
    let total_bits = indices.len().saturating_mul(bits as usize);
    let mut out = Vec::with_capacity(total_bits.div_ceil(8));
    let mut acc: u32 = 0;
    let mut held: u32 = 0;
    for (position, &index) in indices.iter().enumerate() {
        if u32::from(index) >= limit {
            return Err(RenderError::IndexOutOfRange {
                position,
                index,
                limit,
            });
        }
        acc = (acc << bits) | u32::from(index);
        held += bits;
        while held >= 8 {
            held -= 8;
            out.push(((acc >> held) & 0xff) as u8);
        }
        acc &= (1u32 << held) - 1;
    }
    if held > 0 {
        out.push(((acc << (8 - held)) & 0xff) as u8);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(bytes_to_indices(&[0xff, 0xff], 11, 1).unwrap(), vec![2047]);
        assert_eq!(bytes_to_indices(&[0x00, 0x20], 11, 1).unwrap(), vec![1]);
        assert_eq!(
            bytes_to_indices(&[0xab, 0xcd], 8, 2).unwrap(),
            vec![0xab, 0xcd]
        );
        assert_eq!(
            bytes_to_indices(&[0xab, 0xcd], 16, 1).unwrap(),
            vec![0xabcd]
        );
        assert_eq!(
            bytes_to_indices(&[0x80], 1, 8).unwrap(),
            vec![1, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(bytes_to_indices(&[], 11, 0).unwrap(), Vec::<u16>::new());
        assert_eq!(indices_to_bytes(&[2047], 11).unwrap(), vec![0xff, 0xe0]);
        assert_eq!(indices_to_bytes(&[], 11).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn errors() {
        assert_eq!(
            bytes_to_indices(&[0; 2], 11, 2),
            Err(RenderError::NotEnoughBits {
                needed: 22,
                available: 16
            })
        );
        assert_eq!(
            bytes_to_indices(&[0; 2], 0, 1),
            Err(RenderError::UnsupportedBitWidth { bits: 0 })
        );
        assert_eq!(
            bytes_to_indices(&[0; 4], 17, 1),
            Err(RenderError::UnsupportedBitWidth { bits: 17 })
        );
        assert_eq!(
            bytes_to_indices(&[0; 4], 16, usize::MAX),
            Err(RenderError::NotEnoughBits {
                needed: usize::MAX,
                available: 32
            })
        );
        assert_eq!(
            indices_to_bytes(&[3, 64, 65], 6),
            Err(RenderError::IndexOutOfRange {
                position: 1,
                index: 64,
                limit: 64
            })
        );
        assert_eq!(
            indices_to_bytes(&[1], 0),
            Err(RenderError::UnsupportedBitWidth { bits: 0 })
        );
    }

    proptest! {
        #[test]
        fn indices_round_trip(bits in 1u32..=16, raw in proptest::collection::vec(any::<u16>(), 0..40)) {
            let indices: Vec<u16> = raw.iter().map(|i| (u32::from(*i) % (1u32 << bits)) as u16).collect();
            let bytes = indices_to_bytes(&indices, bits).unwrap();
            prop_assert_eq!(bytes.len(), (indices.len() * bits as usize).div_ceil(8));
            prop_assert_eq!(bytes_to_indices(&bytes, bits, indices.len()).unwrap(), indices);
        }

        #[test]
        fn bytes_round_trip_keeps_the_read_bits(bits in 1u32..=16, bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let count = bytes.len() * 8 / bits as usize;
            let indices = bytes_to_indices(&bytes, bits, count).unwrap();
            let back = indices_to_bytes(&indices, bits).unwrap();
            let used = count * bits as usize;
            // every bit that was read comes back; the rest is zero
            for bit in 0..back.len() * 8 {
                let got = back[bit / 8] >> (7 - bit % 8) & 1;
                let want = if bit < used { bytes[bit / 8] >> (7 - bit % 8) & 1 } else { 0 };
                prop_assert_eq!(got, want, "bit {}", bit);
            }
        }
    }
}
