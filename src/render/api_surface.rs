//! The widget's public JavaScript API, typed once: the functions of `window.TWTChatWidget`, the
//! methods of `call()`, the getters of `get()`, the events and their payload fields, and the
//! options of `window.__twt` with their types.
//!
//! The generated docs print these tables. The build hands the host-sdk what it checks at runtime
//! ([`bundle_tables`]: event payload shapes, the methods the runtime may request, option types),
//! the snippet's stub queues the functions marked for it, and `bundle::surface_check` fails the
//! tests when the host-sdk's own tables of functions, methods and getters differ from these.

use serde::Serialize;
use serde_json::{json, Map, Value as Json};

use crate::check::options;

#[derive(Serialize)]
pub struct Entry {
    pub name: &'static str,
    /// How to call it, or the payload an event carries.
    pub usage: &'static str,
    pub description: &'static str,
    /// What the host-sdk needs to know beyond the docs' text.
    #[serde(skip)]
    pub detail: Detail,
}

#[derive(Clone, Copy, Debug)]
pub enum Detail {
    Function {
        /// The snippet's stub records calls to it until core.js has loaded (then replayed).
        queued_by_stub: bool,
        /// Its parameters and result, for the integrators' TypeScript declarations.
        signature: Signature,
    },
    Method {
        /// The runtime may ask the host to run it (the bridge's `call` control message).
        runtime_may_call: bool,
        /// What `call(name, argument)` takes after the name; `None` for a method without one.
        argument: Option<Param>,
    },
    Getter {
        /// What `get(name)` returns.
        returns: Shape,
    },
    Event {
        sent_by: Sender,
        /// The payload's documented fields; empty for an event without payload.
        payload: &'static [Field],
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// The host-sdk emits it itself; a frame sending it is ignored.
    Host,
    /// The runtime sends it over the bridge; the host-sdk checks the payload, then re-dispatches.
    Runtime,
}

/// A function's parameters and result, as the integrators' TypeScript declarations type them.
#[derive(Clone, Copy, Debug)]
pub enum Signature {
    /// One overload per event of [`EVENTS`]: `(event, handler)`, the handler taking the payload;
    /// `off()` may leave the handler out.
    PerEvent {
        handler_optional: bool,
    },
    /// One overload per method of [`METHODS`]: `(method, argument)`.
    PerMethod,
    /// One overload per getter of [`GETTERS`], returning what it returns.
    PerGetter,
    /// The fields of [`LOGIN_FIELDS`] as arguments in order, or one object of them.
    Login,
    Plain {
        params: &'static [Param],
        returns: Shape,
    },
}

/// A named parameter.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub shape: Shape,
}

/// A value passed or returned: nothing, a value of a kind, or an object of fields.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    Nothing,
    Value(Kind),
    Object(&'static [Field]),
}

/// A payload field or a `window.__twt` option, and what values it takes.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// Without a usable value the event means nothing, so the host-sdk drops it.
    pub required: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Boolean,
    /// A finite number.
    Number,
    /// A whole number in CSS's integer range (z-index).
    Integer,
    /// Letters, digits, `-` and `_`, at most [`options::APPID_MAX_LEN`] characters.
    AppId,
    /// A language tag the locale table normalises.
    Locale,
    OneOf(&'static [&'static str]),
}

impl Kind {
    /// How the bundle spells the type: `string`, `boolean`, `number`, `integer`, `appid`,
    /// `locale`, or the allowed values joined with `|`.
    pub fn bundle_form(self) -> String {
        match self {
            Kind::Text => "string".into(),
            Kind::Boolean => "boolean".into(),
            Kind::Number => "number".into(),
            Kind::Integer => "integer".into(),
            Kind::AppId => "appid".into(),
            Kind::Locale => "locale".into(),
            Kind::OneOf(values) => values.join("|"),
        }
    }
}

