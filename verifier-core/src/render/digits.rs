//! Decimal digit groups, as Signal renders safety numbers.
//!
//! Each group takes the next 5 bytes as a big-endian 40-bit integer, reduces
//! it mod 100000 and writes it as 5 digits, zero-padded. The reduction is
//! lossy (≈ 16.6 bits per group), so parsing gives back the group values, not
//! the bytes.
//!
//! ```
//! use verifier_core::render::digits;
//!
//! let groups = digits::digit_groups(&[0, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff, 0xff], 2)?;
//! assert_eq!(groups, ["00007", "27775"]); // 2^40 - 1 = 1099511627775
//! assert_eq!(digits::parse_digit_groups("0000727 775", 2)?, vec![7, 27775]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use unicode_normalization::UnicodeNormalization;

use super::RenderError;
use super::parse::{CompareError, ParseError, is_separator};

/// Bytes consumed by one group.
pub const BYTES_PER_GROUP: usize = 5;

/// Digits in one group.
pub const DIGITS_PER_GROUP: usize = 5;

/// The modulus of a group value (`10^5`).
pub const GROUP_MODULUS: u64 = 100_000;

/// The values (each below 100000) of the first `groups` groups of `bytes`.
pub fn digit_group_values(bytes: &[u8], groups: usize) -> Result<Vec<u32>, RenderError> {
    let needed = groups.saturating_mul(BYTES_PER_GROUP);
    if bytes.len() < needed {
        return Err(RenderError::NotEnoughBits {
            needed: needed.saturating_mul(8),
            available: bytes.len().saturating_mul(8),
        });
    }
    Ok(bytes
        .chunks_exact(BYTES_PER_GROUP)
        .take(groups)
        .map(|chunk| {
            let n = chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            (n % GROUP_MODULUS) as u32
        })
        .collect())
}

/// Writes a group value as 5 digits, zero-padded (reduced mod 100000 first).
pub fn format_group(value: u32) -> String {
    format!("{:05}", u64::from(value) % GROUP_MODULUS)
}

/// The first `groups` groups of `bytes` as 5-digit strings.
pub fn digit_groups(bytes: &[u8], groups: usize) -> Result<Vec<String>, RenderError> {
    Ok(digit_group_values(bytes, groups)?
        .into_iter()
        .map(format_group)
        .collect())
}

/// Reads typed digits with any spacing (white space, dashes, commas, …; also
/// full-width digits) into `groups` group values.
///
/// The digits are taken in order and cut into groups of five, so the
/// spacing the person used does not matter. Errors name the first wrong
/// group: a character that is not a digit, too few or too many digits.
pub fn parse_digit_groups(typed: &str, groups: usize) -> Result<Vec<u32>, ParseError> {
    read_groups(typed, groups, |_, _| Ok::<(), ParseError>(()))
}

/// Compares typed digits with the expected group values; returns the first
/// group that is unreadable or differs.
pub fn compare_digit_groups(typed: &str, expected: &[u32]) -> Result<(), CompareError> {
    read_groups(typed, expected.len(), |position, value| {
        if expected.get(position) == Some(&value) {
            Ok(())
        } else {
            Err(CompareError::Mismatch {
                position,
                typed: format_group(value),
            })
        }
    })
    .map(|_| ())
}

fn read_groups<E: From<ParseError>>(
    typed: &str,
    groups: usize,
    mut check: impl FnMut(usize, u32) -> Result<(), E>,
) -> Result<Vec<u32>, E> {
    let expected = groups.saturating_mul(DIGITS_PER_GROUP);
    let mut out = Vec::with_capacity(groups);
    let mut value = 0u32;
    let mut count = 0usize;
    for c in typed.nfkc() {
        if is_separator(c) {
            continue;
        }
        let position = count / DIGITS_PER_GROUP;
        let Some(d) = c.to_digit(10) else {
            return Err(ParseError::InvalidDigit {
                position,
                character: c,
            }
            .into());
        };
        if count >= expected {
            return Err(ParseError::TooManyDigits {
                position: groups,
                expected,
                found: count_digits(typed),
            }
            .into());
        }
        value = value * 10 + d;
        count += 1;
        if count.is_multiple_of(DIGITS_PER_GROUP) {
            check(position, value)?;
            out.push(value);
            value = 0;
        }
    }
    if count < expected {
        return Err(ParseError::TooFewDigits {
            position: count / DIGITS_PER_GROUP,
            expected,
            found: count,
        }
        .into());
    }
    Ok(out)
}

fn count_digits(typed: &str) -> usize {
    typed.nfkc().filter(|c| c.is_ascii_digit()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_first_wrong_group() {
        assert_eq!(
            parse_digit_groups("12345 12x45 1234a", 3),
            Err(ParseError::InvalidDigit {
                position: 1,
                character: 'x'
            })
        );
        assert_eq!(
            parse_digit_groups("12345 1234", 3),
            Err(ParseError::TooFewDigits {
                position: 1,
                expected: 15,
                found: 9
            })
        );
        assert_eq!(
            parse_digit_groups("12345 12345 6", 2),
            Err(ParseError::TooManyDigits {
                position: 2,
                expected: 10,
                found: 11
            })
        );
        assert_eq!(
            compare_digit_groups("12345-54321", &[12345, 54322]),
            Err(CompareError::Mismatch {
                position: 1,
                typed: "54321".into()
            })
        );
        assert_eq!(
            compare_digit_groups("１２３４５\u{3000}00001", &[12345, 1]),
            Ok(())
        );
        assert_eq!(
            digit_groups(&[0; 9], 2),
            Err(RenderError::NotEnoughBits {
                needed: 80,
                available: 72
            })
        );
    }
}
