//! Breaking text into lines no wider than a limit, measured by the caller's function (the real glyph
//! advances), and normalising it to NFC so that decomposed input finds the precomposed glyphs.

use unicode_normalization::UnicodeNormalization as _;

/// `text` in Unicode NFC with every run of white space inside a line reduced to one space; line
/// breaks (`\n`, `\r\n`) are kept.
pub(crate) fn normalise(text: &str) -> String {
    let composed: String = text.nfc().collect();
    composed
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Greedy line breaking: words (separated by spaces) are added to a line while it fits in
/// `max_width`; a word wider than the limit on its own is broken between characters. Explicit line
/// breaks are kept; empty lines are dropped.
pub(crate) fn wrap<E>(
    text: &str,
    max_width: f32,
    measure: &mut dyn FnMut(&str) -> Result<f32, E>,
) -> Result<Vec<String>, E> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut current = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if measure(&candidate)? <= max_width {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            if measure(word)? <= max_width {
                current = word.to_owned();
            } else {
                let mut pieces = break_word(word, max_width, measure)?;
                current = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
    }
    Ok(lines)
}

/// Breaks one over-long word between characters; each piece holds at least one character.
fn break_word<E>(
    word: &str,
    max_width: f32,
    measure: &mut dyn FnMut(&str) -> Result<f32, E>,
) -> Result<Vec<String>, E> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for ch in word.chars() {
        let mut candidate = current.clone();
        candidate.push(ch);
        if !current.is_empty() && measure(&candidate)? > max_width {
            pieces.push(std::mem::take(&mut current));
            current.push(ch);
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character is 1 unit wide.
    fn by_chars(text: &str) -> Result<f32, ()> {
        Ok(text.chars().count() as f32)
    }

    #[test]
    fn words_fill_lines_greedily() {
        let lines = wrap("viện kiểm sát nhân dân tỉnh", 11.0, &mut by_chars).unwrap();
        assert_eq!(lines, ["viện kiểm", "sát nhân", "dân tỉnh"]);
    }

    #[test]
    fn explicit_breaks_are_kept_and_blank_lines_dropped() {
        let lines = wrap("KT. VIỆN TRƯỞNG\n\nPHÓ VIỆN TRƯỞNG", 100.0, &mut by_chars).unwrap();
        assert_eq!(lines, ["KT. VIỆN TRƯỞNG", "PHÓ VIỆN TRƯỞNG"]);
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_between_characters() {
        let lines = wrap("ab 0123456789 cd", 4.0, &mut by_chars).unwrap();
        assert_eq!(lines, ["ab", "0123", "4567", "89", "cd"]);
    }

    #[test]
    fn a_line_narrower_than_one_character_still_makes_progress() {
        let lines = wrap("abc", 0.5, &mut by_chars).unwrap();
        assert_eq!(lines, ["a", "b", "c"]);
    }

    #[test]
    fn measurement_errors_propagate() {
        let mut failing = |_: &str| -> Result<f32, &'static str> { Err("no glyph") };
        assert_eq!(wrap("x", 10.0, &mut failing), Err("no glyph"));
    }

    #[test]
    fn decomposed_input_is_composed_and_spaces_collapsed() {
        // "Việt" typed as e + circumflex + dot below, with a tab and double spaces.
        let decomposed = "Vie\u{0302}\u{0323}t\t  Nam\r\nĐà";
        assert_eq!(normalise(decomposed), "Việt Nam\nĐà");
    }
}
