//! Everything twt-gen ships besides its code, embedded so the binary works from any folder.

/// The host-sdk's source files, in the order the bundle concatenates them (each may use what the
/// earlier ones declare; function declarations are hoisted, so only top-level code cares).
pub const HOST_SDK_JS: &[(&str, &str)] = &[
    (
        "diagnostics.js",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/diagnostics.js")),
    ),
    ("types.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/types.js"))),
    ("config.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/config.js"))),
    ("language.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/language.js"))),
    ("storage.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/storage.js"))),
    ("events.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/events.js"))),
    ("bridge.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/bridge.js"))),
    ("frames.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/frames.js"))),
    ("methods.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/methods.js"))),
    ("getters.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/getters.js"))),
    ("lifecycle.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/lifecycle.js"))),
    ("api.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/api.js"))),
];
pub const HOST_SDK_CSS: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/host-sdk/widget.css"));

/// The install snippet's variants and their shared parts (minijinja), by template name.
pub const SNIPPETS: &[(&str, &str)] = &[
    (
        "snippet/external.html",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/snippet/external.html.j2")),
    ),
    (
        "snippet/lazy.html",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/snippet/lazy.html.j2")),
    ),
    (
        "snippet/load-script.js",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/snippet/load-script.js.j2")),
    ),
    (
        "snippet/manual-init.html",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/snippet/manual-init.html.j2")),
    ),
    (
        "snippet/standard.html",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/snippet/standard.html.j2")),
    ),
    ("snippet/stub.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/snippet/stub.js.j2"))),
];

/// The integration docs (minijinja).
pub const INTEGRATION_MD: (&str, &str) = (
    "docs/INTEGRATION.md",
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/docs/INTEGRATION.md.j2")),
);

/// The integration docs as a page: `body_html` is pulldown-cmark's rendering of the Markdown.
pub const INTEGRATION_HTML: (&str, &str) = (
    "docs/integration.html",
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/docs/integration.html.j2")),
);

/// The operator's checklist for one build, `PUBLISHING.md` (minijinja).
pub const PUBLISHING_MD: (&str, &str) = (
    "publishing/PUBLISHING.md",
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/publishing/PUBLISHING.md.j2")),
);

/// The dev runtime's files, as the runtime origin serves them (path relative to its root).
pub const DEV_RUNTIME: &[(&str, &str)] = &[
    ("card.html", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/dev-runtime/card.html"))),
    (
        "launcher.html",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/dev-runtime/launcher.html")),
    ),
    ("panel.html", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/dev-runtime/panel.html"))),
    ("runtime.css", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/dev-runtime/runtime.css"))),
    ("runtime.js", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/dev-runtime/runtime.js"))),
];
