//! Runs zxing-cpp through the Python runner script, one image at a time (interleaved with
//! our scanner so both see the same machine load).

use std::io::{BufRead, BufReader, Lines, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use crate::Outcome;

/// A running `zxing_runner.py`.
pub struct Runner {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// The zxing-cpp version the runner reported.
    pub version: String,
}

impl Runner {
    /// Starts the runner.
    pub fn start(python: &str, runner: &Path) -> Result<Self, String> {
        let mut child = Command::new(python)
            .arg(runner)
            .env("OMP_NUM_THREADS", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {python} {}: {e} (pip install zxing-cpp numpy)",
                    runner.display()
                )
            })?;
        let stdin = child.stdin.take().ok_or("no stdin for the runner")?;
        let stdout = child.stdout.take().ok_or("no stdout from the runner")?;
        let mut lines = BufReader::new(stdout).lines();
        let head = lines
            .next()
            .ok_or("zxing runner printed nothing (pip install zxing-cpp numpy)")?
            .map_err(|e| e.to_string())?;
        let head: serde_json::Value = serde_json::from_str(&head).map_err(|e| e.to_string())?;
        let version = head["version"].as_str().unwrap_or("?").to_owned();
        Ok(Self {
            child,
            stdin,
            lines,
            version,
        })
    }

    /// Decodes one PGM file.
    pub fn decode(&mut self, pgm: &Path) -> Result<Outcome, String> {
        writeln!(self.stdin, "{}", pgm.display()).map_err(|e| e.to_string())?;
        self.stdin.flush().map_err(|e| e.to_string())?;
        let line = self
            .lines
            .next()
            .ok_or("zxing runner stopped")?
            .map_err(|e| e.to_string())?;
        let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        let mut o = Outcome {
            ms: v["ms"].as_f64().unwrap_or(f64::NAN),
            ..Outcome::default()
        };
        for c in v["codes"].as_array().into_iter().flatten() {
            o.texts
                .push(c["text"].as_str().unwrap_or_default().to_owned());
            o.bytes
                .push(hex_decode(c["bytes_hex"].as_str().unwrap_or_default()));
        }
        Ok(o)
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}
