//! `twt-gen build` and `twt-gen snippet`: outputs, integrity, determinism, atomicity, exit codes.

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

#[path = "common/tree.rs"]
mod common_tree;
use common_tree::{files_under, tree};

const EXAMPLE: &str = "examples/customers/acme.toml";

fn twt_gen() -> Command {
    let mut cmd = Command::cargo_bin("twt-gen").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn build_into(out: &Path, configs: &[&str]) -> Value {
    let mut cmd = twt_gen();
    cmd.arg("build");
    for config in configs {
        cmd.args(["--config", config]);
    }
    cmd.arg("--out").arg(out).assert().code(0);
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

/// Builds the example with these `--cdn-base` and `--runtime-origin` values; its manifest.
fn build_deployed(out: &Path, cdn_base: &str, runtime_origin: &str) -> Value {
    let mut cmd = twt_gen();
    cmd.args(["build", "--config", EXAMPLE, "--cdn-base", cdn_base, "--runtime-origin", runtime_origin]);
    cmd.arg("--out").arg(out).assert().code(0);
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

/// The bundle's bytes, found through the manifest.
fn read_bundle(out: &Path, manifest: &Value) -> Vec<u8> {
    std::fs::read(out.join(manifest["bundle"]["path"].as_str().unwrap())).unwrap()
}

/// SRI computed by openssl, independently of twt-gen's code.
fn openssl_integrity(path: &Path) -> String {
    let script = format!("openssl dgst -sha384 -binary '{}' | openssl base64 -A", path.display());
    let out = Process::new("sh").args(["-c", &script]).output().expect("openssl runs");
    assert!(out.status.success());
    format!("sha384-{}", String::from_utf8(out.stdout).unwrap().trim())
}

#[test]
fn build_writes_bundle_snippet_docs_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let manifest = build_into(&out, &[EXAMPLE]);

    assert_eq!(manifest["sdk_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["snippet_version"], "v1.2");
    let bundle = &manifest["bundle"];
    let path = bundle["path"].as_str().unwrap();
    assert!(
        path.starts_with(&format!("install/{}/core.", env!("CARGO_PKG_VERSION"))) && path.ends_with(".js"),
        "versioned, content-addressed path: {path}"
    );
    assert_eq!(bundle["url"], format!("https://cdn.twt.chat/{path}?version=v1.2"));
    let bytes = std::fs::read(out.join(path)).unwrap();
    assert_eq!(bundle["bytes"], bytes.len());
    assert!(bundle["gzip_bytes"].as_u64().unwrap() < bytes.len() as u64);

    let integrity = openssl_integrity(&out.join(path));
    assert_eq!(bundle["integrity"], integrity.as_str());
    let customer = &manifest["customers"][0];
    assert_eq!(customer["appid"], "acme");
    assert_eq!(customer["config"], EXAMPLE);
    let snippet = std::fs::read_to_string(out.join(customer["snippet"].as_str().unwrap())).unwrap();
    // The loader is minified: swc names its locals, so these look for the assignments' right sides.
    assert!(snippet.contains(&format!(".integrity=\"{integrity}\"")), "{snippet}");
    assert!(snippet.contains(".crossOrigin=\"anonymous\""));
    assert!(snippet.contains(&format!("=\"https://cdn.twt.chat/{path}?version=v1.2\"")));
    assert!(snippet.contains("\"appid\":\"acme\""));
    assert!(snippet.contains("\"language\":\"de\""));
    assert!(snippet.contains("\"zIndex\":10000"));
    assert!(snippet.contains("\"theme\":\"dark\""), "from the dark preset: {snippet}");

    let docs = std::fs::read_to_string(out.join(customer["docs"].as_str().unwrap())).unwrap();
    assert!(docs.contains(&snippet), "the docs carry the exact snippet");
    assert!(docs.contains("| `zIndex` | `10000` |"), "{docs}");

    // Every file is listed with its size and digest, sorted, and nothing else is on disk.
    let files = manifest["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(
        paths,
        [
            "PUBLISHING.md",
            "config.schema.json",
            "customers/acme/INTEGRATION.md",
            "customers/acme/integration.html",
            "customers/acme/snippet-external.html",
            "customers/acme/snippet-lazy.html",
            "customers/acme/snippet.html",
            path,
            &format!("{path}.map"),
            &format!("install/{}/twt-chat-widget.d.ts", env!("CARGO_PKG_VERSION")),
        ]
    );
    // The integrators' types, beside the bundle, found through their own entry.
    let types = &manifest["types"];
    assert_eq!(types["path"], paths[9]);
    assert_eq!(types["url"], format!("https://cdn.twt.chat/{}", paths[9]));
    assert_eq!(types["sha384"], files[9]["sha384"]);
    assert_eq!(manifest["operator_files"], serde_json::json!(["PUBLISHING.md"]));
    assert_eq!(customer["snippets"]["external"], "customers/acme/snippet-external.html");
    assert_eq!(customer["snippets"]["lazy"], "customers/acme/snippet-lazy.html");
    assert_eq!(customer["docs_html"], "customers/acme/integration.html");
    assert!(customer["snippets"].get("manual-init").is_none(), "acme does not set asyncInit");
    for file in files {
        let on_disk = out.join(file["path"].as_str().unwrap());
        let out = Process::new("sha384sum").arg(&on_disk).output().unwrap();
        let hex = String::from_utf8(out.stdout).unwrap();
        assert_eq!(file["sha384"].as_str().unwrap(), hex.split_whitespace().next().unwrap());
        assert_eq!(file["bytes"], std::fs::metadata(&on_disk).unwrap().len());
    }
}

#[test]
fn the_bundle_is_minified_es2018_with_the_build_constants() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = build_into(dir.path(), &[EXAMPLE]);
    let code = String::from_utf8(read_bundle(dir.path(), &manifest)).unwrap();
    let lines: Vec<&str> = code.lines().collect();
    assert_eq!(lines.len(), 2, "minified to one line, then the source map comment");
    let bundle_path = manifest["bundle"]["path"].as_str().unwrap();
    let map_name = format!("{}.map", bundle_path.rsplit('/').next().unwrap());
    assert_eq!(lines[1], format!("//# sourceMappingURL={map_name}"));
    let map_bytes = std::fs::read(dir.path().join(format!("{bundle_path}.map"))).unwrap();
    let map: Value = serde_json::from_slice(&map_bytes).unwrap();
    assert_eq!(map["version"], 3);
    assert!(map["sourcesContent"][0].as_str().unwrap().contains("TWTChatWidget"), "sources inlined");
    assert!(code.contains("https://runtime.twt.chat"), "runtime origin injected");
    assert!(code.contains("zh-hant"), "locale table injected");
    assert!(!code.contains("/*") && !code.contains("\n  "), "no comments or indentation");
    for forbidden in ["eval(", "new Function", "document.write", "?.", "??"] {
        assert!(!code.contains(forbidden), "{forbidden}");
    }
}

#[test]
fn building_twice_gives_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("nested/b"));
    build_into(&a, &["tests/fixtures/valid"]);
    build_into(&b, &["tests/fixtures/valid"]);
    let (files_a, files_b) = (tree(&a), tree(&b));
    // Per customer: two docs, three snippets (standard, external, lazy), and the manual-init one
    // for the two with asyncInit.
    assert_eq!(
        files_a.len(),
        6 + 5 * 9 + 2,
        "bundle, source map, types, schema, PUBLISHING.md, manifest and 9 customers"
    );
    assert!(files_a.iter().any(|(path, _)| path == "PUBLISHING.md"));
    assert!(files_a == files_b, "outputs differ");
}

#[test]
fn an_invalid_config_fails_the_build_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    twt_gen()
        .args([
            "build",
            "--config",
            EXAMPLE,
            "--config",
            "tests/fixtures/invalid/three-mistakes.toml",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(65)
        .stderr(
            predicates::str::contains("1 file").not().and(predicates::str::contains("2 files: 3 errors")),
        );
    assert!(!out.exists());
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    build_into(&out, &[EXAMPLE]);
    let before = std::fs::read(out.join("manifest.json")).unwrap();
    twt_gen()
        .args(["build", "--config", "tests/fixtures/invalid/theme-invalid.toml", "--out"])
        .arg(&out)
        .assert()
        .code(65);
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), before);
    // A rebuild over its own previous output is fine and replaces it.
    build_into(&out, &["tests/fixtures/valid/preset-dark.toml"]);
    assert!(!out.join("customers/acme").exists(), "the old output was replaced as a whole");
    assert!(out.join("customers/dark-site/snippet.html").exists());
}