impl Field {
    /// The field as the bundle spells it: `name`, then `:type` unless it is a string, then `!`
    /// when it is required (`count:number!`, `source:initial|resolved`, `bs`).
    pub fn bundle_form(&self) -> String {
        let mut form = self.name.to_string();
        if self.kind != Kind::Text {
            form.push(':');
            form.push_str(&self.kind.bundle_form());
        }
        if self.required {
            form.push('!');
        }
        form
    }
}

/// Fields in the bundle's compact form, separated by spaces (parsed by the host-sdk's
/// `fieldsOf`): 29 fields cost a third of what JSON arrays do after gzip.
fn bundle_fields(fields: &[Field]) -> String {
    fields.iter().map(Field::bundle_form).collect::<Vec<_>>().join(" ")
}

const fn field(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: false }
}

const fn required(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: true }
}

const fn function(
    name: &'static str,
    usage: &'static str,
    description: &'static str,
    queued_by_stub: bool,
    signature: Signature,
) -> Entry {
    Entry { name, usage, description, detail: Detail::Function { queued_by_stub, signature } }
}

const fn method(
    name: &'static str,
    usage: &'static str,
    description: &'static str,
    runtime_may_call: bool,
    argument: Option<Param>,
) -> Entry {
    Entry { name, usage, description, detail: Detail::Method { runtime_may_call, argument } }
}

const fn getter(name: &'static str, usage: &'static str, description: &'static str, returns: Shape) -> Entry {
    Entry { name, usage, description, detail: Detail::Getter { returns } }
}

const fn param(name: &'static str, shape: Shape) -> Param {
    Param { name, shape }
}

const NO_RESULT: Signature = Signature::Plain { params: &[], returns: Shape::Nothing };

const fn event(
    name: &'static str,
    sent_by: Sender,
    payload: &'static [Field],
    usage: &'static str,
    description: &'static str,
) -> Entry {
    Entry { name, usage, description, detail: Detail::Event { sent_by, payload } }
}

pub const FUNCTIONS: &[Entry] = &[
    function(
        "on",
        "on(event, handler)",
        "Registers an event listener; queued by the install snippet before core.js loads.",
        true,
        Signature::PerEvent { handler_optional: false },
    ),
    function(
        "once",
        "once(event, handler)",
        "Registers a listener that runs once; queued by the snippet.",
        true,
        Signature::PerEvent { handler_optional: false },
    ),
    function(
        "off",
        "off(event, handler?)",
        "Removes a listener (the same function reference), or all of an event's listeners without a handler.",
        true,
        Signature::PerEvent { handler_optional: true },
    ),
    function(
        "call",
        "call(method, payload?)",
        "Calls a widget method (below); recommended after `initialized`.",
        true,
        Signature::PerMethod,
    ),
    function(
        "get",
        "get(getter)",
        "Reads state synchronously; throws before init() has completed.",
        false,
        Signature::PerGetter,
    ),
    function("init", "init()", "Initializes manually (asyncInit); idempotent.", true, NO_RESULT),
    function(
        "login",
        "login(sbs, sbs_mm, ranstr, name?, nickname?, email?, phone?)",
        "Reloads the widget with a business user identity.",
        true,
        Signature::Login,
    ),
    function(
        "logout",
        "logout()",
        "Extension of the spec: same as call('logout'), for shared devices.",
        true,
        NO_RESULT,
    ),
    function(
        "setLanguage",
        "setLanguage(locale)",
        "Same as call('set_language', locale).",
        true,
        Signature::Plain { params: &[param("locale", Shape::Value(Kind::Locale))], returns: Shape::Nothing },
    ),
    function(
        "scriptTagVersion",
        "scriptTagVersion()",
        "The snippet version from the install script; available as soon as core.js has loaded.",
        false,
        Signature::Plain { params: &[], returns: Shape::Value(Kind::Text) },
    ),
];

