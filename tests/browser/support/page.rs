//! Test pages: an HTML skeleton whose first script records console errors and warnings, uncaught
//! errors, unhandled rejections, failed resource loads (an SRI mismatch shows up here) and CSP
//! violations into `window.__log`, read back by `Session::console()`.

/// The recorder, run as the first script of every harness page. Entries: `{level, message}`,
/// level one of `error`, `warn`, `uncaught`, `unhandledrejection`, `resource`, `csp`.
pub const RECORDER_JS: &str = r#"(function () {
  if (window.__log) return;
  var log = (window.__log = []);
  // An Error of another realm fails instanceof: in Firefox, scripts run through WebDriver
  // live in a sandbox with its own Error.
  function text(a) {
    try {
      if (a instanceof Error || Object.prototype.toString.call(a) === "[object Error]") return a.name + ": " + a.message;
      if (a && typeof a === "object") return JSON.stringify(a);
    } catch (e) {}
    return String(a);
  }
  ["error", "warn"].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(text(arguments[i]));
      log.push({ level: level, message: parts.join(" ") });
      return original.apply(console, arguments);
    };
  });
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) {
      log.push({ level: "resource", message: "failed to load <" + t.tagName.toLowerCase() + "> " + (t.src || t.href || "") });
    } else {
      log.push({ level: "uncaught", message: String(e.message) + (e.filename ? " at " + e.filename + ":" + e.lineno : "") });
    }
  }, true);
  window.addEventListener("unhandledrejection", function (e) {
    log.push({ level: "unhandledrejection", message: text(e.reason) });
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    log.push({ level: "csp", message: e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + (e.sourceFile ? " (" + e.sourceFile + ":" + e.lineNumber + ")" : "") });
  }, true);
})();"#;

/// A test page. `head` goes after the recorder and BEFORE the snippet (meta tags, stubs, policies),
/// `body` after it (scripts here run once the snippet has run). Build it with [`Page::new`] and
/// render with [`Page::render`]; `Fixture::page_with` fills in the snippet and serves it.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub head: String,
    pub body: String,
    /// Response headers, e.g. `Content-Security-Policy`.
    pub headers: Vec<(String, String)>,
    /// A `nonce` attribute for the recorder and every `<script` tag of the snippet, as a customer
    /// whose CSP allows only nonced scripts would write it. (To test a snippet WITHOUT the nonce,
    /// put it in `head` yourself and use `without_snippet`.)
    pub nonce: Option<String>,
    /// Leave the install snippet out (a page that loads core.js its own way).
    pub no_snippet: bool,
    /// The snippet of this customer (appid) instead of the fixture's first one.
    pub appid: Option<String>,
    /// A snippet variant from manifest.json (`customers[i].snippets`), e.g. `external`.
    pub variant: Option<String>,
    /// A whole document instead of the skeleton; `{{recorder}}` and `{{snippet}}` are replaced.
    pub raw: Option<String>,
}

impl Page {
    pub fn new() -> Page {
        Page::default()
    }

    pub fn head(mut self, html: &str) -> Page {
        self.head.push_str(html);
        self
    }