#[test]
fn an_out_folder_with_foreign_files_is_refused_with_73() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "customer's own site").unwrap();
    twt_gen()
        .args(["build", "--config", EXAMPLE, "--out"])
        .arg(dir.path())
        .assert()
        .code(73)
        .stderr(predicates::str::contains("index.html"));
    assert_eq!(std::fs::read_to_string(dir.path().join("index.html")).unwrap(), "customer's own site");
}

#[test]
fn an_unwritable_out_exits_73() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    twt_gen()
        .args(["build", "--config", EXAMPLE, "--out"])
        .arg(file.join("dist"))
        .assert()
        .code(73)
        .stderr(predicates::str::starts_with("error[output-not-a-folder]: cannot write the output"))
        .stderr(predicates::str::contains("= help: a part of this path is a file, not a folder"));
    // `--out` itself a file.
    twt_gen().args(["build", "--config", EXAMPLE, "--out"]).arg(&file).assert().code(73).stderr(
        predicates::str::starts_with("error[output-not-a-folder]: `--out` exists and is not a folder"),
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn a_missing_config_exits_66() {
    let dir = tempfile::tempdir().unwrap();
    twt_gen()
        .args(["build", "--config", "customers/nope.toml", "--out"])
        .arg(dir.path().join("d"))
        .assert()
        .code(66);
    twt_gen().args(["snippet", "--config", "nope.toml"]).assert().code(66);
}

#[test]
fn duplicate_appids_in_a_batch_name_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("acme-copy.toml");
    std::fs::write(&copy, "appid = \"acme\"\n").unwrap();
    twt_gen()
        .args(["build", "--config", EXAMPLE, "--config"])
        .arg(&copy)
        .arg("--out")
        .arg(dir.path().join("dist"))
        .assert()
        .code(65)
        .stderr(predicates::str::contains("appid \"acme\" is also used by examples/customers/acme.toml"))
        .stderr(predicates::str::contains("acme-copy.toml:1:9"));
}