pub const METHODS: &[Entry] = &[
    method("maximize", "call(\"maximize\")", "Expands the chat panel.", true, None),
    method(
        "minimize",
        "call(\"minimize\")",
        "Minimizes the panel; only the built-in launcher stays visible.",
        true,
        None,
    ),
    method("hide", "call(\"hide\")", "Hides the entire widget; the iframes stay mounted.", true, None),
    method("show", "call(\"show\")", "Restores the widget from hidden to minimized.", true, None),
    method("toggle", "call(\"toggle\")", "Toggles between maximized and minimized.", true, None),
    method(
        "destroy",
        "call(\"destroy\")",
        "Removes the iframes, listeners and marketing-card surface, and forgets a login(); a later init() starts afresh.",
        false,
        None,
    ),
    method(
        "login",
        "call(\"login\", { sbs, sbs_mm, ranstr, name?, nickname?, email?, phone? })",
        "Reloads the widget with a business user identity; sbs, sbs_mm and ranstr are required.",
        false,
        Some(param("user", Shape::Object(LOGIN_FIELDS))),
    ),
    method(
        "logout",
        "call(\"logout\")",
        "Extension of the spec: forgets the business user and the visitor identity stored on this device (localStorage and cookie), then reloads the widget as a new visitor.",
        false,
        None,
    ),
    method(
        "set_language",
        "call(\"set_language\", \"en\")",
        "Switches the runtime language (normalised first).",
        false,
        Some(param("locale", Shape::Value(Kind::Locale))),
    ),
    method(
        "set_theme",
        "call(\"set_theme\", \"dark\")",
        "Switches the theme: light, dark or system.",
        false,
        Some(param("theme", Shape::Value(OneOf(options::THEMES)))),
    ),
];

pub const GETTERS: &[Entry] = &[
    getter(
        "state",
        "{ visibility: 'maximized' | 'minimized' | 'hidden' }",
        "Current visibility.",
        Shape::Object(&[required("visibility", OneOf(VISIBILITIES))]),
    ),
    getter(
        "sdk_info",
        "{ version, scriptTagVersion, compatibilityMode: 'off', transport: 'mixed' }",
        "SDK version and runtime information.",
        Shape::Object(&[
            required("version", Text),
            required("scriptTagVersion", Text),
            required("compatibilityMode", OneOf(&["off"])),
            required("transport", OneOf(&["mixed"])),
        ]),
    ),
    getter(
        "unread_count",
        "number",
        "Cached unread count; 0 until the runtime reports one.",
        Shape::Value(Number),
    ),
    getter(
        "theme",
        "'light' | 'dark' | 'system'",
        "Current SDK-side theme.",
        Shape::Value(OneOf(options::THEMES)),
    ),
];

const SURFACES: &[&str] = &["launcher", "card", "panel"];
const VISIBILITIES: &[&str] = &["maximized", "minimized", "hidden"];
const STATUSES: &[&str] = &["disconnected", "connecting", "connected", "reconnecting"];

use Kind::{Boolean, Number, OneOf, Text};
use Sender::{Host, Runtime};

