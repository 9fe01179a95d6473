//! `ImageError::code()` against the scanner's table in `docs/errors.md` (section "The
//! scanner"): every variant built here has the table's number, every row is built, and
//! every `=> NNNN` arm of `code()` in `src/error.rs` is a row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use verifier_scan::ImageError;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// variant → code, from the table after the heading "## The scanner".
fn table() -> BTreeMap<String, u16> {
    let text = std::fs::read_to_string(root().join("docs/errors.md")).unwrap();
    let section = text
        .split("## The scanner")
        .nth(1)
        .expect("no scanner section");
    let mut rows = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| 8")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells[1], "`ImageError`", "{line}");
        let code: u16 = cells[0].parse().unwrap();
        assert!((8001..8100).contains(&code), "{line}");
        let variant = cells[2].trim_matches('`').to_owned();
        assert!(rows.insert(variant, code).is_none(), "{line}: twice");
    }
    rows
}

#[test]
fn every_variant_has_its_code_in_the_table() {
    let s = String::new;
    let values = [
        ImageError::Io {
            path: PathBuf::from("x"),
            source: std::io::Error::other("x"),
        },
        ImageError::UnsupportedFormat {
            what: s(),
            magic_hex: s(),
        },
        ImageError::Corrupt {
            what: s(),
            format: "PNG",
            reason: s(),
        },
        ImageError::BadDimensions {
            width: 0,
            height: 0,
            max: 1,
        },
        ImageError::BufferSize {
            format: "RGB",
            width: 1,
            height: 1,
            expected: 3,
            actual: 0,
        },
        ImageError::OddYuyvWidth { width: 3 },
        ImageError::TooManyPixels {
            what: s(),
            width: 2,
            height: 2,
            pixels: 4,
            max_pixels: 1,
        },
    ];
    let table = table();
    assert_eq!(
        table.len(),
        values.len(),
        "table rows vs variants built here"
    );
    for v in &values {
        let name: String = format!("{v:?}")
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        assert_eq!(table.get(&name), Some(&v.code()), "{name}");
    }
    // The arms of code() in the source are the table.
    let src = std::fs::read_to_string(root().join("verifier-scan/src/error.rs")).unwrap();
    let arms: BTreeMap<String, u16> = src
        .lines()
        .filter_map(|l| {
            let (lhs, rhs) = l.trim().split_once(" => ")?;
            let variant = lhs.strip_prefix("Self::")?.split([' ', '{', '(']).next()?;
            Some((variant.to_owned(), rhs.trim_end_matches(',').parse().ok()?))
        })
        .collect();
    assert_eq!(arms, table);
}