#[test]
fn snippet_prints_exactly_what_build_writes() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = build_into(dir.path(), &[EXAMPLE]);
    let written =
        std::fs::read(dir.path().join(manifest["customers"][0]["snippet"].as_str().unwrap())).unwrap();
    twt_gen().args(["snippet", "--config", EXAMPLE]).assert().code(0).stdout(written).stderr("");
}

#[test]
fn cdn_base_and_runtime_origin_flags_reach_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = build_deployed(dir.path(), "http://127.0.0.1:8080/", "http://127.0.0.1:9090");
    assert!(manifest["bundle"]["url"].as_str().unwrap().starts_with("http://127.0.0.1:8080/install/"));
    let code = String::from_utf8(read_bundle(dir.path(), &manifest)).unwrap();
    assert!(code.contains("http://127.0.0.1:9090"));
    twt_gen().args(["snippet", "--config", EXAMPLE, "--runtime-origin", "http://x/path"]).assert().code(2);
    twt_gen().args(["snippet", "--config", EXAMPLE, "--cdn-base", "javascript:alert(1)"]).assert().code(2);
}

#[test]
fn snippet_into_a_closed_pipe_does_not_panic() {
    let bin = assert_cmd::cargo::cargo_bin("twt-gen");
    let script = format!(
        "'{}' snippet --config {EXAMPLE} | head -c 10 >/dev/null; echo \"status=${{PIPESTATUS[0]}}\"",
        bin.display()
    );
    let out = Process::new("bash").args(["-c", &script]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "status=0");
}

#[test]
fn snippet_of_an_invalid_config_prints_diagnostics_not_a_snippet() {
    twt_gen()
        .args(["snippet", "--config", "tests/fixtures/invalid/theme-invalid.toml"])
        .assert()
        .code(65)
        .stdout("")
        .stderr(predicates::str::contains("error[invalid-theme]"));
}

