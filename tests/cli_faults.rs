//! Fault injection on the CLI side: a full disk (a real small tmpfs), an unwritable `--out`, and
//! builds killed with SIGKILL at random points. Whatever happens, the previous output stays as it
//! was, byte for byte, and the next build leaves no staging folder behind.
//!
//! The full disk needs a mount: the test enters a user and mount namespace with util-linux's
//! `unshare --user --map-root-user --mount` (works as root, and as a user where user namespaces
//! are allowed) and fails, naming what is missing, where it cannot.
//!
//! Kill points come from a seeded generator: `TWT_FAULT_SEED=<n>` replays a run.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_twt-gen");
const STAGING: &str = ".twt-gen-staging-";

/// Every file under `root` with its bytes: two snapshots are equal when the trees are identical.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The staging folders in `parent` (beside an `--out` in it).
fn staging_folders(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(STAGING))
        .collect()
}

/// Writes `count` distinct valid configs into `dir`.
fn generate_configs(dir: &Path, count: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let presets = ["light", "dark", "system", "custom-launcher", "deferred-init"];
    for i in 0..count {
        let text = format!(
            "extends = \"{}\"\nappid = \"customer-{i:04}\"\nzIndex = {}\n",
            presets[i % presets.len()],
            1000 + i
        );
        std::fs::write(dir.join(format!("customer-{i:04}.toml")), text).unwrap();
    }
}

/// `twt-gen build --config CONFIGS --out OUT`, not started yet.
fn build_command(configs: &Path, out: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.arg("build").arg("--config").arg(configs).arg("--out").arg(out);
    command
}

fn build(configs: &Path, out: &Path) -> std::process::Output {
    build_command(configs, out).output().unwrap()
}

fn build_ok(configs: &Path, out: &Path) {
    let output = build(configs, out);
    assert!(output.status.success(), "build failed: {}", String::from_utf8_lossy(&output.stderr));
}

/// SplitMix64: a few lines, and the same kill points for the same seed on every machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

#[derive(Default)]
struct Tally {
    disk_full: usize,
    unwritable: usize,
    kills: usize,
    /// Kills that left a staging folder: the build died while writing or swapping.
    kills_mid_write: usize,
    lost: usize,
    stale: usize,
}

impl Tally {
    fn figure(&self) -> String {
        format!(
            "cli-faults: {} faults tried ({} full-disk levels, {} unwritable --out, {} SIGKILLs at random points, {} of them while writing), previous output lost: {}, stale staging folders after the next build: {}",
            self.disk_full + self.unwritable + self.kills,
            self.disk_full,
            self.unwritable,
            self.kills,
            self.kills_mid_write,
            self.lost,
            self.stale
        )
    }
}

fn write_figure(name: &str, figure: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("figures");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.txt")), format!("{figure}\n")).unwrap();
    println!("{figure}");
}

#[test]
fn faults_never_lose_the_previous_output_and_leave_no_staging_behind() {
    let mut tally = Tally::default();
    full_disk(&mut tally);
    unwritable_out(&mut tally);
    random_kills(&mut tally);
    let figure = tally.figure();
    write_figure("cli-faults", &figure);
    assert_eq!((tally.lost, tally.stale), (0, 0), "{figure}");
}

