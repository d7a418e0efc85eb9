//! "Did you mean ...?" for misspelt keys and values.

/// Edits beyond this are guesses, not suggestions (cargo uses the same bound).
const MAX_DISTANCE: usize = 3;

/// The candidate closest to `input`, if any is close enough.
///
/// Case, `_` and `-` are ignored first (`z_index` → `zIndex`, `Dark` → `dark`); then the
/// Levenshtein distance must be at most 3, and less than the input's own length so that
/// short words do not match anything.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let folded = fold(input);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = strsim::levenshtein(&folded, &fold(candidate));
        if distance <= MAX_DISTANCE
            && distance < folded.chars().count().max(1)
            && best.is_none_or(|(d, _)| distance < d)
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

fn fold(word: &str) -> String {
    word.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["appid", "theme", "launcher", "zIndex", "language", "asyncInit"];

    #[test]
    fn finds_close_spellings() {
        assert_eq!(closest("z_index", KEYS.iter().copied()), Some("zIndex"));
        assert_eq!(closest("async_init", KEYS.iter().copied()), Some("asyncInit"));
        assert_eq!(closest("them", KEYS.iter().copied()), Some("theme"));
        assert_eq!(closest("app_id", KEYS.iter().copied()), Some("appid"));
        assert_eq!(closest("drak", ["light", "dark", "system"]), Some("dark"));
    }

    #[test]
    fn does_not_guess_wildly() {
        assert_eq!(closest("colour", KEYS.iter().copied()), None);
        assert_eq!(closest("x", ["en", "ja"]), None);
    }
}
