//! Peak memory of `twt-gen build` does not grow with the batch: customers are checked, rendered
//! and written one by one, and only an index of them is kept (`pipeline.rs`). Peak RSS is stable
//! enough to be a budget; the wall time is a benchmark's business (`benches/batch.rs`).
//!
//! One test in its own binary, so that the peak RSS of this process's children is the builds'.

use std::path::Path;
use std::process::Command;

/// Peak RSS of a 1,000-config build is about 20 MB (release and debug alike): the bundle,
/// swc and the index. The budget leaves room for allocator noise, never for a batch held whole.
const PEAK_RSS_BUDGET_KB: i64 = 48 * 1024;

fn generate_configs(dir: &Path, count: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let themes = ["light", "dark", "system"];
    for i in 0..count {
        let text =
            format!("appid = \"customer-{i:05}\"\ntheme = \"{}\"\nzIndex = {}\n", themes[i % 3], 1000 + i);
        std::fs::write(dir.join(format!("customer-{i:05}.toml")), text).unwrap();
    }
}

/// Runs a build of `configs` into `out` and returns its peak RSS in KB (from `wait4`).
fn peak_rss_kb(configs: &Path, out: &Path) -> i64 {
    let child = Command::new(env!("CARGO_BIN_EXE_twt-gen"))
        .arg("build")
        .arg("--config")
        .arg(configs)
        .arg("--out")
        .arg(out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child, which we reap here
    // instead of through `Child::wait`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "the build failed: {status}");
    usage.ru_maxrss
}

#[test]
fn peak_memory_is_flat_in_the_number_of_customers() {
    let dir = tempfile::tempdir().unwrap();
    let (small, large) = (dir.path().join("small"), dir.path().join("large"));
    generate_configs(&small, 100);
    generate_configs(&large, 2_000);
    let small_kb = peak_rss_kb(&small, &dir.path().join("out-small"));
    let large_kb = peak_rss_kb(&large, &dir.path().join("out-large"));
    // Before streaming, 2,000 customers took about 130 MB more than 100.
    assert!(
        large_kb <= PEAK_RSS_BUDGET_KB,
        "2,000 customers peak at {large_kb} KB (budget {PEAK_RSS_BUDGET_KB})"
    );
    assert!(
        large_kb - small_kb <= 8 * 1024,
        "20 times the customers took {} KB more ({small_kb} KB at 100, {large_kb} KB at 2,000)",
        large_kb - small_kb
    );
    let figures = Path::new(env!("CARGO_TARGET_TMPDIR")).join("figures");
    std::fs::create_dir_all(&figures).unwrap();
    std::fs::write(
        figures.join("memory.txt"),
        format!("memory: peak RSS of build: {small_kb} KB at 100 configs, {large_kb} KB at 2,000 (budget {PEAK_RSS_BUDGET_KB} KB)\n"),
    )
    .unwrap();
}