#[test]
fn the_readme_documents_every_flag_and_exit_code() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for needle in
        ["--config", "--out", "--cdn-base", "--runtime-origin", "--dev-runtime", "--format", "65", "66", "73"]
    {
        assert!(readme.contains(needle), "README.md does not mention {needle}");
    }
    for rule in twt_gen::check::options::RULES {
        assert!(readme.contains(&format!("`{}`", rule.key)), "README.md lacks config key {}", rule.key);
    }
}

/// Writes `count` distinct valid configs into `dir`, cycling through the presets and locales.
fn generate_configs(dir: &Path, count: usize) {
    let presets = ["light", "dark", "system", "custom-launcher", "deferred-init"];
    let languages = ["en", "zh-cn", "zh-tw", "ja", "ko", "de", "fr", "pt", "ru"];
    for i in 0..count {
        let text = format!(
            "extends = \"{}\"\nappid = \"customer-{i:04}\"\nlanguage = \"{}\"\nzIndex = {}\n",
            presets[i % presets.len()],
            languages[i % languages.len()],
            1000 + i
        );
        std::fs::write(dir.join(format!("customer-{i:04}.toml")), text).unwrap();
    }
}

/// Every file the manifest lists is there with its digest, and nothing else is.
fn assert_consistent(out: &Path) {
    let manifest: Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    let on_disk = files_under(out).len();
    assert_eq!(on_disk, listed.len() + 1, "exactly the listed files and the manifest");
    for file in listed {
        let bytes = std::fs::read(out.join(file["path"].as_str().unwrap())).unwrap();
        assert_eq!(file["bytes"], bytes.len());
    }
}

#[test]
fn a_batch_of_1000_configs_shares_one_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let configs = dir.path().join("customers");
    std::fs::create_dir(&configs).unwrap();
    generate_configs(&configs, 1000);
    let out = dir.path().join("dist");
    let manifest = build_into(&out, &[configs.to_str().unwrap()]);
    let customers = manifest["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 1000);
    assert_eq!(customers[0]["appid"], "customer-0000");
    assert_eq!(customers[999]["appid"], "customer-0999");
    let bundles: Vec<_> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["path"].as_str().unwrap().starts_with("install/")
                && f["path"].as_str().unwrap().ends_with(".js")
        })
        .collect();
    assert_eq!(bundles.len(), 1, "one bundle for the whole batch");
    let integrity = manifest["bundle"]["integrity"].as_str().unwrap();
    let snippet = std::fs::read_to_string(out.join(customers[500]["snippet"].as_str().unwrap())).unwrap();
    assert!(snippet.contains(integrity));
    assert_consistent(&out);
}

#[test]
fn a_build_killed_midway_leaves_a_complete_output() {
    let dir = tempfile::tempdir().unwrap();
    let configs = dir.path().join("customers");
    std::fs::create_dir(&configs).unwrap();
    generate_configs(&configs, 600);
    let out = dir.path().join("dist");
    build_into(&out, &[EXAMPLE]);
    let before = std::fs::read(out.join("manifest.json")).unwrap();
    // Kill the build at several moments; whenever it dies, `out` is the old or the new output
    // in full, never a mix or nothing.
    for delay_ms in [5, 40, 120] {
        let mut child = Process::new(assert_cmd::cargo::cargo_bin("twt-gen"))
            .args(["build", "--config"])
            .arg(&configs)
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert_consistent(&out);
        let now = std::fs::read(out.join("manifest.json")).unwrap();
        assert!(now == before || now.len() > before.len(), "old or new output");
    }
}

fn gzip9_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut gz = Process::new("gzip")
        .arg("-9")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    gz.stdin.take().unwrap().write_all(bytes).unwrap();
    gz.wait_with_output().unwrap().stdout.len()
}

