//! Character classes that decide where a variable name ends.
//!
//! The reference uses Unicode general categories (letters = L*, digits = Nd), which are narrower than
//! Rust's `is_alphabetic` / `is_numeric`; using the std predicates would end names at other places.

use unicode_general_category::{GeneralCategory, get_general_category};

pub(crate) fn is_letter(ch: char) -> bool {
    matches!(
        get_general_category(ch),
        GeneralCategory::UppercaseLetter
            | GeneralCategory::LowercaseLetter
            | GeneralCategory::TitlecaseLetter
            | GeneralCategory::ModifierLetter
            | GeneralCategory::OtherLetter
    )
}

pub(crate) fn is_digit(ch: char) -> bool {
    ch.is_ascii_digit()
        || (!ch.is_ascii() && get_general_category(ch) == GeneralCategory::DecimalNumber)
}

/// `$@`, `$*`, `$#`, … are one-character names in POSIX shells.
pub(crate) fn is_special_param(ch: char) -> bool {
    matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

/// Characters allowed inside a name after its first character (and as the first one, unless a digit
/// or special parameter decides otherwise).
pub(crate) fn is_name_char(ch: char) -> bool {
    ch == '_' || is_letter(ch) || is_digit(ch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_general_categories() {
        assert!(is_letter('a') && is_letter('한') && is_letter('ª'));
        assert!(!is_letter('1') && !is_letter('_') && !is_letter('\u{0301}'));
        assert!(is_digit('7') && is_digit('٣'));
        // Superscripts and roman numerals are numeric to Rust but not decimal digits.
        assert!(!is_digit('²') && !is_digit('Ⅻ'));
        assert!(is_name_char('_') && !is_name_char('.'));
    }
}
