//! Scans every PNG/JPEG under the folders given as arguments, `REPEAT` times (env, default
//! 1), and prints the number of images with a code and the total scan time. For profiling.
use std::time::Instant;
use verifier_scan::{LumaImage, Scanner};

fn main() {
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut images = Vec::new();
    for dir in std::env::args().skip(1) {
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(img) = LumaImage::open(&p) {
                    images.push(img);
                }
            }
        }
    }
    let scanner = Scanner::new();
    let t = Instant::now();
    let mut found = 0;
    for _ in 0..repeat {
        found = images
            .iter()
            .filter(|i| !scanner.scan(i).is_empty())
            .count();
    }
    println!(
        "{found}/{} images with a code; {:.2} ms per image",
        images.len(),
        t.elapsed().as_secs_f64() * 1000.0 / (repeat * images.len().max(1)) as f64
    );
}
