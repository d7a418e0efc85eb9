//! Checks that the host-sdk implements exactly the API of `src/api.rs`: the keys of its
//! `publicApi`, `methods` and `getters` object literals are the names of `api_surface::FUNCTIONS`,
//! `api_surface::METHODS` and `api_surface::GETTERS`, and every event it emits by name is an event of
//! `api_surface::EVENTS`. The event payloads and the runtime-callable methods need no check: the host-sdk
//! reads those from `BUILD`, which the build fills from the same tables.

use std::collections::BTreeMap;

use swc_core::common::sync::Lrc;
use swc_core::common::{Globals, SourceMap, GLOBALS};
use swc_core::ecma::ast::*;
use swc_core::ecma::visit::{Visit, VisitWith};

use super::js::parse_script;
use super::{assemble, BundleInputs};
use crate::render::api_surface;

#[derive(Default)]
struct Surface {
    /// Variable name → the keys of the object literal it is initialised with.
    objects: BTreeMap<String, Vec<String>>,
    /// First arguments of `emit("...")` calls.
    emitted: Vec<String>,
}

fn key_name(key: &PropName) -> Option<String> {
    match key {
        PropName::Ident(ident) => Some(ident.sym.to_string()),
        PropName::Str(s) => Some(s.value.to_string_lossy().into_owned()),
        _ => None,
    }
}

impl Visit for Surface {
    fn visit_var_declarator(&mut self, node: &VarDeclarator) {
        if let (Pat::Ident(name), Some(init)) = (&node.name, &node.init) {
            if let Expr::Object(object) = &**init {
                let keys = object
                    .props
                    .iter()
                    .filter_map(|prop| match prop {
                        PropOrSpread::Prop(prop) => match &**prop {
                            Prop::KeyValue(kv) => key_name(&kv.key),
                            Prop::Method(m) => key_name(&m.key),
                            Prop::Shorthand(ident) => Some(ident.sym.to_string()),
                            _ => None,
                        },
                        PropOrSpread::Spread(_) => None,
                    })
                    .collect();
                self.objects.insert(name.id.sym.to_string(), keys);
            }
        }
        node.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, node: &CallExpr) {
        if let Callee::Expr(callee) = &node.callee {
            if matches!(&**callee, Expr::Ident(ident) if ident.sym == *"emit") {
                if let Some(Expr::Lit(Lit::Str(name))) = node.args.first().map(|a| &*a.expr) {
                    self.emitted.push(name.value.to_string_lossy().into_owned());
                }
            }
        }
        node.visit_children_with(self);
    }
}

fn surface() -> Surface {
    let source = assemble(&BundleInputs { runtime_origin: "https://runtime.example".into() }, "");
    GLOBALS.set(&Globals::new(), || {
        let cm: Lrc<SourceMap> = Default::default();
        let program = parse_script(&cm, "core.src.js", &source).expect("the host-sdk parses");
        let mut surface = Surface::default();
        program.visit_with(&mut surface);
        surface
    })
}

fn sorted(names: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().map(Into::into).collect();
    names.sort();
    names
}

fn keys_of(surface: &Surface, variable: &str) -> Vec<String> {
    let keys = surface
        .objects
        .get(variable)
        .unwrap_or_else(|| panic!("templates/host-sdk/ declares no `var {variable} = {{...}}`"));
    sorted(keys.iter().cloned())
}

#[test]
fn the_public_api_object_has_the_functions_of_api_rs() {
    let names = sorted(api_surface::FUNCTIONS.iter().map(|f| f.name));
    assert_eq!(
        keys_of(&surface(), "publicApi"),
        names,
        "templates/host-sdk/api.js vs api_surface::FUNCTIONS"
    );
}

#[test]
fn the_methods_table_has_the_methods_of_api_rs() {
    let names = sorted(api_surface::METHODS.iter().map(|m| m.name));
    assert_eq!(
        keys_of(&surface(), "methods"),
        names,
        "templates/host-sdk/methods.js vs api_surface::METHODS"
    );
}

#[test]
fn the_getters_table_has_the_getters_of_api_rs() {
    let names = sorted(api_surface::GETTERS.iter().map(|g| g.name));
    assert_eq!(
        keys_of(&surface(), "getters"),
        names,
        "templates/host-sdk/getters.js vs api_surface::GETTERS"
    );
}

#[test]
fn every_event_emitted_by_name_is_a_host_event_of_api_rs() {
    let host_events: Vec<&str> = api_surface::EVENTS
        .iter()
        .filter(|e| matches!(e.detail, api_surface::Detail::Event { sent_by: api_surface::Sender::Host, .. }))
        .map(|e| e.name)
        .collect();
    let surface = surface();
    assert!(!surface.emitted.is_empty(), "no emit(\"...\") found: the check would prove nothing");
    for name in &surface.emitted {
        // bootstrap_failed is the runtime's event, which the host also emits on a timeout.
        let known = host_events.contains(&name.as_str()) || name == "bootstrap_failed";
        assert!(
            known,
            "the host-sdk emits {name:?}, which api_surface::EVENTS does not list as a host event"
        );
    }
    for name in host_events {
        assert!(
            surface.emitted.iter().any(|e| e == name),
            "api_surface::EVENTS lists {name}, which the host-sdk never emits"
        );
    }
}

/// The checker itself: a table with a key too many is reported.
#[test]
fn a_key_the_table_lacks_is_noticed() {
    let mut surface = surface();
    surface.objects.get_mut("methods").unwrap().push("teleport".into());
    let names = sorted(api_surface::METHODS.iter().map(|m| m.name));
    assert_ne!(keys_of(&surface, "methods"), names);
}
