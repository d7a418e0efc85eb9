//! The injection corpus: hostile strings pushed through every input of twt-gen that reaches an
//! output (every config key, `--cdn-base`, `--runtime-origin`, config file and folder names, the
//! `--out` folder's name). Each is rejected with a clear diagnostic (the right code, and no raw
//! control character in human, github or usage output), or built; and then every generated HTML
//! page (the snippets, integration.html, and PUBLISHING.md as HTML) is opened in Chromium beside
//! a canary, `window.__pwned`, that every payload tries to call. Figure: payloads × contexts
//! tried, executions (0).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::support::{Server, Session, Value};

const BIN: &str = env!("CARGO_BIN_EXE_twt-gen");

/// The hostile strings: script and HTML breaking, attribute breaking, Markdown and link
/// injection, template syntax, line and paragraph separators, bidi and terminal controls, NUL,
/// and a very long one. Each tries to call `__pwned()`.
fn payloads() -> Vec<String> {
    let mut list: Vec<String> = [
        "</script><script>__pwned()</script>",
        "<script>__pwned()</script>",
        "</SCRIPT><SCRIPT>__pwned()</SCRIPT>",
        "</script\t><script>__pwned()</script>",
        "<scr<script>ipt>__pwned()</scr</script>ipt>",
        "<!--<script>__pwned()</script>-->",
        "--><script>__pwned()</script>",
        "<![CDATA[</script><script>__pwned()</script>]]>",
        "<img src=x onerror=__pwned()>",
        "\"><img src=x onerror=__pwned()>",
        "'><img src=x onerror=__pwned()>",
        "`><img src=x onerror=__pwned()>",
        "\" onerror=\"__pwned()\" x=\"",
        "' onerror='__pwned()' x='",
        "\" autofocus onfocus=\"__pwned()",
        "\"><svg/onload=__pwned()>",
        "'><svg/onload=__pwned()>",
        "<img/src/onerror=__pwned()>",
        "\"/onerror=\"__pwned()",
        "'/onerror='__pwned()",
        "<svg onload=__pwned()>",
        "<svg><script>__pwned()</script></svg>",
        "<iframe srcdoc=\"<script>parent.__pwned()</script>\"></iframe>",
        "<details open ontoggle=__pwned()>",
        "<body onload=__pwned()>",
        "<style></style><script>__pwned()</script>",
        "</style><script>__pwned()</script>",
        "</title><script>__pwned()</script>",
        "</textarea><script>__pwned()</script>",
        "</code></pre><script>__pwned()</script>",
        "<base href=\"javascript:__pwned()//\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:__pwned()\">",
        "<object data=\"javascript:__pwned()\"></object>",
        "<a href=\"javascript:__pwned()\">x</a>",
        "javascript:__pwned()",
        "JaVaScRiPt:__pwned()",
        " javascript:__pwned()",
        "data:text/html,<script>__pwned()</script>",
        "\";__pwned();//",
        "';__pwned();//",
        "\\\";__pwned();//",
        "\"-__pwned()-\"",
        "'-__pwned()-'",
        "`;__pwned();//",
        "${__pwned()}",
        "\");__pwned();(\"",
        "}catch(e){};__pwned();try{",
        "\u{2028}__pwned()\u{2029}",
        "\u{2028};__pwned();//",
        "[x](javascript:__pwned())",
        "[x](javascript&#58;__pwned())",
        "![x](x\" onerror=\"__pwned())",
        "<javascript:__pwned()>",
        "`</code><img src=x onerror=__pwned()>`",
        "``\n<script>__pwned()</script>\n``",
        "```\n</code></pre><script>__pwned()</script>\n```",
        "| x | <img src=x onerror=__pwned()> |",
        "*<img src=x onerror=__pwned()>*",
        "&lt;script&gt;__pwned()&lt;/script&gt;",
        "&#60;script&#62;__pwned()&#60;/script&#62;",
        "%3Cscript%3E__pwned()%3C/script%3E",
        "{{ __pwned() }}{% raw %}<script>__pwned()</script>{% endraw %}",
        "\0<script>__pwned()</script>",
        "\u{202E}<script>__pwned()</script>\u{202C}",
        "\u{2066}\"><img src=x onerror=__pwned()>\u{2069}",
        "\u{1b}[2J\u{1b}]0;pwned\u{7}<script>__pwned()</script>",
        "\u{9b}31m\u{85}\r\n<script>__pwned()</script>",
        "\r<script>__pwned()</script>",
        "\u{feff}<script>__pwned()</script>",
        "../../../../etc/passwd",
        "/etc/passwd",
        "..\\..\\windows\\win.ini",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    list.push(format!("{}<script>__pwned()</script>", "A".repeat(100_000)));
    list
}

/// The canary every opened page gets first: a payload that runs calls it.
const CANARY: &str =
    "<script>window.__pwned=function(){(top.__hits=top.__hits||[]).push(location.pathname)};</script>";

/// A TOML basic string holding `text` exactly.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 && c != '\t' || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A name a file system can hold: no `/` or NUL, at most 150 bytes.
fn file_name_of(n: usize, payload: &str) -> String {
    let mut name = format!("{n:02}-");
    for c in payload.chars() {
        if name.len() + c.len_utf8() > 150 {
            break;
        }
        name.push(match c {
            '/' => '∕',
            '\0' => '␀',
            c => c,
        });
    }
    name
}

/// What a terminal or a CI log acts on instead of showing (tab and line feed are fine).
fn raw_controls(text: &str) -> Vec<String> {
    text.chars()
        .filter(|c| {
            (c.is_control() && !matches!(c, '\t' | '\n'))
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
                || matches!(c, '\u{061C}' | '\u{2028}' | '\u{2029}')
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(BIN).args(args).env("NO_COLOR", "1").output().expect("run twt-gen")
}

#[derive(Default)]
struct Tally {
    /// payload × context pairs pushed through twt-gen.
    tried: usize,
    rejected: usize,
    built: usize,
    pages: usize,
    executions: usize,
}

/// A config key and the diagnostic codes that may reject a hostile value for it.
struct ConfigContext {
    name: &'static str,
    /// The config's text for one payload.
    config: fn(&str) -> String,
    codes: &'static [&'static str],
}

const CONFIG_CONTEXTS: &[ConfigContext] = &[
    ConfigContext {
        name: "appid",
        config: |p| format!("appid = {}\n", toml_string(p)),
        codes: &["invalid-appid"],
    },
    ConfigContext {
        name: "theme",
        config: |p| format!("appid = \"inj\"\ntheme = {}\n", toml_string(p)),
        codes: &["invalid-theme"],
    },
    ConfigContext {
        name: "launcher",
        config: |p| format!("appid = \"inj\"\nlauncher = {}\n", toml_string(p)),
        codes: &["invalid-launcher"],
    },
    ConfigContext {
        name: "zIndex",
        config: |p| format!("appid = \"inj\"\nzIndex = {}\n", toml_string(p)),
        codes: &["invalid-type"],
    },
    ConfigContext {
        name: "language",
        config: |p| format!("appid = \"inj\"\nlanguage = {}\n", toml_string(p)),
        codes: &["unsupported-language"],
    },
    ConfigContext {
        name: "asyncInit",
        config: |p| format!("appid = \"inj\"\nasyncInit = {}\n", toml_string(p)),
        codes: &["invalid-type"],
    },
    ConfigContext {
        name: "extends",
        config: |p| format!("appid = \"inj\"\nextends = {}\n", toml_string(p)),
        codes: &["unknown-preset", "extends-outside", "unreadable-extends"],
    },
    ConfigContext {
        name: "an unknown key",
        config: |p| format!("appid = \"inj\"\n{} = \"x\"\n", toml_string(p)),
        codes: &["unknown-key"],
    },
    ConfigContext {
        name: "a runtime-only key",
        config: |p| format!("appid = \"inj\"\nname = {}\n", toml_string(p)),
        codes: &["runtime-only-key"],
    },
];

/// Every config key: each payload in its own file, one `validate` per format over the folder.
/// Returns the folders of configs that were accepted (none are expected, but they get built).
fn config_keys(work: &Path, payloads: &[String], tally: &mut Tally) -> Vec<PathBuf> {
    let mut accepted = Vec::new();
    for (c, context) in CONFIG_CONTEXTS.iter().enumerate() {
        let folder = work.join(format!("keys-{c}"));
        std::fs::create_dir_all(&folder).unwrap();
        let mut files = BTreeMap::new();
        for (n, payload) in payloads.iter().enumerate() {
            let path = folder.join(format!("{n:03}.toml"));
            std::fs::write(&path, (context.config)(payload)).unwrap();
            files.insert(path.to_string_lossy().into_owned(), n);
        }
        tally.tried += payloads.len();

        let json = run(&["validate".as_ref(), "--format".as_ref(), "json".as_ref(), folder.as_os_str()]);
        let stdout = String::from_utf8(json.stdout).unwrap();
        assert_eq!(raw_controls(&stdout), Vec::<String>::new(), "{}: JSON output", context.name);
        let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in stdout.lines() {
            let value: Value = serde_json::from_str(line).unwrap();
            if value["type"] == "diagnostic" && value["severity"] == "error" {
                let file = value["file"].as_str().unwrap().to_string();
                codes.entry(file).or_default().push(value["code"].as_str().unwrap().to_string());
            }
        }
        for (file, n) in &files {
            match codes.get(file) {
                None => {
                    accepted.push(PathBuf::from(file));
                }
                Some(found) => {
                    tally.rejected += 1;
                    assert!(
                        found.iter().all(|code| context.codes.contains(&code.as_str())),
                        "{}: payload {n} ({:?}) rejected with {found:?}, expected {:?}",
                        context.name,
                        preview(&payloads[*n]),
                        context.codes
                    );
                }
            }
        }
        for format in ["human", "github"] {
            let out = run(&["validate".as_ref(), "--format".as_ref(), format.as_ref(), folder.as_os_str()]);
            assert_eq!(out.status.code(), Some(65), "{}: {format}", context.name);
            let text =
                String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
            assert_eq!(raw_controls(&text), Vec::<String>::new(), "{}: {format} output", context.name);
            if format == "github" {
                let stdout = String::from_utf8_lossy(&out.stdout);
                assert!(
                    stdout.lines().all(|l| l.starts_with("::error ") || l.starts_with("::warning ")),
                    "{stdout}"
                );
            }
        }
    }
    accepted
}

fn preview(payload: &str) -> String {
    payload.chars().take(60).collect()
}

/// One build: its `--out` and the HTML pages it wrote.
struct Built {
    what: String,
    out: PathBuf,
}

impl Built {
    /// Each page with its HTML: the snippets, integration.html, and the operator's
    /// PUBLISHING.md turned into HTML as integration.html is made from INTEGRATION.md (raw HTML
    /// passes through), so a value that escaped its Markdown context shows here.
    fn pages(&self) -> Vec<(PathBuf, String)> {
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(self.out.join("manifest.json")).unwrap()).unwrap();
        let mut pages = Vec::new();
        for customer in manifest["customers"].as_array().unwrap() {
            for path in customer["snippets"].as_object().unwrap().values() {
                pages.push(self.out.join(path.as_str().unwrap()));
            }
            pages.push(self.out.join(customer["docs_html"].as_str().unwrap()));
        }
        let mut pages: Vec<(PathBuf, String)> =
            pages.into_iter().map(|page| (page.clone(), std::fs::read_to_string(&page).unwrap())).collect();
        for operator_file in manifest["operator_files"].as_array().unwrap() {
            let path = self.out.join(operator_file.as_str().unwrap());
            let markdown = std::fs::read_to_string(&path).unwrap();
            let parser = pulldown_cmark::Parser::new_ext(&markdown, pulldown_cmark::Options::ENABLE_TABLES);
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, parser);
            pages.push((path, html));
        }
        pages
    }
}

