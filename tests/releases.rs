//! Releases over time: `install/` only grows. A build carries every released bundle, source map
//! and type declaration of the previous build into the new output once its bytes check out, and
//! the manifest's `bundles` history says which customers pin which bundle now.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha384};

#[path = "common/tree.rs"]
mod common_tree;
use common_tree::tree;

/// twt-gen without a `SOURCE_DATE_EPOCH` the caller's environment may set: the tests give dates
/// where they mean to.
fn twt_gen() -> Command {
    let mut cmd = Command::cargo_bin("twt-gen").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// Builds `configs` into `out` for the runtime at `origin`.
fn build(configs: &Path, out: &Path, origin: &str) -> std::process::Output {
    twt_gen()
        .arg("build")
        .arg("--config")
        .arg(configs)
        .arg("--out")
        .arg(out)
        .args(["--runtime-origin", origin])
        .output()
        .unwrap()
}

fn build_ok(configs: &Path, out: &Path, origin: &str) {
    let output = build(configs, out, origin);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

fn manifest(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)))
}

/// Two customers in a folder of their own.
fn configs(dir: &Path) -> PathBuf {
    let configs = dir.join("configs");
    std::fs::create_dir(&configs).unwrap();
    for appid in ["alpha", "beta"] {
        std::fs::write(configs.join(format!("{appid}.toml")), format!("appid = \"{appid}\"\n")).unwrap();
    }
    configs
}

const ORIGIN_A: &str = "https://rt-a.example.org";
const ORIGIN_B: &str = "https://rt-b.example.org";

/// Two builds with different bundles into one `--out`; returns the folder, configs and out.
fn two_releases() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    build_ok(&configs, &out, ORIGIN_A);
    build_ok(&configs, &out, ORIGIN_B);
    (dir, configs, out)
}

#[test]
fn a_second_release_keeps_the_first_bundle_with_its_bytes() {
    let (_dir, _configs, out) = two_releases();
    let manifest = manifest(&out);
    let bundles = manifest["bundles"].as_array().unwrap();
    assert_eq!(bundles.len(), 2, "{bundles:#?}");
    assert_ne!(bundles[0]["path"], bundles[1]["path"]);
    assert_eq!(bundles[1]["path"], manifest["bundle"]["path"], "the current bundle comes last");
    let files = manifest["files"].as_array().unwrap();
    for bundle in bundles {
        let path = bundle["path"].as_str().unwrap();
        let bytes = std::fs::read(out.join(path)).unwrap();
        assert_eq!(bundle["integrity"], integrity(&bytes), "{path}");
        assert_eq!(bundle["version"], manifest["sdk_version"]);
        for listed in [path.to_string(), format!("{path}.map")] {
            assert!(files.iter().any(|f| f["path"] == listed.as_str()), "{listed} is in `files`");
            assert!(out.join(&listed).is_file(), "{listed}");
        }
    }
}

#[test]
fn the_history_says_which_customers_pin_each_bundle_now() {
    let (_dir, configs, out) = two_releases();
    let bundles = manifest(&out)["bundles"].clone();
    assert_eq!(bundles[0]["customers"], serde_json::json!([]), "nobody pins the first bundle now");
    assert_eq!(bundles[1]["customers"], serde_json::json!(["alpha", "beta"]));
    let snippet = std::fs::read_to_string(out.join("customers/alpha/snippet.html")).unwrap();
    assert!(snippet.contains(bundles[1]["integrity"].as_str().unwrap()));

    // Back to the first runtime: the first bundle is current again, and still listed once.
    build_ok(&configs, &out, ORIGIN_A);
    let bundles = manifest(&out)["bundles"].clone();
    assert_eq!(bundles.as_array().unwrap().len(), 2, "{bundles:#?}");
    assert_eq!(bundles[0]["customers"], serde_json::json!(["alpha", "beta"]));
    assert_eq!(bundles[1]["customers"], serde_json::json!([]));
}