#[test]
fn size_budgets_hold() {
    // The budgets are 4,000 B for core.js and 800 B for a snippet (Segment's is 808). With the
    // hardening of every entry point, payload and frame, and the lazy insertion of card and panel,
    // core.js is 4,490 B and the manual-init snippet 869 B (README, "Sizes", says where the bytes
    // go and what would bring them back);
    // these ceilings stop any further growth, with room for the noise of content hashes
    // (about 10 B). Lower them as bytes come off; never raise them.
    const SNIPPET_BUDGET: usize = 800;
    // The lazy snippet is the standard one plus its trigger; all-options.toml sets the largest,
    // `load = "interaction"` (908 B; `init` 831 B, `idle` 873 B).
    const CEILINGS: &[(&str, usize)] = &[("standard", SNIPPET_BUDGET), ("manual-init", 879), ("lazy", 918)];
    const CORE_JS_CEILING: usize = 4_501;
    // The config with every option set has the largest window.__twt.
    let config = "tests/fixtures/valid/all-options.toml";
    for (variant, ceiling) in CEILINGS {
        let out = twt_gen().args(["snippet", "--config", config, "--variant", variant]).output().unwrap();
        assert!(out.status.success());
        let gzip = gzip9_len(&out.stdout);
        assert!(
            gzip <= *ceiling,
            "{variant} snippet is {gzip} bytes after gzip -9; its ceiling is {ceiling}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let manifest = build_into(dir.path(), &[config]);
    let bundle = read_bundle(dir.path(), &manifest);
    let gzip = gzip9_len(&bundle);
    assert!(
        gzip <= CORE_JS_CEILING,
        "core.js is {gzip} bytes after gzip -9; its ceiling is {CORE_JS_CEILING}"
    );
    // The manifest compresses with flate2 at level 9; zlib's gzip -9 may differ by a few bytes.
    let reported = manifest["bundle"]["gzip_bytes"].as_u64().unwrap() as usize;
    assert!(reported.abs_diff(gzip) * 100 <= gzip, "manifest says {reported}, gzip -9 gives {gzip}");
}

#[test]
fn keep_foreign_builds_beside_foreign_files_and_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "customer's own site").unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/app.css"), "body{}").unwrap();
    for _ in 0..2 {
        twt_gen()
            .args(["build", "--config", EXAMPLE, "--keep-foreign", "--out"])
            .arg(dir.path())
            .assert()
            .code(0);
        assert_eq!(std::fs::read_to_string(dir.path().join("index.html")).unwrap(), "customer's own site");
        assert_eq!(std::fs::read_to_string(dir.path().join("assets/app.css")).unwrap(), "body{}");
        assert!(dir.path().join("customers/acme/snippet.html").exists());
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> =
        manifest["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(!listed.contains(&"index.html"), "foreign files are not ours to list");

    // A foreign file where the build would write is never overwritten.
    let clash = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(clash.path().join("customers/acme")).unwrap();
    std::fs::write(clash.path().join("customers/acme/snippet.html"), "hand-made").unwrap();
    twt_gen()
        .args(["build", "--config", EXAMPLE, "--keep-foreign", "--out"])
        .arg(clash.path())
        .assert()
        .code(73)
        .stderr(predicates::str::contains(
            "error[foreign-files]: the build would overwrite files that twt-gen did not write: customers/acme/snippet.html",
        ));
    assert_eq!(
        std::fs::read_to_string(clash.path().join("customers/acme/snippet.html")).unwrap(),
        "hand-made"
    );
}

/// Browsers report `event.origin` serialised; an origin written as typed drops every bridge
/// message. Both flags are parsed as URLs and written in their serialised form.
#[test]
fn runtime_origin_and_cdn_base_are_written_normalised() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = build_deployed(dir.path(), "HTTP://CDN.Example:80/Widget/", "http://LOCALHOST:8082/");
    assert_eq!(manifest["runtime_origin"], "http://localhost:8082");
    assert_eq!(manifest["cdn_base"], "http://cdn.example/Widget");
    assert!(manifest["bundle"]["url"].as_str().unwrap().starts_with("http://cdn.example/Widget/install/"));
    let code = String::from_utf8(read_bundle(dir.path(), &manifest)).unwrap();
    assert!(code.contains("\"http://localhost:8082\""), "serialised origin in the bundle");
    assert!(!code.contains("LOCALHOST"));

    for (typed, serialised) in [
        ("https://runtime.example.com:443", "https://runtime.example.com"),
        ("http://bücher.example:8082", "http://xn--bcher-kva.example:8082"),
    ] {
        let out = dir.path().join("idn");
        twt_gen()
            .args(["build", "--config", EXAMPLE, "--runtime-origin", typed, "--out"])
            .arg(&out)
            .assert()
            .code(0);
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["runtime_origin"], serialised, "{typed}");
    }
}