    pub fn body(mut self, html: &str) -> Page {
        self.body.push_str(html);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Page {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the `Content-Security-Policy` response header.
    pub fn csp(self, policy: &str) -> Page {
        self.header("Content-Security-Policy", policy)
    }

    pub fn nonce(mut self, nonce: &str) -> Page {
        self.nonce = Some(nonce.to_string());
        self
    }

    pub fn without_snippet(mut self) -> Page {
        self.no_snippet = true;
        self
    }

    pub fn appid(mut self, appid: &str) -> Page {
        self.appid = Some(appid.to_string());
        self
    }

    pub fn variant(mut self, name: &str) -> Page {
        self.variant = Some(name.to_string());
        self
    }

    pub fn raw(mut self, document: &str) -> Page {
        self.raw = Some(document.to_string());
        self
    }

    /// The recorder as an inline `<script>` tag (with the page's nonce, if any).
    pub fn recorder_tag(&self) -> String {
        let nonce = match &self.nonce {
            Some(n) => format!(" nonce=\"{n}\""),
            None => String::new(),
        };
        format!("<script{nonce}>{RECORDER_JS}</script>")
    }

    /// The HTML document, with `snippet` in the head (unless `without_snippet`).
    pub fn render(&self, snippet: &str) -> String {
        let nonced;
        let snippet = match (&self.nonce, self.no_snippet) {
            (_, true) => "",
            (Some(n), false) => {
                nonced = snippet.replace("<script", &format!("<script nonce=\"{n}\""));
                &nonced
            }
            (None, false) => snippet,
        };
        if let Some(raw) = &self.raw {
            return raw.replace("{{recorder}}", &self.recorder_tag()).replace("{{snippet}}", snippet);
        }
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>twt test page</title>\n\
             {recorder}\n{head}\n{snippet}\n</head>\n<body>\n{body}\n</body>\n</html>\n",
            recorder = self.recorder_tag(),
            head = self.head,
            body = self.body,
        )
    }
}

/// A page with `snippet` in its head: the recorder, `extra_head`, the snippet, then `body`.
pub fn page_with_snippet(snippet: &str, extra_head: &str, body: &str) -> String {
    Page::new().head(extra_head).body(body).render(snippet)
}

/// The one event recorder of the browser tests, run before the snippet: through the stub (the
/// spec's minimal one unless the page defined another first) it registers a handler for every
/// event of the API table (`twt_gen::render::api_surface::EVENTS`). Each dispatch is pushed to
/// `window.__ev` as `{type, data, none, vis, t}`: `data` a JSON copy of the payload (null when
/// there was none, then `none` is true), `vis` what `get("state").visibility` answered inside
/// the handler (null when get threw), `t` its `performance.now()` and `at` its `Date.now()`. `__n(type, key?, value?)`
/// counts recorded events (whose `data[key] === value`).
pub fn event_recorder_js() -> String {
    let events: Vec<&str> = twt_gen::render::api_surface::EVENTS.iter().map(|e| e.name).collect();
    let events = serde_json::to_string(&events).unwrap();
    format!(
        r#"window.__ev = [];
window.__n = function (t, k, v) {{
  return window.__ev.filter(function (e) {{ return e.type === t && (k === undefined || (e.data && e.data[k]) === v); }}).length;
}};
window.TWTChatWidget = window.TWTChatWidget || {{ _q: [], on: function () {{ this._q.push(["on", Array.prototype.slice.call(arguments)]); }} }};
{events}.forEach(function (t) {{
  window.TWTChatWidget.on(t, function (p) {{
    var vis = null;
    try {{ vis = window.TWTChatWidget.get("state").visibility; }} catch (e) {{}}
    window.__ev.push({{ type: t, data: p === undefined ? null : JSON.parse(JSON.stringify(p)), none: p === undefined, vis: vis, t: performance.now(), at: Date.now() }});
  }});
}});"#
    )
}

/// [`event_recorder_js`] as an inline `<script>` for a page's head (with a nonce for a CSP that
/// allows only nonced scripts).
pub fn event_recorder(nonce: Option<&str>) -> String {
    let nonce = nonce.map(|n| format!(" nonce=\"{n}\"")).unwrap_or_default();
    format!("<script{nonce}>\n{}\n</script>", event_recorder_js())
}

/// Captures console.log lines into `window.__logs` (the spec's scenarios log to the console).
pub const LOG_CAPTURE: &str = r#"<script>
window.__logs = [];
(function (log) {
  console.log = function () {
    window.__logs.push(Array.prototype.map.call(arguments, String).join(" "));
    return log.apply(console, arguments);
  };
})(console.log);
</script>"#;
