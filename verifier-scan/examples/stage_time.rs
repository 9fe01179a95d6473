//! Times each stage on a flat and a noisy 640×480 image (binarization cost without codes).
use std::time::Instant;
use verifier_scan::{LumaImage, Method, Scanner};

fn main() -> Result<(), verifier_scan::ImageError> {
    let flat = LumaImage::new(640, 480, vec![180; 640 * 480])?;
    let mut state = 1u32;
    let noisy: Vec<u8> = (0..640 * 480)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (150 + (state >> 28)) as u8
        })
        .collect();
    let noisy = LumaImage::new(640, 480, noisy)?;
    let s = Scanner::new();
    for (name, img) in [("flat", &flat), ("noisy", &noisy)] {
        for m in [Method::LocalAverage, Method::GlobalThreshold] {
            let t = Instant::now();
            for _ in 0..100 {
                let _ = s.scan_stage(img, m, 1, false);
            }
            println!("{name} {m:?}: {:.3} ms", t.elapsed().as_secs_f64() * 10.0);
        }
    }
    Ok(())
}