#[test]
fn malformed_origins_exit_2_showing_the_accepted_form() {
    for bad in [
        "https://user@runtime.example",
        "https://runtime.example/path",
        "https://runtime.example;script-src",
        "https://runtime example",
        "ftp://runtime.example",
        "https://runtime.example?x=1",
        "https://runtime.example#top",
    ] {
        twt_gen()
            .args(["snippet", "--config", EXAMPLE, "--runtime-origin", bad])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicates::str::contains("https://runtime.example.com[:port]"));
    }
    for bad in
        ["https://user:pw@cdn.example", "https://cdn.example/?v=1", "javascript:alert(1)", "//cdn.example"]
    {
        twt_gen()
            .args(["snippet", "--config", EXAMPLE, "--cdn-base", bad])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("https://cdn.example.com[:port][/path]"));
    }
}

/// `Acme` and `acme` collide as `customers/<appid>/` on macOS and Windows file systems.
#[test]
fn appids_that_differ_only_in_case_are_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let upper = dir.path().join("acme-upper.toml");
    std::fs::write(&upper, "appid = \"ACME\"\n").unwrap();
    let out = dir.path().join("dist");
    twt_gen()
        .args(["build", "--config", EXAMPLE, "--config"])
        .arg(&upper)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(65)
        .stderr(predicates::str::contains("error[duplicate-appid]: appid \"ACME\" differs only in case from \"acme\" in examples/customers/acme.toml"))
        .stderr(predicates::str::contains("acme-upper.toml:1:9"))
        .stderr(predicates::str::contains("case-insensitive file systems"));
    assert!(!out.exists());
}

fn publishing_md(out: &Path) -> String {
    std::fs::read_to_string(out.join("PUBLISHING.md")).unwrap()
}

/// The operator's checklist names this build's deployment and bundle, says it is not to be
/// uploaded, and is listed as an operator file.
#[test]
fn publishing_md_is_the_checklist_of_this_build() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = build_deployed(dir.path(), "https://cdn.example.com/widget", "https://rt.example.com");
    let text = publishing_md(dir.path());
    assert!(text.contains("- CDN base: `https://cdn.example.com/widget`"), "{text}");
    assert!(text.contains("- Runtime origin: `https://rt.example.com`"), "{text}");
    let bundle = manifest["bundle"]["path"].as_str().unwrap();
    assert!(text.contains(&format!("- Current bundle: `{bundle}`")), "{text}");
    assert!(text.contains(&format!("| `{bundle}` (current) |")), "{text}");
    assert!(text.contains("every customer of this build, 1: `acme`"), "{text}");
    assert!(text.contains("**Do not upload it**"), "{text}");
    assert!(
        text.contains("curl -fsS -o previous-manifest.json 'https://cdn.example.com/widget/manifest.json'")
    );
    assert!(text.contains("twt-gen diff previous-manifest.json \"$OUT/manifest.json\""), "{text}");
    assert!(text.contains("twt-gen verify --manifest \"$OUT/manifest.json\""), "{text}");
    assert_eq!(manifest["operator_files"], serde_json::json!(["PUBLISHING.md"]));
    let listed = manifest["files"].as_array().unwrap().iter().any(|f| f["path"] == "PUBLISHING.md");
    assert!(listed, "listed in files, so the next build does not take it for a foreign file");
    // Upload order: install/ first, manifest.json last, and PUBLISHING.md never.
    let uploads: Vec<&str> = text.lines().filter(|line| line.starts_with("aws s3 ")).collect();
    assert!(uploads.first().unwrap().contains("\"$OUT/install/\""), "{uploads:#?}");
    assert!(uploads.last().unwrap().contains("\"$OUT/manifest.json\""), "{uploads:#?}");
    assert!(!uploads.iter().any(|line| line.contains("--delete") || line.contains("PUBLISHING")));
    // A rebuild beside it is not refused for foreign files, and writes the same bytes.
    build_deployed(dir.path(), "https://cdn.example.com/widget", "https://rt.example.com");
    assert_eq!(publishing_md(dir.path()), text);
}