/// A `twt-gen build` to run.
struct Job {
    args: Vec<std::ffi::OsString>,
    what: String,
    out: PathBuf,
}

impl Job {
    fn new(args: &[&std::ffi::OsStr], what: String, out: &Path) -> Job {
        Job { args: args.iter().map(|a| a.to_os_string()).collect(), what, out: out.to_path_buf() }
    }
}

/// Runs the jobs two at a time (the machine has two cores), then judges each in order: a clean
/// stderr, and exit 0 (built) or 2 (rejected, showing the accepted form).
fn build_all(jobs: Vec<Job>, tally: &mut Tally) -> Vec<Option<Built>> {
    let outputs: Vec<Output> = std::thread::scope(|scope| {
        let halves: Vec<_> = jobs
            .chunks(jobs.len().div_ceil(2).max(1))
            .map(|half| {
                scope.spawn(move || {
                    half.iter()
                        .map(|job| run(&job.args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    jobs.into_iter()
        .zip(outputs)
        .map(|(job, output)| {
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            let what = job.what;
            assert_eq!(raw_controls(&stderr), Vec::<String>::new(), "{what}: stderr\n{stderr}");
            match output.status.code() {
                Some(0) => {
                    tally.built += 1;
                    Some(Built { what, out: job.out })
                }
                Some(2) => {
                    tally.rejected += 1;
                    assert!(stderr.contains("expected https://"), "{what}: no accepted form in\n{stderr}");
                    None
                }
                other => panic!("{what}: exit {other:?}\n{stderr}"),
            }
        })
        .collect()
}

fn build(args: &[&std::ffi::OsStr], what: String, out: &Path, tally: &mut Tally) -> Option<Built> {
    build_all(vec![Job::new(args, what, out)], tally).pop().unwrap()
}

/// A config with every snippet variant (asyncInit adds the manual-init one).
const VALID_CONFIG: &str = "appid = \"inj\"\ntheme = \"dark\"\nasyncInit = true\n";

/// `--cdn-base` and `--runtime-origin`, the payload as host and as path. `dead` is an origin
/// that serves nothing (the pages need not load core.js to show an injection).
fn flags(work: &Path, payloads: &[String], dead: &str, tally: &mut Tally) -> Vec<Built> {
    let config = work.join("flags.toml");
    std::fs::write(&config, VALID_CONFIG).unwrap();
    let mut jobs = Vec::new();
    for (n, payload) in payloads.iter().enumerate() {
        for (flag, form, value) in [
            ("--cdn-base", "host", format!("http://{payload}")),
            ("--cdn-base", "path", format!("{dead}/{payload}")),
            ("--runtime-origin", "host", format!("http://{payload}")),
            ("--runtime-origin", "path", format!("{dead}/{payload}")),
        ] {
            if value.contains('\0') {
                // No command line can carry a NUL: this pair cannot reach twt-gen.
                continue;
            }
            tally.tried += 1;
            let out = work.join(format!("flags-{n}-{flag}-{form}"));
            let args: Vec<&std::ffi::OsStr> = vec![
                "build".as_ref(),
                "--config".as_ref(),
                config.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
                flag.as_ref(),
                value.as_ref(),
            ];
            let what = format!("{flag} {form}, payload {n} {:?}", preview(payload));
            jobs.push(Job::new(&args, what, &out));
        }
    }
    build_all(jobs, tally).into_iter().flatten().collect()
}

/// Config file names, config folder names, and the `--out` folder's name: one batch each.
fn names(work: &Path, payloads: &[String], dead: &str, tally: &mut Tally) -> Vec<Built> {
    let files = work.join("file-names");
    let folders = work.join("folder-names");
    std::fs::create_dir_all(&files).unwrap();
    let mut folder_configs = Vec::new();
    for (n, payload) in payloads.iter().enumerate() {
        let name = file_name_of(n, payload);
        let config = format!("appid = \"name-{n}\"\nasyncInit = true\n");
        std::fs::write(files.join(format!("{name}.toml")), &config).unwrap();
        let folder = folders.join(&name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("config.toml"), &config).unwrap();
        folder_configs.push(folder);
    }
    tally.tried += 2 * payloads.len();
    let mut built = Vec::new();
    let out = work.join("file-names-out");
    let args: Vec<&std::ffi::OsStr> = vec![
        "build".as_ref(),
        "--config".as_ref(),
        files.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--cdn-base".as_ref(),
        dead.as_ref(),
    ];
    built.extend(build(&args, "config file names".into(), &out, tally));
    let out = work.join("folder-names-out");
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["build".as_ref(), "--out".as_ref(), out.as_os_str(), "--cdn-base".as_ref(), dead.as_ref()];
    for folder in &folder_configs {
        args.push("--config".as_ref());
        args.push(folder.as_os_str());
    }
    built.extend(build(&args, "config folder names".into(), &out, tally));

    // Invalid configs under hostile names: the names reach every diagnostic format.
    let invalid = work.join("invalid-names");
    std::fs::create_dir_all(&invalid).unwrap();
    for (n, payload) in payloads.iter().enumerate() {
        std::fs::write(invalid.join(format!("{}.toml", file_name_of(n, payload))), "appid = 1\n").unwrap();
    }
    for format in ["human", "json", "github"] {
        let out = run(&["validate".as_ref(), "--format".as_ref(), format.as_ref(), invalid.as_os_str()]);
        assert_eq!(out.status.code(), Some(65));
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(raw_controls(&text), Vec::<String>::new(), "file names in {format} output");
    }

    // The --out folder's name reaches the build's summary line.
    let config = work.join("out-name.toml");
    std::fs::write(&config, VALID_CONFIG).unwrap();
    let mut jobs = Vec::new();
    for (n, payload) in payloads.iter().enumerate() {
        tally.tried += 1;
        let out = work.join("out-names").join(file_name_of(n, payload));
        let args: Vec<&std::ffi::OsStr> = vec![
            "build".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--cdn-base".as_ref(),
            dead.as_ref(),
        ];
        jobs.push(Job::new(&args, format!("--out name, payload {n}"), &out));
    }
    let mut first_out: Option<Built> = None;
    for (n, done) in build_all(jobs, tally).into_iter().enumerate() {
        let done = done.expect("any name is a fine --out");
        // The name reaches no page: every build's pages are the first one's, which are opened.
        if let Some(first) = &first_out {
            let pages =
                |built: &Built| -> Vec<String> { built.pages().into_iter().map(|(_, html)| html).collect() };
            assert!(pages(first) == pages(&done), "the --out name changed a page: payload {n}");
        } else {
            first_out = Some(done);
        }
    }
    built.extend(first_out);
    built
}

/// The page as opened: the canary first. integration.html's own CSP (`default-src 'none'`)
/// would stop any script anyway; it is removed so that the escaping alone is what is tested.
fn with_canary(html: &str) -> String {
    let html = html.replace(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        "",
    );
    if let Some(at) = html.find("<head>") {
        format!("{}{CANARY}{}", &html[..at + "<head>".len()], &html[at + "<head>".len()..])
    } else {
        // A snippet: a page around it.
        format!("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n{CANARY}\n{html}\n</head>\n<body></body>\n</html>\n")
    }
}

/// Counts, over the frames of the page, the canary's calls and the elements that would run
/// injected code when used: an `on…` handler or a `javascript:`/`data:` URL carrying a payload.
const SCAN_JS: &str = r#"
var found = { hits: (window.__hits || []).slice(), armed: [] };
var urlAttributes = ["href", "src", "action", "formaction", "data", "srcdoc", "content", "xlink:href"];
document.querySelectorAll("iframe").forEach(function (frame) {
  var doc = frame.contentDocument;
  if (!doc) { found.armed.push("unreadable frame " + frame.src); return; }
  doc.querySelectorAll("*").forEach(function (element) {
    Array.prototype.forEach.call(element.attributes, function (attribute) {
      var name = attribute.name.toLowerCase(), value = attribute.value;
      if (value.indexOf("__pwned") < 0) { return; }
      var lowered = value.replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
      if (name.indexOf("on") === 0
          || (urlAttributes.indexOf(name) >= 0 && /^(javascript|data|vbscript):/.test(lowered))
          || (name === "content" && lowered.indexOf("javascript:") >= 0)) {
        found.armed.push(frame.src + ": <" + element.tagName.toLowerCase() + " " + name + "=" + value.slice(0, 80) + ">");
      }
    });
  });
});
return found;
"#;

/// Opens `pages` (label, HTML) as frames of one page; returns the canary's calls and the armed
/// elements, each with the label of its page.
async fn open_frames(
    session: &Session,
    server: &Server,
    batch: usize,
    pages: &[(String, String)],
) -> (Vec<String>, Vec<String>) {
    let mut frames = String::new();
    for (i, (_, html)) in pages.iter().enumerate() {
        let path = format!("/pages/{batch}/{i}.html");
        server.page(&path, html);
        frames.push_str(&format!("<iframe src=\"{path}\" onload=\"window.__loaded++\"></iframe>\n"));
    }
    let wrapper = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><script>window.__loaded=0;</script></head><body>{frames}</body></html>"
    );
    let url = server.page(&format!("/wrapper-{batch}.html"), &wrapper);
    session.open(&url).await;
    session.wait_js(&format!("window.__loaded === {}", pages.len())).await;
    // Handlers of failed images and toggled details run right after load.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let found = session.exec(SCAN_JS, vec![]).await;
    let label = |frame: &str| -> String {
        let index: usize = frame.rsplit('/').next().unwrap().split('.').next().unwrap().parse().unwrap();
        pages[index].0.clone()
    };
    let hits = found["hits"].as_array().unwrap().iter().map(|h| label(h.as_str().unwrap())).collect();
    let armed = found["armed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let (frame, element) = a.as_str().unwrap().split_once(": ").unwrap();
            format!("{}: {element}", label(frame))
        })
        .collect();
    (hits, armed)
}

/// The detector itself: a page that does run a payload is seen (no test that cannot fail).
async fn assert_the_canary_is_live(session: &Session, server: &Server) {
    let control = with_canary("<img src=x onerror=__pwned()><a href=\" javascript:__pwned()\">x</a>");
    let (hits, armed) = open_frames(session, server, 999, &[("control".into(), control)]).await;
    assert_eq!((hits.len(), armed.len()), (1, 2), "the canary or the scan is broken: {hits:?} {armed:?}");
}

/// Opens every page of `builds` in Chromium, a hundred at a time as frames of one page.
async fn open_pages(session: &Session, server: &Server, builds: &[Built], tally: &mut Tally) {
    assert_the_canary_is_live(session, server).await;
    let mut pages: Vec<(String, String)> = Vec::new();
    for built in builds {
        for (page, html) in built.pages() {
            pages.push((format!("{} {}", built.what, page.display()), with_canary(&html)));
        }
    }
    for (batch, chunk) in pages.chunks(100).enumerate() {
        let (hits, armed) = open_frames(session, server, batch, chunk).await;
        for hit in &hits {
            eprintln!("EXECUTED: {hit}");
        }
        for element in &armed {
            eprintln!("ARMED: {element}");
        }
        tally.executions += hits.len() + armed.len();
        tally.pages += chunk.len();
    }
}

#[tokio::test]
async fn hostile_inputs_are_rejected_or_written_so_they_cannot_execute() {
    let payloads = payloads();
    assert!(payloads.len() >= 50, "the corpus has {} payloads", payloads.len());
    let work = tempfile::Builder::new().prefix("twt-injection-").tempdir().unwrap();
    let server = Server::start("injection");
    // A loopback origin whose paths all 404: a hostile --cdn-base path points there.
    let dead = server.url("dead");
    let dead = dead.trim_end_matches('/');
    let mut tally = Tally::default();

    let accepted_configs = config_keys(work.path(), &payloads, &mut tally);
    let mut builds = Vec::new();
    if !accepted_configs.is_empty() {
        let out = work.path().join("accepted-configs-out");
        let mut args: Vec<&std::ffi::OsStr> =
            vec!["build".as_ref(), "--out".as_ref(), out.as_os_str(), "--cdn-base".as_ref(), dead.as_ref()];
        for config in &accepted_configs {
            args.push("--config".as_ref());
            args.push(config.as_os_str());
        }
        builds.extend(build(&args, "accepted config values".into(), &out, &mut tally));
    }
    builds.extend(flags(work.path(), &payloads, dead, &mut tally));
    builds.extend(names(work.path(), &payloads, dead, &mut tally));
    assert!(!builds.is_empty());

    let session = Session::start().await;
    open_pages(&session, &server, &builds, &mut tally).await;
    session.close().await;

    let figure = format!(
        "injection-corpus: {} payloads × {} contexts: {} pairs tried (an argument cannot hold NUL), {} rejected with a diagnostic, {} builds; {} generated HTML pages opened in Chromium; executions: {}",
        payloads.len(),
        CONFIG_CONTEXTS.len() + 4 + 3,
        tally.tried,
        tally.rejected,
        tally.built,
        tally.pages,
        tally.executions
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("figures");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("injection-corpus.txt"), format!("{figure}\n")).unwrap();
    println!("{figure}");
    assert_eq!(tally.executions, 0, "{figure}");
}
