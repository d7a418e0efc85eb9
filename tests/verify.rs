//! `twt-gen verify` against a CDN on 127.0.0.1 that serves a real build's output, right or
//! wrong in one way per test: each check must find its fault, and only its fault.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

#[path = "common/cdn.rs"]
mod cdn;
use cdn::Fault;

fn twt_gen() -> Command {
    let mut cmd = Command::cargo_bin("twt-gen").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// A build of two customers into `out` (a second call with another origin adds a bundle).
fn build(dir: &Path, out: &Path, runtime_origin: &str) {
    let configs = dir.join("configs");
    std::fs::create_dir_all(&configs).unwrap();
    for appid in ["alpha", "beta"] {
        std::fs::write(configs.join(format!("{appid}.toml")), format!("appid = \"{appid}\"\n")).unwrap();
    }
    let output = twt_gen()
        .args(["build", "--config"])
        .arg(&configs)
        .arg("--out")
        .arg(out)
        .args(["--runtime-origin", runtime_origin])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Two releases with different bundles in one output folder.
fn two_releases() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(dir.path(), &out, "https://rt-a.example.org");
    build(dir.path(), &out, "https://rt-b.example.org");
    (dir, out)
}

fn manifest(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn bundle_paths(out: &Path) -> Vec<String> {
    let manifest = manifest(out);
    manifest["bundles"].as_array().unwrap().iter().map(|b| b["path"].as_str().unwrap().to_string()).collect()
}

/// `verify` of `out`'s manifest against `base`, with a one-second timeout unless `extra` sets one.
fn verify(out: &Path, base: &str, extra: &[&str]) -> Output {
    let timeout: &[&str] = if extra.contains(&"--timeout") { &[] } else { &["--timeout", "1"] };
    twt_gen()
        .args(["verify", "--manifest"])
        .arg(out.join("manifest.json"))
        .args(["--cdn-base", base])
        .args(timeout)
        .args(extra)
        .output()
        .unwrap()
}

/// The codes of the problems reported in human output, in order.
fn codes(stderr: &str) -> Vec<&str> {
    stderr.lines().filter_map(|line| line.strip_prefix("error[")?.split(']').next()).collect()
}

fn failing(out: &Path, fault: Fault, extra: &[&str]) -> (Vec<String>, String) {
    let output = verify(out, &cdn::serve(out, fault), extra);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty(), "human output goes to stderr");
    (codes(&stderr).into_iter().map(str::to_string).collect(), stderr)
}

#[test]
fn a_right_cdn_passes_every_bundle_of_the_history_and_every_customer_file() {
    let (_dir, out) = two_releases();
    let output = verify(&out, &cdn::serve(&out, Fault::None), &["--customers"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    // Two bundles, and per customer two docs files and three snippets.
    assert_eq!(stderr, "12 files: 0 errors, 0 warnings\n");
}

#[test]
fn the_manifests_cdn_base_is_used_unless_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(dir.path(), &out, "https://rt-a.example.org");
    let base = cdn::serve(&out, Fault::None);
    // Rebuild for that CDN: the manifest records it, and verify goes there.
    let configs = dir.path().join("configs");
    let built = twt_gen()
        .args(["build", "--config"])
        .arg(&configs)
        .arg("--out")
        .arg(&out)
        .args(["--runtime-origin", "https://rt-a.example.org", "--cdn-base", &base])
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let output = twt_gen().args(["verify", "--manifest"]).arg(out.join("manifest.json")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn no_cors_header_fails_each_bundle_with_the_header_to_set() {
    let (_dir, out) = two_releases();
    let (codes, stderr) = failing(&out, Fault::NoCors, &[]);
    assert_eq!(codes, ["cdn-cors", "cdn-cors"], "{stderr}");
    let current = manifest(&out)["bundle"]["path"].as_str().unwrap().to_string();
    assert!(stderr.contains("--> http://127.0.0.1:"), "{stderr}");
    assert!(stderr.contains(&format!("/{current}?version=")), "the URL a snippet requests: {stderr}");
    assert!(stderr.contains("`Access-Control-Allow-Origin` is (none)"), "{stderr}");
    assert!(
        stderr.contains("help: make the CDN send `Access-Control-Allow-Origin: *` for install/"),
        "{stderr}"
    );
}

#[test]
fn wrong_bytes_fail_with_both_hashes() {
    let (_dir, out) = two_releases();
    let current = manifest(&out)["bundle"]["path"].as_str().unwrap().to_string();
    let (codes, stderr) = failing(&out, Fault::WrongBytes(current.clone()), &[]);
    assert_eq!(codes, ["cdn-wrong-bytes"], "{stderr}");
    assert!(stderr.contains(manifest(&out)["bundle"]["integrity"].as_str().unwrap()), "{stderr}");
    assert!(stderr.contains("(28 bytes) served"), "{stderr}");
}

#[test]
fn a_customer_file_with_wrong_bytes_fails_only_with_customers() {
    let (_dir, out) = two_releases();
    let fault = Fault::WrongBytes("customers/beta/snippet.html".into());
    assert!(verify(&out, &cdn::serve(&out, fault.clone()), &[]).status.success());
    let (codes, stderr) = failing(&out, fault, &["--customers"]);
    assert_eq!(codes, ["cdn-wrong-bytes"], "{stderr}");
    assert!(stderr.contains("/customers/beta/snippet.html"), "{stderr}");
}

#[test]
fn a_short_cache_lifetime_fails_with_the_header_to_set() {
    let (_dir, out) = two_releases();
    let (codes, stderr) = failing(&out, Fault::ShortCache, &[]);
    assert_eq!(codes, ["cdn-cache-control", "cdn-cache-control"], "{stderr}");
    assert!(stderr.contains("`max-age` 600 is under one year (31536000), no `immutable`"), "{stderr}");
    assert!(stderr.contains("`Cache-Control: public, max-age=31536000, immutable`"), "{stderr}");
}

#[test]
fn a_wrong_content_type_fails_even_when_it_is_not_text() {
    let (_dir, out) = two_releases();
    let (codes, stderr) = failing(&out, Fault::TextPlain, &[]);
    assert_eq!(codes, ["cdn-content-type", "cdn-content-type"], "{stderr}");
    assert!(stderr.contains("`Content-Type` is text/plain"), "{stderr}");
    let (codes, stderr) = failing(&out, Fault::BinaryContentType, &[]);
    assert_eq!(codes, ["cdn-content-type", "cdn-content-type"], "{stderr}");
    assert!(stderr.contains("(not ASCII text)"), "{stderr}");
}

#[test]
fn a_missing_old_bundle_fails_as_history_with_the_fix() {
    let (_dir, out) = two_releases();
    let old = bundle_paths(&out)[0].clone();
    let (codes, stderr) = failing(&out, Fault::Missing(old.clone()), &[]);
    assert_eq!(codes, ["cdn-not-served"], "{stderr}");
    assert!(stderr.contains(&format!("/{old}?version=")), "{stderr}");
    assert!(stderr.contains("404 Not Found for an older bundle of the history"), "{stderr}");
    assert!(stderr.contains("re-upload install/ without deletion"), "{stderr}");
}

#[test]
fn a_redirect_loop_ends_after_a_few_redirects_at_the_last_url() {
    let (_dir, out) = two_releases();
    let (codes, stderr) = failing(&out, Fault::RedirectLoop, &[]);
    assert_eq!(codes, ["cdn-request-failed", "cdn-request-failed"], "{stderr}");
    assert!(stderr.contains("still redirected after 5 redirects (at http://127.0.0.1:"), "{stderr}");
    assert!(stderr.contains("/loop/4): 302 Found, `Location: /loop/5`"), "{stderr}");
}

#[test]
fn a_server_that_never_answers_fails_within_the_timeout() {
    let (_dir, out) = two_releases();
    let started = std::time::Instant::now();
    let (codes, stderr) = failing(&out, Fault::NeverAnswer, &[]);
    assert_eq!(codes, ["cdn-request-failed", "cdn-request-failed"], "{stderr}");
    assert!(stderr.contains("no complete answer within 1 s (--timeout)"), "{stderr}");
    // The server sleeps a minute: anything near it means the timeout did not bound the request.
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[test]
fn an_endless_body_is_read_only_up_to_a_limit() {
    let (_dir, out) = two_releases();
    let (codes, stderr) = failing(&out, Fault::EndlessBody, &["--timeout", "60"]);
    assert_eq!(codes.iter().filter(|c| *c == "cdn-wrong-bytes").count(), 2, "{stderr}");
    assert!(stderr.contains("is longer than"), "{stderr}");
}

#[test]
fn nothing_listening_and_an_unknown_host_are_failures_per_url() {
    let (_dir, out) = two_releases();
    let output = verify(&out, &cdn::nothing_listening(), &[]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(codes(&stderr), ["cdn-request-failed", "cdn-request-failed"], "{stderr}");
    assert!(stderr.contains("the connection was refused"), "{stderr}");
    // `.invalid` never resolves (RFC 6761).
    let output = verify(&out, "https://cdn.twt-gen.invalid", &[]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(codes(&stderr), ["cdn-request-failed", "cdn-request-failed"], "{stderr}");
    assert!(stderr.contains("the host name does not resolve (DNS"), "{stderr}");
    assert!(stderr.contains("help: check the host of --cdn-base"), "{stderr}");
}

#[test]
fn json_lists_each_problem_with_its_url_then_a_summary() {
    let (_dir, out) = two_releases();
    let base = cdn::serve(&out, Fault::NoCors);
    let output = verify(&out, &base, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    for (line, path) in lines.iter().zip(bundle_paths(&out)) {
        assert_eq!(line["code"], "cdn-cors");
        assert!(line["file"].as_str().unwrap().starts_with(&format!("{base}/{path}?version=")), "{line}");
        assert!(line["help"].as_str().unwrap().contains("Access-Control-Allow-Origin: *"));
    }
    assert_eq!(lines[2], serde_json::json!({"type": "summary", "files": 2, "errors": 2, "warnings": 0}));
}

#[test]
fn an_unreadable_manifest_is_66() {
    let output = twt_gen()
        .args(["verify", "--manifest", "tests/fixtures/nope.json", "--timeout", "1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(66), "{stderr}");
    assert!(stderr.starts_with("error[unreadable-manifest]: "), "{stderr}");
}

#[test]
fn a_manifest_whose_cdn_base_is_not_http_sends_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(dir.path(), &out, "https://rt-a.example.org");
    let mut edited = manifest(&out);
    edited["cdn_base"] = "file:///etc".into();
    std::fs::write(out.join("manifest.json"), serde_json::to_vec(&edited).unwrap()).unwrap();
    let output = twt_gen().args(["verify", "--manifest"]).arg(out.join("manifest.json")).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(66), "{stderr}");
    assert!(stderr.contains("the manifest's `cdn_base` is not a base URL"), "{stderr}");
    // --cdn-base replaces it.
    let output = verify(&out, &cdn::serve(&out, Fault::None), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

/// `verify --help` spells out the headers it checks: the values of `write::serving`, which its
/// checks read, not a copy that could drift.
#[test]
fn the_help_names_the_headers_verify_checks() {
    use twt_gen::write::serving;
    let output = twt_gen().args(["verify", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains(&format!("`Cache-Control: {}`", serving::IMMUTABLE)), "{help}");
    assert!(help.contains(&format!("`Access-Control-Allow-Origin: {}`", serving::ANY_ORIGIN)), "{help}");
}
