//! Splitting ENV/LABEL/ARG arguments into words, quotes and escapes kept
//! (they are resolved later, by word expansion).

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote(char),
}

pub(crate) fn split_words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    // Quotes and escapes stay in the words, so each word is the text from
    // its first character to its last kept one: only a lone escape at the
    // very end is dropped. Words are sliced out, not built char by char.
    let mut start = 0;
    let mut end = 0;
    let mut blank_ok = false;
    let mut phase = Phase::Spaces;
    let mut pos = 0;
    let word = |start: usize, end: usize| rest.get(start..end).unwrap_or_default().to_owned();
    while let Some((c, after)) = char_at(rest, pos) {
        let i = pos;
        pos = after;
        match phase {
            Phase::Spaces if c.is_whitespace() => continue,
            Phase::Spaces | Phase::Word => {
                if c.is_whitespace() {
                    if blank_ok || end > start {
                        words.push(word(start, end));
                    }
                    blank_ok = false;
                    phase = Phase::Spaces;
                    continue;
                }
                if phase == Phase::Spaces {
                    start = i;
                    end = i;
                }
                phase = Phase::Word;
                if c == '\'' || c == '"' {
                    blank_ok = true;
                    phase = Phase::Quote(c);
                    end = after;
                } else if c == escape {
                    // Kept with the character it escapes; dropped at the end.
                    if let Some((_, next)) = char_at(rest, pos) {
                        pos = next;
                        end = next;
                    }
                } else {
                    end = after;
                }
            }
            Phase::Quote(q) => {
                if c == q {
                    phase = Phase::Word;
                    end = after;
                } else if c == escape && q != '\'' {
                    match char_at(rest, pos) {
                        Some((_, next)) => {
                            pos = next;
                            end = next;
                        }
                        None => phase = Phase::Word,
                    }
                } else {
                    end = after;
                }
            }
        }
    }
    if phase != Phase::Spaces && (blank_ok || end > start) {
        words.push(word(start, end));
    }
    words
}

/// The character at byte `pos` of `s` and the byte after it; ASCII (nearly
/// every character here) without decoding.
fn char_at(s: &str, pos: usize) -> Option<(char, usize)> {
    let &b = s.as_bytes().get(pos)?;
    if b.is_ascii() {
        return Some((char::from(b), pos + 1));
    }
    let c = s.get(pos..)?.chars().next()?;
    Some((c, pos + c.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn words() {
        let cases: [(&str, &[&str]); 15] = [
            ("foo", &["foo"]),
            ("foo bar", &["foo", "bar"]),
            ("foo\\ bar", &["foo\\ bar"]),
            ("foo=bar", &["foo=bar"]),
            ("foo bar 'abc xyz'", &["foo", "bar", "'abc xyz'"]),
            ("foo bar \"abc xyz\"", &["foo", "bar", "\"abc xyz\""]),
            ("föo bàr \"âbc xÿz\"", &["föo", "bàr", "\"âbc xÿz\""]),
            ("a=\"x \\\" y\" b", &["a=\"x \\\" y\"", "b"]),
            ("a='x \\' b", &["a='x \\'", "b"]),
            ("a\\", &["a"]),
            ("\"\"", &["\"\""]),
            ("a \"x\\", &["a", "\"x"]),
            ("  é\\ü  'q r'\\", &["é\\ü", "'q r'"]),
            ("'' \\é", &["''", "\\é"]),
            ("\\", &[]),
        ];
        for (input, want) in cases {
            assert_eq!(split_words(input, '\\'), want, "{input:?}");
        }
    }
}
