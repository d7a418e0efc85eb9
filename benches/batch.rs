//! `cargo bench --bench batch`: `twt-gen build` at scale, next to its floors, same disk, same run.
//!
//! 1. Batches of generated configs (six options each; `TWT_BENCH_COUNTS`, default
//!    `1000,10000`; BENCHMARKS.md also has 100000): wall, CPU, peak RSS, files and bytes written,
//!    and the ratio to `cp -r` of the finished output followed by one `sync -f` (the build ends
//!    with one `syncfs` before its swap).
//! 2. A rebuild of the largest batch after one config changed: wall and ratio to the full build,
//!    next to `cp -al` of the output (the floor of an incremental build that keeps the atomic
//!    swap: every folder is new, every file a link).
//! 3. One config, whole processes: `twt-gen build` against `esbuild --minify` of the same
//!    assembled host-sdk source (esbuild from `benches/npm-peers/`).
//!
//! Timing lives here, never in tests.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use twt_gen::render::bundle::{self, BundleInputs};

/// What one process cost.
struct Run {
    wall_s: f64,
    cpu_s: f64,
    peak_rss_mb: f64,
}

/// Runs `command` to its end and measures it (wall clock, and CPU and peak RSS from `wait4`).
fn run(command: &mut Command) -> Run {
    let start = Instant::now();
    let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("the command starts");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child, reaped here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall_s = start.elapsed().as_secs_f64();
    assert!(pid > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{command:?} failed");
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Run {
        wall_s,
        cpu_s: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        peak_rss_mb: usage.ru_maxrss as f64 / 1024.0,
    }
}

fn twt_gen_build(configs: &Path, out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_twt-gen"));
    command.arg("build").arg("--config").arg(configs).arg("--out").arg(out);
    command
}

fn generate_configs(dir: &Path, count: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let themes = ["light", "dark", "system"];
    let languages = ["en", "zh-cn", "zh-tw", "ja", "ko", "de", "fr", "pt", "ru"];
    for i in 0..count {
        let text = format!(
            "appid = \"customer-{i:06}\"\ntheme = \"{}\"\nlauncher = \"{}\"\nzIndex = {}\nlanguage = \"{}\"\nasyncInit = {}\n",
            themes[i % 3],
            if i % 4 == 0 { "custom" } else { "default" },
            1000 + i,
            languages[i % languages.len()],
            i % 5 == 0
        );
        std::fs::write(dir.join(format!("customer-{i:06}.toml")), text).unwrap();
    }
}

/// Files and bytes under `dir`.
fn tree_size(dir: &Path) -> (usize, u64) {
    let (mut files, mut bytes) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            let (f, b) = tree_size(&entry.path());
            files += f;
            bytes += b;
        } else {
            files += 1;
            bytes += entry.metadata().unwrap().len();
        }
    }
    (files, bytes)
}

fn batch(work: &Path, count: usize) -> (std::path::PathBuf, std::path::PathBuf, Run) {
    let configs = work.join(format!("configs-{count}"));
    let out = work.join(format!("out-{count}"));
    generate_configs(&configs, count);
    let build = run(&mut twt_gen_build(&configs, &out));
    // The floor: copying the finished output, then one sync of the file system, as the build
    // ends with one (syncfs) before its swap.
    let copy = run(Command::new("sh")
        .arg("-c")
        .arg("cp -r \"$1\" \"$2\" && sync -f \"$2\"")
        .arg("sh")
        .arg(&out)
        .arg(work.join("copy")));
    std::fs::remove_dir_all(work.join("copy")).unwrap();
    let (files, bytes) = tree_size(&out);
    println!(
        "{count:>7} configs | {:>6.2} s wall | {:>6.2} s CPU | {:>6.1} MB peak RSS | {files:>7} files, {:>6.0} MB | cp -r + sync {:>6.2} s | ratio {:.2}",
        build.wall_s,
        build.cpu_s,
        build.peak_rss_mb,
        bytes as f64 / 1e6,
        copy.wall_s,
        build.wall_s / copy.wall_s
    );
    (configs, out, build)
}

fn main() {
    let counts: Vec<usize> = std::env::var("TWT_BENCH_COUNTS")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("TWT_BENCH_COUNTS: numbers separated by commas"))
        .collect();
    // On the disk of the output (the system's temporary folder unless TMPDIR says otherwise).
    let work = tempfile::tempdir().unwrap();
    println!("batch builds of generated configs (release binary), and cp -r of the output:");
    let mut last: Option<(std::path::PathBuf, std::path::PathBuf, Run)> = None;
    for count in counts {
        if let Some((configs, out, _)) = last.take() {
            std::fs::remove_dir_all(configs).unwrap();
            std::fs::remove_dir_all(out).unwrap();
        }
        last = Some(batch(work.path(), count));
    }

    let (configs, out, full) = last.expect("at least one count");
    let changed = std::fs::read_dir(&configs).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, text.replace("zIndex = ", "zIndex = 1")).unwrap();
    let rebuild = run(&mut twt_gen_build(&configs, &out));
    let links = run(Command::new("cp").arg("-al").arg(&out).arg(work.path().join("links")));
    std::fs::remove_dir_all(work.path().join("links")).unwrap();
    println!(
        "rebuild after one change: {:.2} s wall ({:.0} % of the full build), {:.1} MB peak RSS | cp -al {:.2} s",
        rebuild.wall_s,
        100.0 * rebuild.wall_s / full.wall_s,
        rebuild.peak_rss_mb,
        links.wall_s
    );

    let inputs = BundleInputs { runtime_origin: "https://runtime.twt.chat".into() };
    let (_, source) = bundle::source(&inputs).unwrap();
    let source_file = work.path().join("core.src.js");
    std::fs::write(&source_file, &source).unwrap();
    let esbuild = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/npm-peers/node_modules/.bin/esbuild");
    assert!(esbuild.exists(), "run `cargo bench --bench peers` once (it installs esbuild with npm ci)");
    let one = work.path().join("one");
    std::fs::create_dir(&one).unwrap();
    std::fs::write(one.join("acme.toml"), "appid = \"acme\"\ntheme = \"dark\"\n").unwrap();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        ours.push(run(&mut twt_gen_build(&one, &work.path().join("one-out"))).wall_s);
        theirs.push(
            run(Command::new(&esbuild).arg(&source_file).args([
                "--minify",
                "--target=es2018",
                "--outfile=/dev/null",
            ]))
            .wall_s,
        );
    }
    ours.sort_by(f64::total_cmp);
    theirs.sort_by(f64::total_cmp);
    let (ours, theirs) = (ours[ours.len() / 2], theirs[theirs.len() / 2]);
    println!(
        "one config, whole process: twt-gen build {:.0} ms, esbuild --minify {:.0} ms (median of 15), ratio {:.2}",
        ours * 1000.0,
        theirs * 1000.0,
        ours / theirs
    );
}
