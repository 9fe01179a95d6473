//! Runs zxing-cpp through the Python runner script; one JSON line per image.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::Outcome;

/// Decodes every PGM in `paths` with zxing-cpp; returns its version and one outcome per path.
pub fn run(
    python: &str,
    runner: &Path,
    paths: &[&Path],
) -> Result<(String, Vec<Option<Outcome>>), String> {
    let mut child = Command::new(python)
        .arg(runner)
        .env("OMP_NUM_THREADS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {python} {}: {e} (pip install zxing-cpp numpy)", runner.display()))?;
    let mut stdin = child.stdin.take().ok_or("no stdin for the runner")?;
    let list: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let stdout = child.stdout.take().ok_or("no stdout from the runner")?;
    let mut lines = BufReader::new(stdout).lines();
    let head = lines
        .next()
        .ok_or("zxing runner printed nothing (is zxing-cpp installed? pip install zxing-cpp numpy)")?
        .map_err(|e| e.to_string())?;
    let head: serde_json::Value = serde_json::from_str(&head).map_err(|e| e.to_string())?;
    let version = head["version"].as_str().unwrap_or("?").to_owned();
    let mut by_path = std::collections::HashMap::new();
    for line in lines {
        let line = line.map_err(|e| e.to_string())?;
        let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        let path = v["path"].as_str().unwrap_or_default().to_owned();
        let mut o = Outcome {
            ms: v["ms"].as_f64().unwrap_or(f64::NAN),
            ..Outcome::default()
        };
        for c in v["codes"].as_array().into_iter().flatten() {
            o.texts.push(c["text"].as_str().unwrap_or_default().to_owned());
            o.bytes.push(hex_decode(c["bytes_hex"].as_str().unwrap_or_default()));
        }
        by_path.insert(path, o);
    }
    let _ = writer.join();
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("zxing runner failed: {status}"));
    }
    Ok((
        version,
        paths
            .iter()
            .map(|p| by_path.remove(&p.display().to_string()))
            .collect(),
    ))
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}
