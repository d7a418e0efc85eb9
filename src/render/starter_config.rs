//! The config `twt-gen init` writes: every option of the options table, commented out at its
//! default, with its meaning and what it accepts, under a `#:schema` line for editors.

use crate::check::extends::preset_names;
use crate::check::options::{EXTENDS, EXTENDS_DOC, RULES};

/// Comments wrap here, so the file reads well in any editor.
const WIDTH: usize = 96;

pub struct Starter<'a> {
    pub appid: &'a str,
    /// A shipped preset to extend, or none.
    pub preset: Option<&'a str>,
    /// The URL or path of the config schema, for the `#:schema` line.
    pub schema: &'a str,
}

/// The config's text. `appid` and `preset` must have been checked: they are written as given,
/// in TOML basic strings, and `appid` admits no character that needs escaping there.
pub fn render(starter: &Starter<'_>) -> String {
    let mut text = format!("#:schema {}\n", one_line(starter.schema));
    text.push_str(
        "# A twt-gen customer config. Check it with `twt-gen validate FILE`. Each option below is\n\
         # commented out at its default: remove the `# ` before a line to set it.\n",
    );
    for rule in RULES {
        text.push('\n');
        comment(&mut text, rule.description);
        comment(&mut text, &format!("Accepts: {}.", rule.accepts));
        if rule.key == "appid" {
            text.push_str(&format!("appid = \"{}\"\n", starter.appid));
            continue;
        }
        comment(&mut text, &format!("Default: {}.", rule.default));
        match rule.default_toml {
            Some(default) => text.push_str(&format!("# {} = {default}\n", rule.key)),
            None => text.push_str(&format!("# {}\n", rule.example)),
        }
    }
    let [accepts, _, meaning] = EXTENDS_DOC;
    text.push('\n');
    comment(&mut text, meaning);
    let presets: Vec<&str> = preset_names().collect();
    comment(&mut text, &format!("Accepts: {accepts}. The presets: {}.", presets.join(", ")));
    match starter.preset {
        Some(preset) => text.push_str(&format!("{EXTENDS} = \"{preset}\"\n")),
        None => text.push_str(&format!("# {EXTENDS} = \"dark\"\n")),
    }
    text
}

/// Appends `words` as `# ` lines of at most [`WIDTH`] characters (a longer word stays whole).
fn comment(text: &mut String, words: &str) {
    let mut line = String::from("#");
    for word in words.split_whitespace() {
        if line.len() > 1 && line.chars().count() + 1 + word.chars().count() > WIDTH {
            text.push_str(&line);
            text.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    text.push_str(&line);
    text.push('\n');
}

/// A `#:schema` target on one line: a line break would end the comment and start TOML.
fn one_line(target: &str) -> String {
    target.chars().filter(|c| !c.is_control()).collect()
}
