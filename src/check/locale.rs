//! The one locale table of twt-gen.
//!
//! The validator uses it to check `language`, and the build writes it into the host-sdk bundle
//! (`BUILD.locales`, `BUILD.localeAliases`), so config validation and the browser never disagree.
//! Both sides run the same algorithm: see [`normalize`] and `templates/host-sdk/language.js`.

/// The runtime locales, in the order the spec's table lists them, with their own names.
pub const SUPPORTED: &[(&str, &str)] = &[
    ("en", "English"),
    ("zh-cn", "简体中文"),
    ("zh-tw", "繁體中文"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("pt", "Português"),
    ("ru", "Русский"),
];

/// Tags that are not runtime locales themselves but name one. Regional variants that only add
/// a region to a supported language (`en-US`, `pt-BR`) need no entry: dropping subtags finds them.
pub const ALIASES: &[(&str, &str)] = &[
    ("zh", "zh-cn"),
    ("zh-hans", "zh-cn"),
    ("zh-sg", "zh-cn"),
    ("zh-my", "zh-cn"),
    ("zh-hant", "zh-tw"),
    ("zh-hk", "zh-tw"),
    ("zh-mo", "zh-tw"),
];

pub fn is_supported(tag: &str) -> bool {
    SUPPORTED.iter().any(|(code, _)| *code == tag)
}

pub fn supported_codes() -> impl Iterator<Item = &'static str> {
    SUPPORTED.iter().map(|(code, _)| *code)
}

/// Maps a language tag to its runtime locale: case and `_` versus `-` are ignored, aliases are
/// followed, and trailing subtags are dropped until something matches (`zh-Hant-HK` → `zh-tw`).
pub fn normalize(tag: &str) -> Option<&'static str> {
    let mut tag = tag.trim().to_ascii_lowercase().replace('_', "-");
    loop {
        if let Some((code, _)) = SUPPORTED.iter().find(|(code, _)| *code == tag) {
            return Some(code);
        }
        if let Some((_, code)) = ALIASES.iter().find(|(alias, _)| *alias == tag) {
            return Some(code);
        }
        let cut = tag.rfind('-')?;
        tag.truncate(cut);
    }
}

/// The table as the host-sdk reads it: `{"locales": [...], "localeAliases": {...}}` members.
pub fn bundle_table() -> (Vec<&'static str>, serde_json::Map<String, serde_json::Value>) {
    let aliases =
        ALIASES.iter().map(|(alias, code)| (alias.to_string(), serde_json::Value::from(*code))).collect();
    (supported_codes().collect(), aliases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_values_map_to_themselves() {
        for code in supported_codes() {
            assert_eq!(normalize(code), Some(code));
        }
    }

    #[test]
    fn regional_variants_case_and_underscores_normalise() {
        for (input, expected) in [
            ("en-US", "en"),
            ("EN_gb", "en"),
            ("zh-CN", "zh-cn"),
            ("zh_TW", "zh-tw"),
            ("zh-Hans", "zh-cn"),
            ("zh-SG", "zh-cn"),
            ("zh-Hant", "zh-tw"),
            ("zh-HK", "zh-tw"),
            ("zh-MO", "zh-tw"),
            ("zh-Hant-HK", "zh-tw"),
            ("zh-Hans-HK", "zh-cn"),
            ("zh", "zh-cn"),
            ("pt-BR", "pt"),
            ("pt-PT", "pt"),
            ("de-AT", "de"),
            ("fr-CA", "fr"),
            ("ja-JP", "ja"),
            ("ko-KR", "ko"),
            ("ru-RU", "ru"),
            (" en ", "en"),
        ] {
            assert_eq!(normalize(input), Some(expected), "{input}");
        }
    }

    #[test]
    fn unsupported_tags_do_not_normalise() {
        for input in ["", "es", "jp", "it-IT", "english", "-", "zz-en"] {
            assert_eq!(normalize(input), None, "{input}");
        }
    }
}