/// A tmpfs of a few hundred KiB holds the previous output; a filler file leaves `k` pages free,
/// for every `k` from none to one page short of the new output, so ENOSPC strikes at a
/// different file each time. Then the file system is remounted read-only.
fn full_disk(tally: &mut Tally) {
    let work = tempfile::tempdir().unwrap();
    let (previous_configs, new_configs) = (work.path().join("previous"), work.path().join("new"));
    generate_configs(&previous_configs, 1);
    generate_configs(&new_configs, 3);
    let previous = work.path().join("previous-out");
    build_ok(&previous_configs, &previous);
    // What the new output needs on a tmpfs: whole pages per file.
    let reference = work.path().join("reference-out");
    build_ok(&new_configs, &reference);
    let pages: u64 = snapshot(&reference).values().map(|bytes| (bytes.len() as u64).div_ceil(4096)).sum();
    let step = (pages / 24).max(1);
    let levels: Vec<u64> = (0..pages).step_by(step as usize).collect();

    let mount = work.path().join("mnt");
    std::fs::create_dir(&mount).unwrap();
    let script = r#"
set -u
bin=$1; mnt=$2; previous=$3; configs=$4; work=$5; shift 5
mount -t tmpfs -o size=2m tmpfs "$mnt" || { echo "setup: cannot mount a tmpfs"; exit 1; }
cp -a "$previous" "$mnt/out"
dd if=/dev/zero of="$mnt/filler" bs=4096 2>/dev/null
full=$(stat -c %s "$mnt/filler")
check() {
  if diff -r -q "$previous" "$mnt/out" >/dev/null; then echo "$1 output same"; else echo "$1 output lost"; fi
  echo "$1 staging $(ls -A "$mnt" | grep -c '^\.twt-gen-staging-')"
}
for free in "$@"; do
  truncate -s $((full - free * 4096)) "$mnt/filler"
  "$bin" build --config "$configs" --out "$mnt/out" >/dev/null 2>"$work/stderr-$free"
  echo "full-$free exit $?"
  check "full-$free"
done
rm "$mnt/filler"
mount -o remount,ro "$mnt"
"$bin" build --config "$configs" --out "$mnt/out" >/dev/null 2>"$work/stderr-ro"
echo "read-only exit $?"
check read-only
mount -o remount,rw "$mnt"
"$bin" build --config "$configs" --out "$mnt/out" >/dev/null 2>"$work/stderr-final"
echo "final exit $?"
echo "final staging $(ls -A "$mnt" | grep -c '^\.twt-gen-staging-')"
"#;
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "bash", "-c", script, "fault"])
        .arg(BIN)
        .arg(&mount)
        .arg(&previous)
        .arg(&new_configs)
        .arg(work.path())
        .args(levels.iter().map(u64::to_string))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `unshare` (util-linux) for the full-disk test: {e}; install util-linux")
        });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success() && !stdout.contains("setup:"),
        "cannot set up a small tmpfs in a user and mount namespace (`unshare --user --map-root-user --mount`): \
         this test needs user namespaces or root\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let result = |key: &str| -> String {
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no `{key}` in the script's output:\n{stdout}\n{stderr}"))
            .to_string()
    };
    for free in &levels {
        let key = format!("full-{free}");
        let message = std::fs::read_to_string(work.path().join(format!("stderr-{free}"))).unwrap();
        assert_eq!(result(&format!("{key} exit")), "73", "{free} pages free: {message}");
        assert!(message.contains("No space left on device"), "{free} pages free: {message}");
        assert!(message.starts_with("error[unwritable-output]: cannot write the output:"), "{message}");
        assert!(message.contains("= help: the disk is full"), "{free} pages free: {message}");
        tally.disk_full += 1;
        tally.lost += usize::from(result(&format!("{key} output")) != "same");
        tally.stale += result(&format!("{key} staging")).parse::<usize>().unwrap();
    }
    let message = std::fs::read_to_string(work.path().join("stderr-ro")).unwrap();
    assert_eq!(result("read-only exit"), "73", "{message}");
    assert!(message.contains("Read-only file system"), "{message}");
    assert!(message.contains("= help: the file system is read-only"), "{message}");
    tally.unwritable += 1;
    tally.lost += usize::from(result("read-only output") != "same");
    tally.stale += result("read-only staging").parse::<usize>().unwrap();
    assert_eq!(
        result("final exit"),
        "0",
        "{}",
        std::fs::read_to_string(work.path().join("stderr-final")).unwrap()
    );
    tally.stale += result("final staging").parse::<usize>().unwrap();
}

/// `--out` below a file, and `--out` that is a file: exit 73, nothing touched.
fn unwritable_out(tally: &mut Tally) {
    let work = tempfile::tempdir().unwrap();
    let configs = work.path().join("configs");
    generate_configs(&configs, 1);
    let file = work.path().join("a-file");
    std::fs::write(&file, "keep me").unwrap();
    for out in [file.join("dist"), file.clone()] {
        let output = build(&configs, &out);
        assert_eq!(output.status.code(), Some(73), "{}", String::from_utf8_lossy(&output.stderr));
        tally.unwritable += 1;
        tally.lost += usize::from(std::fs::read_to_string(&file).unwrap() != "keep me");
        tally.stale += staging_folders(work.path()).len();
    }
}