pub const EVENTS: &[Entry] = &[
    event("initialized", Host, &[], "none", "host-sdk init() completed."),
    event(
        "iframe_loaded",
        Host,
        &[required("surface", OneOf(SURFACES))],
        "{ surface }",
        "An iframe finished loading (diagnostics only).",
    ),
    event("bridge_ready", Runtime, &[], "none", "The runtime bridge accepts commands."),
    event("runtime_mounted", Runtime, &[], "none", "The runtime has mounted."),
    event(
        "visitor_auth_ready",
        Runtime,
        &[
            field("bs", Text),
            field("bs_mm", Text),
            field("fk_id", Text),
            field("fkid", Text),
            field("hasToken", Boolean),
            field("source", OneOf(&["initial", "resolved"])),
            field("visitorUid", Text),
        ],
        "{ bs, bs_mm, fk_id, fkid, hasToken, source, visitorUid }",
        "The visitor identity was resolved or restored.",
    ),
    event(
        "runtime_activated",
        Runtime,
        &[],
        "none",
        "First activation completed; the initial session list is resolved.",
    ),
    event("destroyed", Host, &[], "none", "The widget was destroyed."),
    event(
        "visibility_changed",
        Host,
        &[required("visibility", OneOf(VISIBILITIES))],
        "{ visibility }",
        "Visibility really changed.",
    ),
    event(
        "connection_state_changed",
        Runtime,
        &[required("status", OneOf(STATUSES))],
        "{ status }",
        "Connection status changed: disconnected, connecting, connected, reconnecting.",
    ),
    event(
        "session_connected",
        Runtime,
        &[required("status", OneOf(&["connected"]))],
        "{ status: 'connected' }",
        "WebSocket connected.",
    ),
    event(
        "session_disconnected",
        Runtime,
        &[required("status", OneOf(STATUSES))],
        "{ status }",
        "WebSocket disconnected or reconnecting.",
    ),
    event(
        "auth_closed",
        Runtime,
        &[
            field("message", Text),
            field("reason", Text),
            field("source", Text),
            field("clearToken", Boolean),
            field("closeAuthType", Text),
            field("closeCode", Number),
            field("terminal", Text),
        ],
        "{ message, reason, source, clearToken, closeAuthType, closeCode, terminal }",
        "The server closed visitor authentication; the widget is hidden first.",
    ),
    event(
        "bootstrap_failed",
        Runtime,
        &[field("reason", Text), field("source", Text), field("mode", OneOf(&["embedded"]))],
        "{ reason, source, mode: 'embedded' }",
        "Embedded start-up failed (domain_not_whitelisted, login_failed, invalid_bootstrap, timeout); the widget is hidden and cleaned up.",
    ),
    event(
        "unread_count_changed",
        Runtime,
        &[required("count", Number)],
        "{ count }",
        "Unread count changed.",
    ),
];

/// The fields of `login(...)`, in the order of its arguments; the first three, the signature, are
/// required (the host-sdk refuses a login without them).
pub const LOGIN_FIELDS: &[Field] = &[
    required("sbs", Text),
    required("sbs_mm", Text),
    required("ranstr", Text),
    field("name", Text),
    field("nickname", Text),
    field("email", Text),
    field("phone", Text),
];

/// The options of `window.__twt` (and of the external snippet's `data-` attributes), as the
/// host-sdk checks them: the config keys of [`options::RULES`] that it reads, then the
/// per-visitor and per-page fields of [`options::RUNTIME_ONLY`].
pub const OPTIONS: &[Field] = &[
    field("appid", Kind::AppId),
    field("theme", OneOf(options::THEMES)),
    field("launcher", OneOf(options::LAUNCHERS)),
    field("zIndex", Kind::Integer),
    field("language", Kind::Locale),
    field("asyncInit", Boolean),
    field("sbs", Text),
    field("sbs_mm", Text),
    field("ranstr", Text),
    field("name", Text),
    field("nickname", Text),
    field("email", Text),
    field("phone", Text),
    field("referer", Text),
    field("source_title", Text),
];

fn event_payload(entry: &Entry) -> Option<(Sender, &'static [Field])> {
    match entry.detail {
        Detail::Event { sent_by, payload } => Some((sent_by, payload)),
        _ => None,
    }
}

/// The names of the functions the snippet's stub queues until core.js has loaded.
pub fn stub_queued_functions() -> impl Iterator<Item = &'static str> {
    FUNCTIONS
        .iter()
        .filter(|f| matches!(f.detail, Detail::Function { queued_by_stub: true, .. }))
        .map(|f| f.name)
}

