//! The decoding engines behind the pipeline: rxing's port of the zxing-cpp QR reader
//! (fed with our own bit matrices) and quircs (a port of quirc, with its own threshold).

use std::borrow::Cow;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rxing::common::{BitArray, BitMatrix, LineOrientation};
use rxing::multi::MultipleBarcodeReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{
    BarcodeFormat, Binarizer, BinaryBitmap, DecodeHints, Luma8LuminanceSource, LuminanceSource,
};

use crate::luma::LumaImage;

/// One symbol decoded by an engine, in the coordinates of the image it was given.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub bytes: Vec<u8>,
    /// The engine's text (charset from ECI or guessed), if it produced one.
    pub text: Option<String>,
    /// Corners as the engine reported them (order fixed up later).
    pub corners: [(f32, f32); 4],
}

/// A binarizer that hands rxing a bit matrix we made ourselves.
struct Prebinarized {
    source: Luma8LuminanceSource,
    matrix: BitMatrix,
}

impl Binarizer for Prebinarized {
    type Source = Luma8LuminanceSource;

    fn get_luminance_source(&self) -> &Self::Source {
        &self.source
    }

    fn get_black_row(&self, y: usize) -> rxing::common::Result<Cow<'_, BitArray>> {
        Ok(Cow::Owned(self.matrix.getRow(y as u32)))
    }

    fn get_black_row_from_matrix(&self, y: usize) -> rxing::common::Result<Cow<'_, BitArray>> {
        self.get_black_row(y)
    }

    fn get_black_matrix(&self) -> rxing::common::Result<&BitMatrix> {
        Ok(&self.matrix)
    }

    fn get_black_line(
        &self,
        l: usize,
        lt: LineOrientation,
    ) -> rxing::common::Result<Cow<'_, BitArray>> {
        Ok(Cow::Owned(match lt {
            LineOrientation::Row => self.matrix.getRow(l as u32),
            LineOrientation::Column => self.matrix.getCol(l as u32),
        }))
    }

    fn create_binarizer(&self, source: Self::Source) -> Self {
        let matrix = BitMatrix::new(
            (source.get_width() as u32).max(1),
            (source.get_height() as u32).max(1),
        )
        .unwrap_or_else(|_| self.matrix.clone());
        Self { source, matrix }
    }

    fn get_width(&self) -> usize {
        self.matrix.getWidth() as usize
    }

    fn get_height(&self) -> usize {
        self.matrix.getHeight() as usize
    }
}

fn qr_hints(try_harder: bool) -> DecodeHints {
    DecodeHints {
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(try_harder),
        ..DecodeHints::default()
    }
}

/// Runs rxing's zxing-cpp-port QR reader on a bit matrix; every symbol it returns passed
/// Reed–Solomon error correction. A panic inside the engine counts as "nothing found".
pub(crate) fn rxing_detect(matrix: BitMatrix, try_harder: bool) -> Vec<Found> {
    let hints = qr_hints(try_harder);
    let outcome = catch_unwind(AssertUnwindSafe(move || {
        let binarizer = Prebinarized {
            source: Luma8LuminanceSource::new(vec![0], 1, 1),
            matrix,
        };
        let mut bitmap = BinaryBitmap::new(binarizer);
        let mut reader = QrReader;
        reader.decode_multiple_with_hints(&mut bitmap, &hints)
    }));
    let results = match outcome {
        Ok(Ok(r)) => r,
        _ => return Vec::new(),
    };
    results
        .into_iter()
        .filter(|r| *r.getBarcodeFormat() == BarcodeFormat::QR_CODE)
        .filter_map(|r| {
            let pts = r.getPoints();
            let p = |i: usize| pts.get(i).map(|p| (p.x, p.y));
            let corners = [p(0)?, p(1)?, p(2)?, p(3)?];
            Some(Found {
                bytes: r.getRawBytes().to_vec(),
                text: Some(r.getText().to_owned()),
                corners,
            })
        })
        .collect()
}

/// Runs quircs (its own Otsu-style threshold) on a luma image. Only symbols whose error
/// correction succeeded are returned.
pub(crate) fn quirc_detect(quirc: &mut quircs::Quirc, img: &LumaImage) -> Vec<Found> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut out = Vec::new();
        for code in quirc.identify(w, h, img.pixels()).flatten() {
            if let Ok(data) = code.decode() {
                let c = code.corners;
                out.push(Found {
                    bytes: data.payload,
                    text: None,
                    corners: [
                        (c[0].x as f32, c[0].y as f32),
                        (c[1].x as f32, c[1].y as f32),
                        (c[2].x as f32, c[2].y as f32),
                        (c[3].x as f32, c[3].y as f32),
                    ],
                });
            }
        }
        out
    }));
    outcome.unwrap_or_default()
}