/// SIGKILL a batch build at random moments of its run. The configs do not change, so whether it
/// died before or after the swap, `--out` must hold exactly the previous bytes.
fn random_kills(tally: &mut Tally) {
    const KILLS: usize = 24;
    let seed = std::env::var("TWT_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_240_601);
    let mut random = Random(seed);
    let work = tempfile::tempdir().unwrap();
    let configs = work.path().join("configs");
    generate_configs(&configs, 60);
    let out = work.path().join("dist");
    build_ok(&configs, &out);
    let before = snapshot(&out);
    // An uninterrupted run over an existing output: the window to kill in.
    let started = Instant::now();
    build_ok(&configs, &out);
    let window = started.elapsed().as_micros().max(1) as u64;

    for kill in 0..KILLS {
        let delay = random.below(window);
        let mut child =
            build_command(&configs, &out).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill();
        let _ = child.wait();
        tally.kills += 1;
        let context = format!("kill {kill} after {delay} µs of {window} (TWT_FAULT_SEED={seed})");
        if !staging_folders(work.path()).is_empty() {
            tally.kills_mid_write += 1;
        }
        if snapshot(&out) != before {
            tally.lost += 1;
            eprintln!("{context}: the previous output changed");
        }
        // Every fourth kill, and after the last, a build runs to the end and must sweep.
        if kill % 4 == 3 || kill == KILLS - 1 {
            build_ok(&configs, &out);
            let left = staging_folders(work.path());
            if !left.is_empty() {
                eprintln!("{context}: staging folders left after the next build: {left:?}");
            }
            tally.stale += left.len();
            tally.lost += usize::from(snapshot(&out) != before);
        }
    }
}

/// A killed build's staging folder is swept by the next build into the same `--out`; a staging
/// folder that a running build holds, one for another `--out`, and anything not named like ours
/// are left alone.
#[test]
fn the_next_build_sweeps_a_killed_builds_staging_folder_and_nothing_else() {
    let work = tempfile::tempdir().unwrap();
    let configs = work.path().join("configs");
    generate_configs(&configs, 100);
    let out = work.path().join("dist");
    build_ok(&configs, &out);

    // Kill builds as soon as their staging folder appears, until one is left behind.
    let mut left = Vec::new();
    for _ in 0..50 {
        let mut child = build_command(&configs, &out).stderr(Stdio::null()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while staging_folders(work.path()).is_empty() && Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill();
        let _ = child.wait();
        left = staging_folders(work.path());
        if !left.is_empty() {
            break;
        }
    }
    assert_eq!(left.len(), 1, "no build was caught with its staging folder: {left:?}");
    let stale = &left[0];
    // `.twt-gen-staging-<hash of the --out name>-<random>`
    let ours = &stale[..stale.rfind('-').unwrap() + 1];

    // A build into the same --out that is still running: its folder is locked.
    let running = work.path().join(format!("{ours}running"));
    std::fs::create_dir(&running).unwrap();
    std::fs::write(running.join("half-written.html"), "in progress").unwrap();
    let lock = std::fs::File::open(&running).unwrap();
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor `lock` owns, held until it is dropped at the end of the test.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }, 0);
    // Not ours to touch: another --out's staging folder, our prefix on a file, a link, a look-alike.
    let other_out = work.path().join(".twt-gen-staging-000000000000-other");
    std::fs::create_dir(&other_out).unwrap();
    let file = work.path().join(format!("{ours}file"));
    std::fs::write(&file, "a file").unwrap();
    let victim = work.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("precious"), "keep").unwrap();
    std::os::unix::fs::symlink(&victim, work.path().join(format!("{ours}link"))).unwrap();
    let look_alike = work.path().join(".twt-gen-staging-notes");
    std::fs::create_dir(&look_alike).unwrap();

    build_ok(&configs, &out);
    assert!(!work.path().join(stale).exists(), "the killed build's staging folder was not swept");
    assert_eq!(std::fs::read_to_string(running.join("half-written.html")).unwrap(), "in progress");
    assert!(other_out.is_dir() && file.is_file() && look_alike.is_dir());
    assert_eq!(std::fs::read_to_string(victim.join("precious")).unwrap(), "keep");
    assert!(work.path().join(format!("{ours}link")).is_symlink());
    drop(lock);
    // Unlocked now: the next build takes it.
    build_ok(&configs, &out);
    assert!(!running.exists(), "an abandoned staging folder is swept once its lock is free");
}