/// What the host-sdk reads from `BUILD` about its API (fields in the form of [`bundle_fields`]):
/// - `events`: for each event the runtime sends, its fields;
/// - `hostEvents`: the events the host-sdk emits itself;
/// - `runtimeMethods`: the methods the runtime may request with a `call` message;
/// - `options`: the `window.__twt` options and their types;
/// - `loginFields`: the arguments of `login(...)`.
pub fn bundle_tables() -> Map<String, Json> {
    let mut events = Map::new();
    let mut host_events = Vec::new();
    for entry in EVENTS {
        match event_payload(entry) {
            Some((Sender::Runtime, payload)) => {
                events.insert(entry.name.to_string(), Json::from(bundle_fields(payload)));
            }
            Some((Sender::Host, _)) => host_events.push(entry.name),
            None => {}
        }
    }
    let runtime_methods: Vec<&str> = METHODS
        .iter()
        .filter(|m| matches!(m.detail, Detail::Method { runtime_may_call: true, .. }))
        .map(|m| m.name)
        .collect();
    let mut tables = Map::new();
    tables.insert("events".into(), Json::Object(events));
    tables.insert("hostEvents".into(), json!(host_events));
    tables.insert("runtimeMethods".into(), json!(runtime_methods));
    tables.insert("options".into(), json!(bundle_fields(OPTIONS)));
    tables.insert("loginFields".into(), json!(LOGIN_FIELDS.iter().map(|f| f.name).collect::<Vec<_>>()));
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(entries: &[Entry]) -> Vec<&'static str> {
        entries.iter().map(|e| e.name).collect()
    }

    #[test]
    fn every_entry_has_the_detail_of_its_table() {
        assert!(FUNCTIONS.iter().all(|e| matches!(e.detail, Detail::Function { .. })));
        assert!(METHODS.iter().all(|e| matches!(e.detail, Detail::Method { .. })));
        assert!(GETTERS.iter().all(|e| matches!(e.detail, Detail::Getter { .. })));
        assert!(EVENTS.iter().all(|e| matches!(e.detail, Detail::Event { .. })));
    }

    #[test]
    fn names_are_unique_in_each_table() {
        for table in [FUNCTIONS, METHODS, GETTERS, EVENTS] {
            let mut seen = names(table);
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), table.len(), "{:?}", names(table));
        }
    }

    /// The field names of a docs' column such as `{ a, b: 'x' }`; none for `none`.
    fn documented_fields(usage: &str) -> Vec<&str> {
        if usage == "none" {
            return Vec::new();
        }
        let inner = usage.trim_start_matches('{').trim_end_matches('}');
        inner.split(',').map(|part| part.split(':').next().unwrap().trim()).collect()
    }

    /// The docs' payload column (`{ a, b: 'x' }` or `none`) names exactly the typed fields.
    #[test]
    fn each_event_usage_names_its_payload_fields() {
        for entry in EVENTS {
            let (_, payload) = event_payload(entry).unwrap();
            let typed: Vec<&str> = payload.iter().map(|f| f.name).collect();
            assert_eq!(documented_fields(entry.usage), typed, "{}: {}", entry.name, entry.usage);
        }
    }

    /// The docs' "returns" column shows what the d.ts declares a getter returns.
    #[test]
    fn each_getter_usage_shows_what_it_returns() {
        for entry in GETTERS {
            let Detail::Getter { returns } = entry.detail else { unreachable!() };
            match returns {
                Shape::Object(fields) => {
                    let typed: Vec<&str> = fields.iter().map(|f| f.name).collect();
                    assert_eq!(documented_fields(entry.usage), typed, "{}", entry.name);
                }
                Shape::Value(OneOf(values)) => {
                    let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
                    assert_eq!(entry.usage, quoted.join(" | "), "{}", entry.name);
                }
                Shape::Value(kind) => assert_eq!(entry.usage, kind.bundle_form(), "{}", entry.name),
                Shape::Nothing => panic!("{}: a getter returns something", entry.name),
            }
        }
    }

    /// A function's usage names the parameters its typed signature has.
    #[test]
    fn each_plain_function_usage_names_its_parameters() {
        for entry in FUNCTIONS {
            let Detail::Function { signature: Signature::Plain { params, .. }, .. } = entry.detail else {
                continue;
            };
            let names: Vec<&str> = params.iter().map(|p| p.name).collect();
            assert_eq!(entry.usage, format!("{}({})", entry.name, names.join(", ")));
        }
    }

    /// A method's usage passes an argument exactly when its typed signature takes one.
    #[test]
    fn each_method_usage_passes_an_argument_when_it_takes_one() {
        for entry in METHODS {
            let Detail::Method { argument, .. } = entry.detail else { unreachable!() };
            assert_eq!(entry.usage.contains(", "), argument.is_some(), "{}", entry.usage);
        }
    }

    /// Every config key the widget reads and every runtime-only field of rules.rs has a type here,
    /// in that order.
    #[test]
    fn options_are_the_config_keys_and_the_runtime_only_fields() {
        let expected: Vec<&str> = options::RULES
            .iter()
            .filter(|r| r.read_by == options::Reader::Widget)
            .map(|r| r.key)
            .chain(options::RUNTIME_ONLY.iter().map(|(name, _)| *name))
            .collect();
        let typed: Vec<&str> = OPTIONS.iter().map(|o| o.name).collect();
        assert_eq!(typed, expected);
    }

    /// The compact form stays unambiguous: no name or value holds a separator.
    #[test]
    fn names_and_values_hold_no_separator_of_the_bundle_form() {
        let payloads = EVENTS.iter().filter_map(event_payload).flat_map(|(_, fields)| fields.iter());
        for field in payloads.chain(OPTIONS) {
            let values = match field.kind {
                Kind::OneOf(values) => values.to_vec(),
                _ => Vec::new(),
            };
            for text in values.iter().chain([&field.name]) {
                assert!(!text.contains([' ', ':', '|', '!']) && !text.is_empty(), "{text:?}");
            }
        }
    }

    /// login()'s arguments are the first runtime-only fields of rules.rs, and its usage lists them.
    #[test]
    fn login_fields_are_the_per_user_fields_in_argument_order() {
        let per_user: Vec<&str> =
            options::RUNTIME_ONLY.iter().map(|(name, _)| *name).take(LOGIN_FIELDS.len()).collect();
        let login_fields: Vec<&str> = LOGIN_FIELDS.iter().map(|f| f.name).collect();
        assert_eq!(per_user, login_fields);
        // The host-sdk requires the first three (`index < 3` in businessUserFrom).
        let required: Vec<bool> = LOGIN_FIELDS.iter().map(|f| f.required).collect();
        assert_eq!(required, [true, true, true, false, false, false, false]);
        let login = FUNCTIONS.iter().find(|f| f.name == "login").unwrap();
        let arguments: Vec<&str> = login.usage["login(".len()..login.usage.len() - 1].split(", ").collect();
        let typed: Vec<String> =
            LOGIN_FIELDS.iter().map(|f| format!("{}{}", f.name, if f.required { "" } else { "?" })).collect();
        assert_eq!(arguments, typed);
    }

    #[test]
    fn the_bundle_gets_runtime_events_with_fields_and_the_rest_by_name() {
        let tables = bundle_tables();
        assert_eq!(tables["events"]["unread_count_changed"], json!("count:number!"));
        assert_eq!(tables["events"]["bridge_ready"], json!(""));
        assert_eq!(
            tables["events"]["visitor_auth_ready"],
            json!("bs bs_mm fk_id fkid hasToken:boolean source:initial|resolved visitorUid")
        );
        assert_eq!(
            tables["hostEvents"],
            json!(["initialized", "iframe_loaded", "destroyed", "visibility_changed"])
        );
        assert_eq!(tables["runtimeMethods"], json!(["maximize", "minimize", "hide", "show", "toggle"]));
        let options = tables["options"].as_str().unwrap();
        assert!(
            options
                .starts_with("appid:appid theme:light|dark|system launcher:default|custom zIndex:integer "),
            "{options}"
        );
        assert_eq!(
            tables["events"].as_object().unwrap().len() + tables["hostEvents"].as_array().unwrap().len(),
            EVENTS.len()
        );
    }
}
