//! Checks that shipped JavaScript stays within ES2018 and avoids APIs that strict CSPs and
//! Trusted Types forbid. swc's target setting does not lower syntax, so the build checks it.

use swc_core::common::sync::Lrc;
use swc_core::common::{Globals, SourceMap, Span, Spanned, GLOBALS};
use swc_core::ecma::ast::*;
use swc_core::ecma::visit::{Visit, VisitWith};

use super::js::parse_script;

/// Lists every construct in `source` newer than ES2018 or forbidden in the host-sdk, as
/// `line:col: what` strings; empty when the script is fine.
pub fn check(name: &str, source: &str) -> Result<Vec<String>, String> {
    GLOBALS.set(&Globals::new(), || {
        let cm: Lrc<SourceMap> = Default::default();
        let program = parse_script(&cm, name, source)?;
        let mut checker = Checker { cm: &cm, problems: Vec::new() };
        program.visit_with(&mut checker);
        Ok(checker.problems)
    })
}

struct Checker<'a> {
    cm: &'a Lrc<SourceMap>,
    problems: Vec<String>,
}

impl Checker<'_> {
    fn report(&mut self, span: Span, what: &str) {
        let place = self.cm.lookup_char_pos(span.lo);
        self.problems.push(format!("{}:{}: {what}", place.line, place.col_display + 1));
    }
}

fn is_ident(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Ident(ident) if ident.sym == *name)
}

fn member_named(expr: &Expr, object: &str, property: &str) -> bool {
    match expr {
        Expr::Member(member) => {
            let prop = matches!(&member.prop, MemberProp::Ident(p) if p.sym == *property);
            prop && (is_ident(&member.obj, object) || member_named(&member.obj, "window", object))
        }
        _ => false,
    }
}