#[test]
fn a_tampered_released_bundle_is_refused_and_the_output_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    build_ok(&configs, &out, ORIGIN_A);
    let first = manifest(&out)["bundle"]["path"].as_str().unwrap().to_string();
    std::fs::write(out.join(&first), "/* replaced */").unwrap();
    let before = tree(&out);

    let output = build(&configs, &out, ORIGIN_B);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(73), "{stderr}");
    assert!(stderr.contains("released-file-changed") && stderr.contains(&first), "{stderr}");
    let listed =
        manifest(&out)["files"].as_array().unwrap().iter().find(|f| f["path"] == first.as_str()).unwrap()
            ["sha384"]
            .as_str()
            .unwrap()
            .to_string();
    let found = format!("{:x}", Sha384::digest(b"/* replaced */"));
    assert!(stderr.contains(&listed) && stderr.contains(&found), "both hashes are named: {stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    assert!(tree(&out) == before, "the previous output is untouched");

    // A deleted one is refused as well: never silently dropped from the history.
    std::fs::remove_file(out.join(&first)).unwrap();
    let output = build(&configs, &out, ORIGIN_B);
    assert_eq!(output.status.code(), Some(73), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn rebuilding_with_the_same_inputs_is_byte_identical() {
    let (dir, configs, out) = two_releases();
    let before = tree(&out);
    build_ok(&configs, &out, ORIGIN_B);
    assert!(tree(&out) == before, "same inputs and same previous output: the same bytes");

    // The same two releases into another folder give the same output too.
    let again = dir.path().join("again");
    build_ok(&configs, &again, ORIGIN_A);
    build_ok(&configs, &again, ORIGIN_B);
    assert!(tree(&again) == before);
}

#[test]
fn a_manifest_from_before_the_history_starts_it_with_its_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    build_ok(&configs, &out, ORIGIN_A);
    let mut old = manifest(&out);
    old.as_object_mut().unwrap().remove("bundles");
    let first = old["bundle"].clone();
    std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&old).unwrap()).unwrap();

    build_ok(&configs, &out, ORIGIN_B);
    let bundles = manifest(&out)["bundles"].clone();
    assert_eq!(bundles.as_array().unwrap().len(), 2, "{bundles:#?}");
    assert_eq!(bundles[0]["path"], first["path"]);
    assert_eq!(bundles[0]["integrity"], first["integrity"]);
    assert!(out.join(first["path"].as_str().unwrap()).is_file());
}

/// `twt-gen diff OLD NEW` on the manifests of two real builds.
fn diff(old: &Path, new: &Path, format: &[&str]) -> (Option<i32>, String) {
    let output = twt_gen().arg("diff").args(format).arg(old).arg(new).output().unwrap();
    (output.status.code(), String::from_utf8(output.stdout).unwrap())
}

#[test]
fn diff_names_who_must_paste_again_after_a_new_bundle_and_gates_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    build_ok(&configs, &out, ORIGIN_A);
    let before = dir.path().join("before.json");
    std::fs::copy(out.join("manifest.json"), &before).unwrap();

    // Nothing changed: exit 0.
    let (code, said) = diff(&before, &out.join("manifest.json"), &[]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(said, "No customer's snippet or docs changed.\n");

    // A new bundle, a new customer: everyone pastes again, exit 1.
    std::fs::write(configs.join("gamma.toml"), "appid = \"gamma\"\n").unwrap();
    build_ok(&configs, &out, ORIGIN_B);
    let (code, said) = diff(&before, &out.join("manifest.json"), &[]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("must paste their snippet again (2):\n  alpha (external, lazy, standard)\n  beta"),
        "{said}"
    );
    assert!(said.contains("Customers added (1):\n  gamma\n"), "{said}");
    let (code, json) = diff(&before, &out.join("manifest.json"), &["--format", "json"]);
    assert_eq!(code, Some(1));
    let json: Value = serde_json::from_str(&json).unwrap();
    let current = manifest(&out)["bundle"]["path"].clone();
    assert_eq!(json["bundles_added"], serde_json::json!([current]));
    assert_eq!(json["added"], serde_json::json!(["gamma"]));
    assert_eq!(json["removed"], serde_json::json!([]));
}

