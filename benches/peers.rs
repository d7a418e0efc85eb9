//! `cargo bench --bench peers`: twt-gen's numbers next to its peers', same input, same run.
//!
//! 1. Minifying the assembled host-sdk: swc (in-process, as `twt-gen build` does) against
//!    esbuild and terser from npm (`benches/npm-peers/`, installed with `npm ci` on first use). Bytes and
//!    gzip -9 bytes are deterministic; times are medians of warm runs on this machine.
//! 2. `twt-gen build` of 1,000 generated configs, wall time of the release binary.
//!
//! Timing lives here, never in tests.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use twt_gen::render::bundle::{self, BundleInputs};

const RUNS: usize = 15;

fn gzip_len(bytes: &[u8]) -> usize {
    bundle::gzip_len(bytes)
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn peers(source_file: &Path) -> Vec<(String, usize, usize, f64)> {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches").join("npm-peers");
    if !bench.join("node_modules").exists() {
        let status = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&bench).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "npm ci in benches/npm-peers/ failed: Node.js and npm are needed for the peers"
        );
    }
    let out = Command::new("node")
        .arg(bench.join("minify-peers.mjs"))
        .arg(source_file)
        .arg(RUNS.to_string())
        .output()
        .expect("node runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let code = v["code"].as_str().unwrap();
            (
                v["peer"].as_str().unwrap().to_string(),
                code.len(),
                gzip_len(code.as_bytes()),
                v["ms"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn batch(count: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let configs = dir.path().join("customers");
    std::fs::create_dir(&configs).unwrap();
    let presets = ["light", "dark", "system", "custom-launcher", "deferred-init"];
    for i in 0..count {
        let text = format!("extends = \"{}\"\nappid = \"customer-{i:04}\"\n", presets[i % presets.len()]);
        std::fs::write(configs.join(format!("customer-{i:04}.toml")), text).unwrap();
    }
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_twt-gen"))
        .args(["build", "--config"])
        .arg(&configs)
        .arg("--out")
        .arg(dir.path().join("dist"))
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    start.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let inputs = BundleInputs { runtime_origin: "https://runtime.twt.chat".into() };
    let (_, source) = bundle::source(&inputs).unwrap();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(source.as_bytes()).unwrap();

    let mut times = Vec::new();
    let mut code = String::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        code = bundle::js::minify("core.src.js", &source).unwrap().code;
        times.push(start.elapsed());
    }
    let mut rows = vec![("swc (twt-gen)".to_string(), code.len(), gzip_len(code.as_bytes()), median(times))];
    rows.extend(peers(file.path()));

    println!(
        "minifying the host-sdk ({} bytes assembled, {} gzip -9)",
        source.len(),
        gzip_len(source.as_bytes())
    );
    println!("{:<16} {:>8} {:>10} {:>10}", "minifier", "bytes", "gzip -9", "median ms");
    for (name, bytes, gzip, ms) in rows {
        println!("{name:<16} {bytes:>8} {gzip:>10} {ms:>10.1}");
    }
    let runs: Vec<f64> = (0..3).map(|_| batch(1000)).collect();
    println!(
        "twt-gen build, 1000 configs: {:.0} ms (runs: {:?})",
        runs.iter().cloned().fold(f64::MAX, f64::min),
        runs.iter().map(|r| r.round()).collect::<Vec<_>>()
    );
}
