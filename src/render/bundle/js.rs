//! Parsing and minifying JavaScript with swc.

use swc_core::common::comments::SingleThreadedComments;
use swc_core::common::source_map::SourceMapGenConfig;
use swc_core::common::sync::Lrc;
use swc_core::common::{FileName, Globals, Mark, SourceMap, Spanned, GLOBALS};
use swc_core::ecma::ast::{EsVersion, Program};
use swc_core::ecma::codegen::text_writer::{omit_trailing_semi, JsWriter};
use swc_core::ecma::codegen::{Config as CodegenConfig, Emitter};
use swc_core::ecma::minifier::option::{CompressOptions, ExtraOptions, MangleOptions, MinifyOptions};
use swc_core::ecma::parser::{EsSyntax, Parser, StringInput, Syntax};
use swc_core::ecma::transforms::base::fixer::fixer;
use swc_core::ecma::transforms::base::resolver;
use swc_core::ecma::visit::VisitMutWith;

/// The syntax level the host-sdk ships at: every browser the widget supports runs ES2018.
pub const TARGET: EsVersion = EsVersion::Es2018;

/// Parses a classic script (not a module); any error, recoverable ones included, fails.
pub fn parse_script(cm: &Lrc<SourceMap>, name: &str, source: &str) -> Result<Program, String> {
    let file = cm.new_source_file(Lrc::new(FileName::Custom(name.to_string())), source.to_string());
    let mut parser = Parser::new(Syntax::Es(EsSyntax::default()), StringInput::from(&*file), None);
    let script = parser.parse_script().map_err(|e| describe(cm, e))?;
    if let Some(error) = parser.take_errors().into_iter().next() {
        return Err(describe(cm, error));
    }
    Ok(Program::Script(script))
}

fn describe(cm: &Lrc<SourceMap>, error: swc_core::ecma::parser::error::Error) -> String {
    let place = cm.lookup_char_pos(error.span().lo);
    format!("{}:{}:{}: {}", place.file.name, place.line, place.col_display + 1, error.kind().msg())
}

/// Minified code and the source map that leads back to `source`.
pub struct Minified {
    pub code: String,
    /// Source map JSON (v3), with the source text inlined.
    pub map: Vec<u8>,
}

/// Names the source in the map and inlines its text, so the map is self-contained.
struct MapConfig;

impl SourceMapGenConfig for MapConfig {
    fn file_name_to_source(&self, name: &FileName) -> String {
        name.to_string()
    }

    fn inline_sources_content(&self, _: &FileName) -> bool {
        true
    }
}

/// Compresses and mangles `source` (a self-contained IIFE), printing ES2018 without comments.
pub fn minify(name: &str, source: &str) -> Result<Minified, String> {
    minify_with(name, source, true)
}

/// Minifies an inline script that shares the page's global scope: its top-level names stay.
pub fn minify_inline(name: &str, source: &str) -> Result<String, String> {
    minify_with(name, source, false).map(|minified| minified.code)
}

fn minify_with(name: &str, source: &str, top_level: bool) -> Result<Minified, String> {
    GLOBALS.set(&Globals::new(), || {
        let cm: Lrc<SourceMap> = Default::default();
        let program = parse_script(&cm, name, source)?;
        let comments = SingleThreadedComments::default();
        let unresolved_mark = Mark::new();
        let top_level_mark = Mark::new();
        let mut program = program;
        program.visit_mut_with(&mut resolver(unresolved_mark, top_level_mark, false));
        let options = MinifyOptions {
            compress: Some(CompressOptions { ecma: TARGET, passes: 3, ..Default::default() }),
            mangle: Some(MangleOptions { top_level: Some(top_level), ..Default::default() }),
            ..Default::default()
        };
        let extra = ExtraOptions { unresolved_mark, top_level_mark, mangle_name_cache: None };
        let mut program =
            swc_core::ecma::minifier::optimize(program, cm.clone(), Some(&comments), None, &options, &extra);
        program.visit_mut_with(&mut fixer(None));
        print(&cm, &program)
    })
}

fn print(cm: &Lrc<SourceMap>, program: &Program) -> Result<Minified, String> {
    let mut buf = Vec::new();
    let mut mappings = Vec::new();
    {
        let mut emitter = Emitter {
            cfg: CodegenConfig::default().with_minify(true).with_target(TARGET).with_ascii_only(true),
            cm: cm.clone(),
            comments: None,
            // No `;` before a `}`: swc's minified printing keeps one at the end of every block.
            wr: omit_trailing_semi(JsWriter::new(cm.clone(), "\n", &mut buf, Some(&mut mappings))),
        };
        emitter.emit_program(program).map_err(|e| e.to_string())?;
    }
    let mut map = Vec::new();
    cm.build_source_map(&mappings, None, MapConfig).to_writer(&mut map).map_err(|e| e.to_string())?;
    Ok(Minified { code: String::from_utf8(buf).map_err(|e| e.to_string())?, map })
}
