//! The property of fuzz target `image_file`: `verifier_scan`'s image-file entry point on
//! arbitrary bytes. Lives beside the target (not in `src/`, which only uses
//! `verifier-core`); replayed by `verifier-scan/tests/fuzz_corpus.rs`, which includes this
//! file with `#[path]`.

use verifier_scan::{DecodeLimits, ImageError, ImageFormat, ImageHeader, LumaImage, Scanner};

/// Pixel limit of the run: 100 megapixels, the default. A header declaring more is
/// refused from the header alone; a smaller one must decode within bounded time and
/// memory (libFuzzer's `-rss_limit_mb` and `-timeout` enforce it).
fn limits() -> DecodeLimits {
    DecodeLimits::default()
}

/// Never a panic; the header, the decoder and `scan_encoded` agree: what the header
/// refuses no decoder is asked to decode, a decoded image has the header's size, and
/// `scan_encoded` fails exactly when the decode fails. Returns whether the input decoded.
pub fn check(data: &[u8]) -> bool {
    let limits = limits();
    let header = ImageHeader::read(data, &limits);
    let decoded = LumaImage::from_encoded_with_limits(data, &limits);
    match (&header, &decoded) {
        (Ok(h), Ok(img)) => {
            assert_eq!((img.width(), img.height()), (h.width, h.height));
            assert!(u64::from(h.width) * u64::from(h.height) <= limits.max_pixels);
        }
        (Err(e), Ok(_)) => panic!("header refused ({e}) but the image decoded"),
        (Err(ImageError::UnsupportedFormat { .. }), _) => {
            assert_eq!(ImageFormat::sniff(data), None)
        }
        _ => {}
    }
    if let Err(e) = &decoded {
        assert!((8001..8100).contains(&e.code()), "{e:?}");
        assert!(!e.to_string().is_empty());
    }
    // Scan only small images (the scan's cost is measured by the bench, not fuzzed).
    if let Ok(img) = &decoded
        && u64::from(img.width()) * u64::from(img.height()) <= 1 << 20
    {
        let codes = Scanner::new().scan_encoded(data, &limits);
        assert!(codes.is_ok(), "decoded, but scan_encoded failed: {codes:?}");
    }
    decoded.is_ok()
}