/// The table of PUBLISHING.md holds the very values `verify` checks (`write::serving`, which
/// `verify` reads), and every file of a build but the operator's has a row.
#[test]
fn publishing_md_prescribes_the_headers_verify_checks() {
    use twt_gen::write::serving::{self, RULES};
    let dir = tempfile::tempdir().unwrap();
    build_into(dir.path(), &["tests/fixtures/valid"]);
    let text = publishing_md(dir.path());
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip_while(|line| !line.starts_with("| path |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| line.trim_matches('|').split(" | ").map(|cell| cell.trim().to_string()).collect())
        .collect();
    assert_eq!(rows.len(), RULES.len(), "{text}");
    for (row, rule) in rows.iter().zip(RULES) {
        let code = |text: &str| format!("`{text}`");
        assert_eq!(row[0], code(rule.paths));
        assert_eq!(row[1], code(rule.content_type), "{}", rule.paths);
        assert_eq!(row[2], code(rule.cache_control), "{}", rule.paths);
        assert_eq!(row[3], rule.allow_origin.map_or("not needed".to_string(), code), "{}", rule.paths);
    }
    // What verify demands of a bundle, in the row of bundles.
    assert_eq!(rows[0][1], format!("`{}`", serving::JAVASCRIPT));
    assert_eq!(rows[0][2], format!("`{}`", serving::IMMUTABLE));
    assert!(serving::IMMUTABLE.contains(&format!("max-age={}", serving::ONE_YEAR)));
    assert_eq!(rows[0][3], format!("`{}`", serving::ANY_ORIGIN));
    for rule in RULES.iter().filter(|rule| rule.folder == "customers/") {
        assert_eq!(rule.cache_control, serving::REVALIDATE, "verify fails `immutable` on customer files");
    }
    // Each upload command sends its row's headers.
    for rule in RULES {
        let sent =
            format!("--content-type \"{}\" --cache-control \"{}\"", rule.content_type, rule.cache_control);
        let names = |l: &str| {
            l.contains(&format!("--include \"{}\"", rule.glob)) || l.contains(&format!("/{}\"", rule.glob))
        };
        assert!(text.lines().any(|l| l.starts_with("aws s3 ") && names(l) && l.ends_with(&sent)), "{sent}");
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    let operator: Vec<&str> =
        manifest["operator_files"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    for path in files_under(dir.path()) {
        let rules = RULES.iter().filter(|rule| rule.matches(&path)).count();
        let expected = if operator.contains(&path.as_str()) { 0 } else { 1 };
        assert_eq!(rules, expected, "{path}: rows of the table that match it");
    }
}

/// `--cdn-base` reaches PUBLISHING.md in a list item and a shell command: Markdown and shell
/// syntax in it (which a URL path may hold) stay literal text.
#[test]
fn a_hostile_cdn_base_stays_inert_in_publishing_md() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let dir = tempfile::tempdir().unwrap();
    let hostile = "https://cdn.example/x|y*z_[a](javascript:alert(1))'$(touch%20pwned)`";
    let manifest = build_deployed(dir.path(), hostile, "https://rt.example.com");
    let cdn_base = manifest["cdn_base"].as_str().unwrap();
    assert!(cdn_base.contains("[a](javascript:alert(1))'$(touch"), "the path survives: {cdn_base}");
    let text = publishing_md(dir.path());
    let mut code = Vec::new();
    for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => panic!("raw HTML {html:?}\n{text}"),
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link to {dest_url}\n{text}"),
            Event::Start(Tag::Emphasis | Tag::Strong) => {}
            Event::Code(span) => code.push(span.to_string()),
            _ => {}
        }
    }
    assert!(code.contains(&cdn_base.to_string()), "the CDN base as one code span: {code:?}");
    let curl = text.lines().find(|line| line.starts_with("curl ")).unwrap();
    let quoted = format!("'{}/manifest.json'", cdn_base.replace('\'', r"'\''"));
    assert_eq!(curl, format!("curl -fsS -o previous-manifest.json {quoted}"));
    // The same rows as with a plain base: nothing added a cell or a line.
    let rows = |text: &str| {
        text.lines().filter(|l| l.starts_with('|')).map(|l| l.matches(" | ").count()).collect::<Vec<_>>()
    };
    let plain = tempfile::tempdir().unwrap();
    build_deployed(plain.path(), "https://cdn.example", "https://rt.example.com");
    let plain_text = publishing_md(plain.path());
    assert_eq!(rows(&text), rows(&plain_text));
    assert_eq!(text.lines().count(), plain_text.lines().count());
}
