//! The code samples of the generated INTEGRATION.md, for the tests that check them: the browser
//! runs them (`tests/browser/docs_samples.rs`) and tsc type-checks them (`tests/typescript.rs`).
//! Both read the rendered files at test time, never a copy.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

/// Configs (appid, TOML) that together render every conditional section of the docs: the default
/// launcher, `launcher = "custom"` (the entry-button section) and `asyncInit = true` (the
/// manual-init snippet and the "start the widget yourself" section); and the lazy snippet's three
/// `load` triggers (`init` by default, `interaction`, `idle`).
pub const CONFIGS: [(&str, &str); 3] = [
    ("docs-default", "appid = \"docs-default\"\n"),
    ("docs-custom", "appid = \"docs-custom\"\nlauncher = \"custom\"\nload = \"interaction\"\n"),
    ("docs-late", "appid = \"docs-late\"\nlauncher = \"custom\"\nasyncInit = true\nload = \"idle\"\n"),
];

/// One fenced code block and the prose paragraph before it.
#[derive(Clone, Debug)]
pub struct Block {
    /// The fence's info string: `html`, `js`, `ts`, or empty.
    pub lang: String,
    pub code: String,
    pub prose: String,
}

pub fn code_blocks(md: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut prose = String::new();
    let mut text = String::new();
    let mut current: Option<(String, String)> = None;
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some((info.to_string(), String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, code)) = current.take() {
                    blocks.push(Block { lang, code, prose: prose.clone() });
                }
            }
            Event::Start(Tag::Paragraph) => text.clear(),
            Event::End(TagEnd::Paragraph) => prose = text.clone(),
            Event::Text(t) | Event::Code(t) => match &mut current {
                Some((_, code)) => code.push_str(&t),
                None => text.push_str(&t),
            },
            Event::SoftBreak => text.push(' '),
            _ => {}
        }
    }
    blocks
}