impl Visit for Checker<'_> {
    fn visit_opt_chain_expr(&mut self, node: &OptChainExpr) {
        self.report(node.span, "optional chaining `?.` is ES2020");
        node.visit_children_with(self);
    }

    fn visit_bin_expr(&mut self, node: &BinExpr) {
        if node.op == BinaryOp::NullishCoalescing {
            self.report(node.span, "`??` is ES2020");
        }
        if matches!(&*node.left, Expr::PrivateName(_)) {
            self.report(node.span, "`#x in obj` is ES2022");
        }
        node.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, node: &AssignExpr) {
        if matches!(node.op, AssignOp::AndAssign | AssignOp::OrAssign | AssignOp::NullishAssign) {
            self.report(node.span, "logical assignment (`&&=`, `||=`, `??=`) is ES2021");
        }
        node.visit_children_with(self);
    }

    fn visit_big_int(&mut self, node: &BigInt) {
        self.report(node.span, "BigInt literals are ES2020");
    }

    fn visit_number(&mut self, node: &Number) {
        if node.raw.as_ref().is_some_and(|raw| raw.contains('_')) {
            self.report(node.span, "numeric separators are ES2021");
        }
    }

    fn visit_catch_clause(&mut self, node: &CatchClause) {
        if node.param.is_none() {
            self.report(node.span, "`catch` without a binding is ES2019");
        }
        node.visit_children_with(self);
    }

    fn visit_class_prop(&mut self, node: &ClassProp) {
        self.report(node.span, "class fields are ES2022");
        node.visit_children_with(self);
    }

    fn visit_private_prop(&mut self, node: &PrivateProp) {
        self.report(node.span, "private class fields are ES2022");
        node.visit_children_with(self);
    }

    fn visit_private_method(&mut self, node: &PrivateMethod) {
        self.report(node.span, "private methods are ES2022");
        node.visit_children_with(self);
    }

    fn visit_static_block(&mut self, node: &StaticBlock) {
        self.report(node.span, "class static blocks are ES2022");
        node.visit_children_with(self);
    }

    fn visit_using_decl(&mut self, node: &UsingDecl) {
        self.report(node.span, "`using` declarations are newer than ES2018");
        node.visit_children_with(self);
    }

    fn visit_meta_prop_expr(&mut self, node: &MetaPropExpr) {
        if node.kind == MetaPropKind::ImportMeta {
            self.report(node.span, "`import.meta` is module-only (ES2020)");
        }
    }

    fn visit_regex(&mut self, node: &Regex) {
        if node.flags.contains('d') || node.flags.contains('v') {
            self.report(node.span, "regular-expression flags `d`/`v` are newer than ES2018");
        }
    }

    fn visit_call_expr(&mut self, node: &CallExpr) {
        match &node.callee {
            Callee::Import(_) => self.report(node.span, "dynamic `import()` is ES2020"),
            Callee::Expr(callee) => {
                if is_ident(callee, "eval") {
                    self.report(node.span, "`eval` is forbidden (strict CSP)");
                }
                if is_ident(callee, "Function") {
                    self.report(node.span, "`Function(...)` is forbidden (strict CSP)");
                }
                let is_timer = |name| is_ident(callee, name) || member_named(callee, "window", name);
                let first_is_string =
                    matches!(node.args.first().map(|a| &*a.expr), Some(Expr::Lit(Lit::Str(_))));
                if (is_timer("setTimeout") || is_timer("setInterval")) && first_is_string {
                    self.report(node.span, "string code in setTimeout/setInterval is forbidden");
                }
                if member_named(callee, "document", "write") || member_named(callee, "document", "writeln") {
                    self.report(node.span, "`document.write` is forbidden");
                }
                if let Expr::Member(member) = &**callee {
                    let is_set_attribute =
                        matches!(&member.prop, MemberProp::Ident(p) if p.sym == *"setAttribute");
                    let first_arg = node.args.first().map(|a| &*a.expr);
                    if let (true, Some(Expr::Lit(Lit::Str(name)))) = (is_set_attribute, first_arg) {
                        if name.value.to_string_lossy().to_ascii_lowercase().starts_with("on") {
                            self.report(
                                node.span,
                                "inline event-handler attributes are forbidden (strict CSP)",
                            );
                        }
                    }
                }
            }
            Callee::Super(_) => {}
        }
        node.visit_children_with(self);
    }

    fn visit_new_expr(&mut self, node: &NewExpr) {
        if is_ident(&node.callee, "Function") {
            self.report(node.span, "`new Function` is forbidden (strict CSP)");
        }
        node.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, node: &MemberExpr) {
        if let MemberProp::Ident(p) = &node.prop {
            if p.sym == *"innerHTML" || p.sym == *"outerHTML" {
                self.report(node.span(), "`innerHTML`/`outerHTML` is forbidden (Trusted Types)");
            }
        }
        node.visit_children_with(self);
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn es2018_code_passes() {
        let ok = "(function(){var a={...{b:1}};async function f(){for await(const x of y){}}try{}catch(e){}/(?<n>a)/s.test('a');})();";
        assert_eq!(check("t.js", ok).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn newer_syntax_and_forbidden_apis_are_reported() {
        for (code, expected) in [
            ("a?.b", "?."),
            ("a ?? b", "??"),
            ("a ||= b", "logical assignment"),
            ("1n", "BigInt"),
            ("1_000", "numeric separators"),
            ("try{}catch{}", "without a binding"),
            ("class A { x = 1 }", "class fields"),
            ("class A { static {} }", "static blocks"),
            ("eval('1')", "eval"),
            ("new Function('return 1')", "new Function"),
            ("document.write('x')", "document.write"),
            ("el.setAttribute('onclick', 'x()')", "event-handler"),
            ("el.innerHTML = s", "innerHTML"),
            ("setTimeout('x()', 1)", "string code"),
        ] {
            let problems = check("t.js", code).unwrap();
            assert!(problems.iter().any(|p| p.contains(expected)), "{code}: {problems:?}");
        }
    }

    #[test]
    fn reports_line_and_column() {
        let problems = check("t.js", "var a = 1;\nvar b = a?.c;").unwrap();
        assert_eq!(problems, ["2:9: optional chaining `?.` is ES2020"]);
    }
}