#[test]
fn diff_refuses_what_is_not_a_manifest_and_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("manifest.json");
    std::fs::write(&not_json, "{\"generator\": ").unwrap();
    let output = twt_gen().arg("diff").arg(&not_json).arg(&not_json).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(66), "{stderr}");
    assert!(stderr.contains("unreadable-manifest") && stderr.contains("help:"), "{stderr}");
    let output = twt_gen().arg("diff").arg(&not_json).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

fn prune(out: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = twt_gen().arg("prune").arg("--out").arg(out).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (output.status.code(), format!("{}{stderr}", String::from_utf8(output.stdout).unwrap()))
}

#[test]
fn prune_lists_before_it_deletes_and_never_deletes_a_pinned_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    let mut paths = Vec::new();
    for origin in [ORIGIN_A, ORIGIN_B, "https://rt-c.example.org", ORIGIN_A] {
        build_ok(&configs, &out, origin);
        paths.push(manifest(&out)["bundle"]["path"].as_str().unwrap().to_string());
    }
    // History: A, B, C; the current (pinned) bundle is A again, the oldest.
    let (a, b, c) = (&paths[0], &paths[1], &paths[2]);
    assert_eq!(&paths[3], a);

    let before = tree(&out);
    let (code, said) = prune(&out, &["--keep", "0"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains(&format!("would delete {b}\n")) && said.contains(&format!("would delete {c}.map\n")),
        "{said}"
    );
    assert!(!said.contains(a.as_str()), "the pinned bundle is not even listed: {said}");
    assert!(tree(&out) == before, "without --yes nothing is deleted");

    let (code, said) = prune(&out, &["--keep", "0", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(out.join(a).is_file() && out.join(format!("{a}.map")).is_file(), "the pinned bundle stays");
    assert!(!out.join(b).exists() && !out.join(c).exists() && !out.join(format!("{c}.map")).exists());
    let after = manifest(&out);
    let history: Vec<&str> =
        after["bundles"].as_array().unwrap().iter().map(|b| b["path"].as_str().unwrap()).collect();
    assert_eq!(history, [a.as_str()]);
    assert!(after["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["path"] != b.as_str() && f["path"] != c.as_str()));

    // What is left is a valid previous output: the next build with the same inputs changes nothing.
    let pruned = tree(&out);
    build_ok(&configs, &out, ORIGIN_A);
    assert!(tree(&out) == pruned, "prune writes the manifest as a build would");
    let (_, said) = prune(&out, &["--keep", "0", "--yes"]);
    assert!(said.contains("nothing to prune"), "{said}");
}

/// The files prune rewrites keep the permissions every file of a build has (a staged temp file
/// is 0600: uploaded with its mode, a CDN origin or a second user could not read it).
#[test]
fn the_files_prune_rewrites_keep_the_permissions_of_a_build() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, _configs, out) = two_releases();
    let mode = |name: &str| std::fs::metadata(out.join(name)).unwrap().permissions().mode() & 0o777;
    let built = mode("config.schema.json");
    let (code, said) = prune(&out, &["--keep", "0", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!((mode("manifest.json"), mode("PUBLISHING.md")), (built, built));
}

#[test]
fn prune_keeps_the_newest_n() {
    let (_dir, _configs, out) = two_releases();
    let bundles = manifest(&out)["bundles"].clone();
    let (code, said) = prune(&out, &["--keep", "2", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(manifest(&out)["bundles"], bundles, "{said}");
    let (code, said) = prune(&out, &["--keep", "1", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(manifest(&out)["bundles"].as_array().unwrap().len(), 1);
    assert!(!out.join(bundles[0]["path"].as_str().unwrap()).exists());
    let (code, _) = prune(&out.join("nowhere"), &["--keep", "1"]);
    assert_eq!(code, Some(66));
    let (code, _) = prune(&out, &[]);
    assert_eq!(code, Some(2), "--keep or --keep-since is required");
}

/// Builds `configs` into `out` for the runtime at `origin`, with `env` and `args` added.
fn build_dated(
    configs: &Path,
    out: &Path,
    origin: &str,
    env: Option<&str>,
    args: &[&str],
) -> std::process::Output {
    let mut cmd = twt_gen();
    if let Some(seconds) = env {
        cmd.env("SOURCE_DATE_EPOCH", seconds);
    }
    cmd.arg("build").arg("--config").arg(configs).arg("--out").arg(out);
    cmd.args(["--runtime-origin", origin]).args(args).output().unwrap()
}

fn released(out: &Path) -> Vec<Value> {
    manifest(out)["bundles"].as_array().unwrap().iter().map(|b| b["released"].clone()).collect()
}

// 2026-01-10 and 2026-02-10, 12:00 UTC.
const JANUARY: &str = "1768046400";
const FEBRUARY: &str = "1770724800";

#[test]
fn a_bundle_keeps_the_date_of_its_first_dated_build_and_undated_builds_record_none() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    // No date given: no `released`, so a plain build stays byte-identical whenever it runs.
    build_ok(&configs, &out, ORIGIN_A);
    assert_eq!(released(&out), [Value::Null]);
    assert!(!std::fs::read_to_string(out.join("manifest.json")).unwrap().contains("\"released\""));
    // The first dated build dates the undated bundle too (no earlier than its real release).
    assert!(build_dated(&configs, &out, ORIGIN_B, Some(JANUARY), &[]).status.success());
    assert_eq!(released(&out), ["2026-01-10", "2026-01-10"]);
    // Later builds carry the dates unchanged; a new bundle gets the build's date, and
    // --released wins over SOURCE_DATE_EPOCH.
    let third =
        build_dated(&configs, &out, "https://rt-c.example.org", Some(JANUARY), &["--released", "2026-02-10"]);
    assert!(third.status.success(), "{}", String::from_utf8_lossy(&third.stderr));
    assert_eq!(released(&out), ["2026-01-10", "2026-01-10", "2026-02-10"]);
    // The same inputs and the same previous manifest give the same bytes.
    let before = tree(&out);
    assert!(build_dated(&configs, &out, "https://rt-c.example.org", Some(FEBRUARY), &[]).status.success());
    assert!(tree(&out) == before, "a rebuild changes no date");
    assert!(build_dated(&configs, &out, "https://rt-c.example.org", None, &[]).status.success());
    assert!(tree(&out) == before, "an undated rebuild keeps the dates");
}

#[test]
fn a_malformed_date_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    for (env, args) in [(Some("yesterday"), &[][..]), (None, &["--released", "2026-02-30"][..])] {
        let output = build_dated(&configs, &out, ORIGIN_A, env, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("yesterday") || stderr.contains("2026-02-30"), "{stderr}");
        assert!(!out.exists(), "nothing is written");
    }
}

#[test]
fn prune_keep_since_lists_then_deletes_what_was_released_before_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    assert!(build_dated(&configs, &out, ORIGIN_A, Some(JANUARY), &[]).status.success());
    assert!(build_dated(&configs, &out, ORIGIN_B, Some(FEBRUARY), &[]).status.success());
    let paths: Vec<String> = manifest(&out)["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["path"].as_str().unwrap().to_string())
        .collect();
    let (code, said) = prune(&out, &["--keep-since", "2026-01-10"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("nothing to prune"), "released that day is kept: {said}");
    let before = tree(&out);
    let (code, said) = prune(&out, &["--keep-since", "2026-01-11"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(&format!("would delete {}\n", paths[0])), "{said}");
    assert!(tree(&out) == before, "without --yes nothing is deleted");
    // Even a day after every release, the current bundle stays.
    let (code, said) = prune(&out, &["--keep-since", "2027-01-01", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(!out.join(&paths[0]).exists() && out.join(&paths[1]).is_file(), "{said}");
    assert_eq!(released(&out), ["2026-02-10"]);
    let (code, said) = prune(&out, &["--keep-since", "2026-1-1"]);
    assert_eq!(code, Some(2), "{said}");
}

#[test]
fn prune_keep_since_refuses_bundles_without_a_date_and_says_how_to_date_them() {
    let (_dir, configs, out) = two_releases();
    let old = manifest(&out)["bundles"][0]["path"].as_str().unwrap().to_string();
    let before = tree(&out);
    let (code, said) = prune(&out, &["--keep-since", "2026-01-01", "--yes"]);
    assert_eq!(code, Some(66), "{said}");
    assert!(said.starts_with("error[undated-bundles]: "), "{said}");
    assert!(said.contains(&format!("cannot tell whether {old} was released before that day")), "{said}");
    assert!(said.contains("SOURCE_DATE_EPOCH"), "{said}");
    assert!(tree(&out) == before, "nothing is deleted");
    // The fix it names: one dated build, then the old bundle counts as released that day.
    assert!(build_dated(&configs, &out, ORIGIN_B, Some(FEBRUARY), &[]).status.success());
    let (code, said) = prune(&out, &["--keep-since", "2026-02-10"]);
    assert_eq!((code, said.contains("nothing to prune")), (Some(0), true), "{said}");
    let (code, said) = prune(&out, &["--keep-since", "2026-02-11", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(!out.join(&old).exists(), "{said}");
}

#[test]
fn a_build_never_writes_other_bytes_at_a_released_path() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    build_ok(&configs, &out, ORIGIN_A);
    // The manifest says the released declarations had other bytes than this build makes.
    let mut listed = manifest(&out);
    let types = listed["types"]["path"].as_str().unwrap().to_string();
    let other = format!("{:x}", Sha384::digest(b"other declarations"));
    for file in listed["files"].as_array_mut().unwrap() {
        if file["path"] == types.as_str() {
            file["sha384"] = other.clone().into();
        }
    }
    std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&listed).unwrap()).unwrap();
    let before = tree(&out);
    let output = build(&configs, &out, ORIGIN_B);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(73), "{stderr}");
    assert!(
        stderr.contains(&format!("would rewrite released {types}")) && stderr.contains(&other),
        "{stderr}"
    );
    assert!(tree(&out) == before);
}

fn publishing_md(out: &Path) -> String {
    std::fs::read_to_string(out.join("PUBLISHING.md")).unwrap()
}

/// After two builds with different runtime origins, the operator's checklist names both
/// bundles, the second as current and pinned by every customer, the first as pinned by none,
/// with their release dates where a build recorded one.
#[test]
fn publishing_md_names_every_bundle_of_the_history_and_who_pins_it() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    assert!(build_dated(&configs, &out, ORIGIN_A, Some(JANUARY), &[]).status.success());
    build_ok(&configs, &out, ORIGIN_B);
    let manifest = manifest(&out);
    let (first, second) =
        (manifest["bundles"][0]["path"].as_str().unwrap(), manifest["bundles"][1]["path"].as_str().unwrap());
    let text = publishing_md(&out);
    assert!(text.contains("- Runtime origin: `https://rt-b.example.org`"), "{text}");
    assert!(text.contains("Oldest first, 2 in all."), "{text}");
    assert!(
        text.contains(&format!(
            "| `{first}` | `1.2.0` | `2026-01-10` | no customer of this build (snippets pasted earlier may load it) |"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "| `{second}` (current) | `1.2.0` | not recorded | every customer of this build, 2: `alpha`, `beta` |"
        )),
        "{text}"
    );
    assert!(text.find(first) < text.find(&format!("`{second}` (current)")), "oldest first");
}

/// What PUBLISHING.md says `prune --keep 0` would delete is what `prune --keep 0` says.
#[test]
fn publishing_md_lists_exactly_what_prune_would_delete() {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    build_ok(&configs, &out, ORIGIN_A);
    assert!(publishing_md(&out).contains("Nothing: the current bundle is the only one"));
    build_ok(&configs, &out, ORIGIN_B);
    build_ok(&configs, &out, "https://rt-c.example.org");
    let text = publishing_md(&out);
    let listed: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("## 5."))
        .filter_map(|line| line.strip_prefix("- `")?.strip_suffix('`'))
        .collect();
    let (code, said) = prune(&out, &["--keep", "0"]);
    assert_eq!(code, Some(0), "{said}");
    let would: Vec<&str> = said.lines().filter_map(|line| line.strip_prefix("would delete ")).collect();
    assert_eq!(listed.len(), 4, "two bundles and their maps: {text}");
    assert_eq!(listed, would);
    assert!(text.contains("would delete these files of the 2 bundles"), "{text}");

    // A prune rewrites the checklist with the manifest: it no longer names what went, and the
    // manifest lists its new bytes.
    let (code, said) = prune(&out, &["--keep", "0", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    let text = publishing_md(&out);
    assert!(text.contains("Nothing: the current bundle is the only one"), "{text}");
    assert!(would.iter().all(|gone| !text.contains(gone)), "{text}");
    let listed =
        manifest(&out)["files"].as_array().unwrap().iter().find(|f| f["path"] == "PUBLISHING.md").cloned();
    assert_eq!(listed.unwrap()["sha384"], format!("{:x}", Sha384::digest(text.as_bytes())));
}

/// Three releases into one `--out`, the current bundle the third; returns the folder, configs,
/// out, and the files `prune --keep 0` would delete (the two older bundles and their maps).
fn three_releases() -> (tempfile::TempDir, PathBuf, PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let configs = configs(dir.path());
    let out = dir.path().join("out");
    for origin in [ORIGIN_A, ORIGIN_B, "https://rt-c.example.org"] {
        build_ok(&configs, &out, origin);
    }
    let (code, said) = prune(&out, &["--keep", "0"]);
    assert_eq!(code, Some(0), "{said}");
    let doomed: Vec<String> =
        said.lines().filter_map(|line| line.strip_prefix("would delete ")).map(str::to_string).collect();
    assert_eq!(doomed.len(), 4, "{said}");
    (dir, configs, out, doomed)
}

/// What a prune killed right after its first rename leaves, as docs/contracts.md defines it: a
/// manifest without the doomed bundles and files, naming them under `pruning`, and every file
/// still on disk.
fn interrupt_prune(out: &Path, doomed: &[String]) {
    let mut listed = manifest(out);
    let doomed_json = serde_json::json!(doomed);
    for list in ["bundles", "files"] {
        listed[list]
            .as_array_mut()
            .unwrap()
            .retain(|item| !doomed.iter().any(|d| item["path"] == d.as_str()));
    }
    listed["pruning"] = doomed_json;
    std::fs::write(
        out.join("manifest.json"),
        format!("{}\n", serde_json::to_string_pretty(&listed).unwrap()),
    )
    .unwrap();
    assert!(doomed.iter().all(|path| out.join(path).is_file()));
}

/// Every file in `out` but the manifest is one its `files` lists.
fn assert_nothing_unlisted(out: &Path) {
    let listed = manifest(out);
    let files: Vec<&str> =
        listed["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    for path in common_tree::files_under(out) {
        assert!(path == "manifest.json" || files.contains(&path.as_str()), "{path} is left over");
    }
}

#[test]
fn a_build_after_a_killed_prune_drops_what_it_was_deleting() {
    let (_dir, configs, out, doomed) = three_releases();
    interrupt_prune(&out, &doomed);
    let output = build(&configs, &out, "https://rt-c.example.org");
    assert!(output.status.success(), "not foreign: {}", String::from_utf8_lossy(&output.stderr));
    assert!(doomed.iter().all(|path| !out.join(path).exists()), "not carried over");
    assert!(manifest(&out).get("pruning").is_none());
    assert!(!std::fs::read_to_string(out.join("manifest.json")).unwrap().contains("pruning"));
    assert_eq!(manifest(&out)["bundles"].as_array().unwrap().len(), 1);
    assert_nothing_unlisted(&out);
}

#[test]
fn the_next_prune_finishes_a_killed_one_whatever_its_rules() {
    let (dir, configs, out, doomed) = three_releases();
    // The reference: the same prune, not interrupted.
    let reference = dir.path().join("reference");
    for origin in [ORIGIN_A, ORIGIN_B, "https://rt-c.example.org"] {
        build_ok(&configs, &reference, origin);
    }
    assert_eq!(prune(&reference, &["--keep", "0", "--yes"]).0, Some(0));

    interrupt_prune(&out, &doomed);
    let before = tree(&out);
    let (code, said) = prune(&out, &["--keep", "5"]);
    assert_eq!(code, Some(0), "{said}");
    for path in &doomed {
        assert!(
            said.contains(&format!("would delete {path} (left by a prune that did not finish)\n")),
            "{said}"
        );
    }
    assert!(said.contains("4 files left by a prune that did not finish; run again with --yes"), "{said}");
    assert!(tree(&out) == before, "without --yes nothing is deleted");

    // Rules that keep everything still finish what the killed prune was deleting.
    let (code, said) = prune(&out, &["--keep", "5", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("4 files left by a prune that did not finish deleted"), "{said}");
    assert!(doomed.iter().all(|path| !out.join(path).exists()), "{said}");
    assert!(manifest(&out).get("pruning").is_none());
    assert_nothing_unlisted(&out);
    // The manifest is the one an uninterrupted prune writes; PUBLISHING.md too, written again.
    assert_eq!(
        std::fs::read(out.join("manifest.json")).unwrap(),
        std::fs::read(reference.join("manifest.json")).unwrap()
    );
    assert!(tree(&out) == tree(&reference));
}

/// A manifest edited to name paths outside `install/` (or outside `DIR`) under `pruning`, or in
/// its `files`, makes neither `prune` nor `build` delete anything: both refuse it.
#[test]
fn hostile_paths_in_a_manifest_are_refused_and_nothing_outside_the_folder_goes() {
    let (dir, configs, out, _doomed) = three_releases();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep me").unwrap();
    std::fs::create_dir_all(out.join("install/9")).unwrap();
    let original = manifest(&out);
    let hostile = [
        "../victim".to_string(),
        "install/../../victim".to_string(),
        "install/9/../../../victim".to_string(),
        victim.to_string_lossy().into_owned(),
        "customers/alpha/snippet.html".to_string(),
        "install/".to_string(),
        "install\\..\\..\\victim".to_string(),
    ];
    for path in &hostile {
        let mut edited = original.clone();
        edited["pruning"] = serde_json::json!([path]);
        std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
        let before = tree(&out);
        let (code, said) = prune(&out, &["--keep", "0", "--yes"]);
        assert_eq!(code, Some(66), "{path}: {said}");
        assert!(said.contains("error[unreadable-manifest]") && said.contains("`pruning` lists"), "{said}");
        assert!(said.contains("help:"), "{said}");
        let output = build(&configs, &out, "https://rt-c.example.org");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(66), "{path}: {stderr}");
        assert!(stderr.contains("error[unreadable-manifest]"), "{stderr}");
        assert!(tree(&out) == before, "{path}: nothing in the output changes");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me", "{path}");
    }
    // The same paths in `files` (under a version no bundle keeps, `prune` deleted them before).
    for path in &hostile[..4] {
        let mut edited = original.clone();
        edited["files"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"path": path, "bytes": 7, "sha384": "00"}));
        std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
        let before = tree(&out);
        let (code, said) = prune(&out, &["--keep", "0", "--yes"]);
        assert_eq!(code, Some(66), "{path}: {said}");
        assert!(said.contains("which is not a plain relative path"), "{said}");
        assert!(tree(&out) == before, "{path}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me", "{path}");
    }
}

/// `pruning` never names a file the manifest still lists: such a manifest contradicts itself,
/// and a live bundle is never deleted on its word.
#[test]
fn a_pending_deletion_of_a_live_file_is_refused() {
    let (_dir, configs, out, doomed) = three_releases();
    let original = manifest(&out);
    let current = original["bundle"]["path"].as_str().unwrap().to_string();
    let types = original["types"]["path"].as_str().unwrap().to_string();
    for path in [current.clone(), format!("{current}.map"), types, doomed[0].clone()] {
        let mut edited = original.clone();
        edited["pruning"] = serde_json::json!([path]);
        std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
        let before = tree(&out);
        let (code, said) = prune(&out, &["--keep", "5", "--yes"]);
        assert_eq!(code, Some(66), "{path}: {said}");
        assert!(said.contains(&format!("`pruning` lists {path}, which the manifest still lists")), "{said}");
        let output = build(&configs, &out, "https://rt-c.example.org");
        assert_eq!(output.status.code(), Some(66), "{path}: {}", String::from_utf8_lossy(&output.stderr));
        assert!(tree(&out) == before, "{path}: nothing is deleted");
    }
    // A bundle of the history that `files` no longer lists is live all the same.
    let mut edited = original.clone();
    edited["files"].as_array_mut().unwrap().retain(|f| f["path"] != doomed[0].as_str());
    edited["pruning"] = serde_json::json!([doomed[0]]);
    std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
    let (code, said) = prune(&out, &["--keep", "5", "--yes"]);
    assert_eq!(code, Some(66), "{said}");
    assert!(out.join(&doomed[0]).is_file());
}

/// A folder of `install/` that is a link: prune deletes nothing through it.
#[test]
fn prune_deletes_nothing_through_a_link() {
    let (dir, _configs, out, doomed) = three_releases();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let name = Path::new(&doomed[0]).file_name().unwrap();
    std::fs::write(elsewhere.join(name), "keep me").unwrap();
    // Pending: a path under a version folder that is a link to `elsewhere`.
    std::os::unix::fs::symlink(&elsewhere, out.join("install/7")).unwrap();
    let mut edited = manifest(&out);
    edited["pruning"] = serde_json::json!([format!("install/7/{}", name.to_str().unwrap())]);
    std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
    let (code, said) = prune(&out, &["--keep", "5", "--yes"]);
    assert_eq!(code, Some(73), "{said}");
    assert!(said.contains("is a symbolic link"), "{said}");
    assert_eq!(std::fs::read_to_string(elsewhere.join(name)).unwrap(), "keep me");
}

/// A manifest edited to list a released file outside `install/` (with the sha384 of what is
/// there, so that it checks out) is refused by the build: carrying it over would copy a file
/// outside `DIR` onto itself, emptying it.
#[test]
fn a_build_refuses_a_released_path_that_leaves_the_folder() {
    let (dir, configs, out, _doomed) = three_releases();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep me").unwrap();
    let original = manifest(&out);
    for path in ["install/../../victim", "install/1.2.0/../../../victim"] {
        let mut edited = original.clone();
        let sha384 = format!("{:x}", Sha384::digest(b"keep me"));
        let files = edited["files"].as_array_mut().unwrap();
        files.push(serde_json::json!({"path": path, "bytes": 7, "sha384": sha384}));
        files.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
        std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
        let before = tree(&out);
        let output = build(&configs, &out, "https://rt-c.example.org");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me", "{path}: {stderr}");
        assert_eq!(output.status.code(), Some(66), "{path}: {stderr}");
        assert!(stderr.contains("error[unreadable-manifest]") && stderr.contains(path), "{stderr}");
        assert!(tree(&out) == before, "{path}");
    }
}
