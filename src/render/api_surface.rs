//! The widget's public JavaScript API, as the spec documents it: one source for the generated
//! docs' reference section.

use serde::Serialize;

#[derive(Serialize)]
pub struct Entry {
    pub name: &'static str,
    /// How to call it, or the payload an event carries.
    pub usage: &'static str,
    pub description: &'static str,
}

const fn entry(name: &'static str, usage: &'static str, description: &'static str) -> Entry {
    Entry { name, usage, description }
}

pub const FUNCTIONS: &[Entry] = &[
    entry(
        "on",
        "on(event, handler)",
        "Registers an event listener; queued by the install snippet before core.js loads.",
    ),
    entry("once", "once(event, handler)", "Registers a listener that runs once; queued by the snippet."),
    entry(
        "off",
        "off(event, handler?)",
        "Removes a listener (the same function reference), or all of an event's listeners without a handler.",
    ),
    entry(
        "call",
        "call(method, payload?)",
        "Calls a widget method (below); recommended after `initialized`.",
    ),
    entry("get", "get(getter)", "Reads state synchronously; throws before init() has completed."),
    entry("init", "init()", "Initializes manually (asyncInit); idempotent."),
    entry(
        "login",
        "login(sbs, sbs_mm, ranstr, name?, nickname?, email?, phone?)",
        "Reloads the widget with a business user identity.",
    ),
    entry("setLanguage", "setLanguage(locale)", "Same as call('set_language', locale)."),
    entry(
        "scriptTagVersion",
        "scriptTagVersion()",
        "The snippet version from the install script; available as soon as core.js has loaded.",
    ),
];

pub const METHODS: &[Entry] = &[
    entry("maximize", "call(\"maximize\")", "Expands the chat panel."),
    entry("minimize", "call(\"minimize\")", "Minimizes the panel; only the built-in launcher stays visible."),
    entry("hide", "call(\"hide\")", "Hides the entire widget; the iframes stay mounted."),
    entry("show", "call(\"show\")", "Restores the widget from hidden to minimized."),
    entry("toggle", "call(\"toggle\")", "Toggles between maximized and minimized."),
    entry(
        "destroy",
        "call(\"destroy\")",
        "Removes the iframes, listeners and marketing-card surface; a later init() starts afresh.",
    ),
    entry(
        "login",
        "call(\"login\", { sbs, sbs_mm, ranstr, name?, nickname?, email?, phone? })",
        "Reloads the widget with a business user identity; sbs, sbs_mm and ranstr are required.",
    ),
    entry(
        "set_language",
        "call(\"set_language\", \"en\")",
        "Switches the runtime language (normalised first).",
    ),
    entry("set_theme", "call(\"set_theme\", \"dark\")", "Switches the theme: light, dark or system."),
];

pub const GETTERS: &[Entry] = &[
    entry("state", "{ visibility: 'maximized' | 'minimized' | 'hidden' }", "Current visibility."),
    entry(
        "sdk_info",
        "{ version, scriptTagVersion, compatibilityMode: 'off', transport: 'mixed' }",
        "SDK version and runtime information.",
    ),
    entry("unread_count", "number", "Cached unread count; 0 until the runtime reports one."),
    entry("theme", "'light' | 'dark' | 'system'", "Current SDK-side theme."),
];

pub const EVENTS: &[Entry] = &[
    entry("initialized", "none", "host-sdk init() completed."),
    entry("iframe_loaded", "{ surface }", "An iframe finished loading (diagnostics only)."),
    entry("bridge_ready", "none", "The runtime bridge accepts commands."),
    entry("runtime_mounted", "none", "The runtime has mounted."),
    entry("visitor_auth_ready", "{ bs, bs_mm, fk_id, fkid, hasToken, source, visitorUid }", "The visitor identity was resolved or restored."),
    entry("runtime_activated", "none", "First activation completed; the initial session list is resolved."),
    entry("destroyed", "none", "The widget was destroyed."),
    entry("visibility_changed", "{ visibility }", "Visibility really changed."),
    entry("connection_state_changed", "{ status }", "Connection status changed: disconnected, connecting, connected, reconnecting."),
    entry("session_connected", "{ status: 'connected' }", "WebSocket connected."),
    entry("session_disconnected", "{ status }", "WebSocket disconnected or reconnecting."),
    entry("auth_closed", "{ message, reason, source, clearToken, closeAuthType, closeCode, terminal }", "The server closed visitor authentication; the widget is hidden first."),
    entry("bootstrap_failed", "{ reason, source, mode: 'embedded' }", "Embedded start-up failed (domain_not_whitelisted, login_failed, invalid_bootstrap, timeout); the widget is hidden and cleaned up."),
    entry("unread_count_changed", "{ count }", "Unread count changed."),
];
