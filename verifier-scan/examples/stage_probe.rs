//! Runs every stage alone on one image file (each pyramid level, both polarities) and
//! prints what each found and its time: `stage_probe FILE [CROP_X CROP_Y CROP_W CROP_H]`.
//! For investigating a missed code.
use std::time::Instant;
use verifier_scan::{LumaImage, Method, Scanner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: stage_probe FILE [X Y W H]")?;
    let mut img = LumaImage::open(path)?;
    if args.len() == 5 {
        let v: Vec<u32> = args[1..]
            .iter()
            .map(|a| a.parse())
            .collect::<Result<_, _>>()?;
        img = img
            .crop(v[0], v[1], v[2], v[3])
            .ok_or("crop outside the image")?;
    }
    println!("{}x{}", img.width(), img.height());
    // PROBE_PNG=out.png: also write the image, shrunk to at most ~1000 px, to look at.
    if let Ok(out) = std::env::var("PROBE_PNG") {
        let f = (img.width().max(img.height()) / 1000).max(1);
        let small = img.downscaled(f).ok_or("cannot shrink")?;
        image::GrayImage::from_raw(small.width(), small.height(), small.into_pixels())
            .ok_or("bad buffer")?
            .save(out)?;
    }
    let s = Scanner::new();
    let t = Instant::now();
    let codes = s.scan(&img);
    println!(
        "scan: {} codes in {:.1} ms: {:?}",
        codes.len(),
        t.elapsed().as_secs_f64() * 1e3,
        codes
            .iter()
            .map(|c| (c.stage, c.center()))
            .collect::<Vec<_>>()
    );
    for m in [
        Method::LocalAverage,
        Method::LowContrast,
        Method::Normalized,
        Method::GlobalThreshold,
        Method::Quirc,
    ] {
        for f in [1, 2, 4, 8] {
            for inv in [false, true] {
                let t = Instant::now();
                let c = s.scan_stage(&img, m, f, inv);
                println!(
                    "{m:?} /{f}{}: {} in {:.1} ms",
                    if inv { " inv" } else { "" },
                    c.len(),
                    t.elapsed().as_secs_f64() * 1e3
                );
            }
        }
    }
    Ok(())
}