/// Every file under `from` copied to `to` (a fresh copy of an output for each kill).
fn copy_tree(from: &Path, to: &Path) {
    for (relative, bytes) in snapshot(from) {
        let path = to.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn prune_command(out: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.arg("prune").arg("--out").arg(out).args(["--keep", "0", "--yes"]);
    command
}

fn run_ok(command: &mut Command, context: &str) {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{context}: {}", String::from_utf8_lossy(&output.stderr));
}

/// SIGKILL `prune --keep 0 --yes` at random moments. Whatever it got to, the manifest never
/// lists a file that is gone, every file in `--out` is one the manifest names (in `files`, or in
/// `pruning` while it was deleting), and the next run recovers without a hand: a `prune` finishes
/// the job, a `build` succeeds and leaves no `pruning` behind. Either way the output ends
/// exactly as an uninterrupted prune leaves it.
#[test]
fn a_prune_killed_at_any_point_is_finished_by_the_next_prune_or_build() {
    const KILLS: usize = 24;
    let seed = std::env::var("TWT_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_261_127);
    let mut random = Random(seed);
    let work = tempfile::tempdir().unwrap();
    let configs = work.path().join("configs");
    generate_configs(&configs, 40);
    // Four releases: three bundles (and their maps) for the prune to delete.
    let template = work.path().join("template");
    let origins = ["https://rt-a.example.org", "https://rt-b.example.org", "https://rt-c.example.org"];
    let build_at = |out: &Path, origin: &str| {
        let mut command = build_command(&configs, out);
        command.args(["--runtime-origin", origin]);
        command
    };
    for origin in origins.iter().chain(["https://rt-d.example.org"].iter()) {
        run_ok(&mut build_at(&template, origin), "a release");
    }
    let reference = work.path().join("reference");
    copy_tree(&template, &reference);
    let started = Instant::now();
    run_ok(&mut prune_command(&reference), "the uninterrupted prune");
    let window = started.elapsed().as_micros().max(1) as u64;
    let pruned = snapshot(&reference);

    let (mut mid_prune, mut kills) = (0, 0);
    for kill in 0..KILLS {
        let out = work.path().join(format!("dist-{kill}"));
        copy_tree(&template, &out);
        let delay = random.below(window);
        let mut child = prune_command(&out).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill();
        let _ = child.wait();
        kills += 1;
        let context = format!("kill {kill} after {delay} µs of {window} (TWT_FAULT_SEED={seed})");
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        let paths = |key: &str| -> Vec<String> {
            let items = manifest[key].as_array().cloned().unwrap_or_default();
            items.iter().map(|item| item["path"].as_str().or(item.as_str()).unwrap().to_string()).collect()
        };
        let (files, pending) = (paths("files"), paths("pruning"));
        mid_prune += usize::from(!pending.is_empty());
        for path in &files {
            assert!(out.join(path).is_file(), "{context}: the manifest lists {path}, which is gone");
        }
        for path in snapshot(&out).keys() {
            let named =
                path == "manifest.json" || path.starts_with(".twt-gen-prune-") || files.contains(path);
            assert!(named || pending.contains(path), "{context}: {path} is in no manifest");
        }
        if kill % 2 == 0 {
            run_ok(&mut prune_command(&out), &context);
        } else {
            run_ok(&mut build_at(&out, "https://rt-d.example.org"), &context);
            let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
            assert!(!text.contains("\"pruning\""), "{context}: the build leaves no `pruning`");
            run_ok(&mut prune_command(&out), &context);
        }
        let after = snapshot(&out);
        let differ: Vec<&String> =
            after.keys().chain(pruned.keys()).filter(|path| after.get(*path) != pruned.get(*path)).collect();
        assert!(differ.is_empty(), "{context}: not as an uninterrupted prune leaves it: {differ:?}");
    }
    let figure = format!(
        "prune-kills: {kills} SIGKILLs of `prune --yes` at random points, {mid_prune} of them after its manifest named what it was deleting; every one finished by the next prune or build"
    );
    write_figure("prune-kills", &figure);
}
