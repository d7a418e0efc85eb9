//! Colour in human output follows the common conventions: `NO_COLOR` turns it off,
//! `CLICOLOR_FORCE` turns it on without a terminal (`CLICOLOR=0` needs a terminal to show).

use assert_cmd::Command;

const INVALID: &str = "tests/fixtures/invalid/three-mistakes.toml";

/// Human diagnostics of an invalid fixture, with exactly these colour variables set.
fn stderr_with(vars: &[(&str, &str)]) -> String {
    let mut cmd = Command::cargo_bin("twt-gen").unwrap();
    for name in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM", "CI"] {
        cmd.env_remove(name);
    }
    cmd.envs(vars.iter().copied());
    let output = cmd.args(["validate", INVALID]).output().unwrap();
    assert_eq!(output.status.code(), Some(65));
    String::from_utf8(output.stderr).unwrap()
}

fn has_color(text: &str) -> bool {
    text.contains("\x1b[")
}

#[test]
fn no_color_without_a_terminal() {
    assert!(!has_color(&stderr_with(&[])));
}

#[test]
fn clicolor_force_colours_a_pipe() {
    let text = stderr_with(&[("CLICOLOR_FORCE", "1")]);
    assert!(has_color(&text), "{text}");
    assert!(text.contains("invalid-theme"), "{text}");
}

#[test]
fn no_color_wins_over_clicolor_force() {
    assert!(!has_color(&stderr_with(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")])));
}
