//! Finding heredocs (`<<EOF`, `<<-EOF`, `3<<'EOF'`) on an instruction line.
//!
//! The line is split into shell words the way BuildKit's shell lexer does
//! (quotes and escapes kept, variables left as written), and each word of
//! the form `[fd]<<[-]WORD` opens a heredoc. A quoted delimiter turns off
//! expansion of the body.

use crate::Heredoc;
use unicode_general_category::{GeneralCategory as G, get_general_category};

/// The heredoc word lexer always uses `\`, whatever the file's escape is.
const ESCAPE: char = '\\';

/// A word that looks like a heredoc but cannot be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadHeredoc {
    pub word: String,
    pub reason: String,
}

/// The heredocs opened on `line`, in order, with empty bodies.
pub(crate) fn heredocs_in_line(line: &str) -> Result<Vec<Heredoc>, BadHeredoc> {
    // A line the lexer cannot split (e.g. an unclosed quote) holds no heredocs.
    let words = Lexer::new(line, true).words(true).unwrap_or_default();
    let mut docs = Vec::new();
    for word in words {
        if let Some(doc) = heredoc_from_word(&word)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// Reads one `[fd]<<[-]WORD` word; `None` when it is not a heredoc.
pub(crate) fn heredoc_from_word(word: &str) -> Result<Option<Heredoc>, BadHeredoc> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (fd, after) = word.split_at(digits);
    let Some(after) = after.strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, after) = match after.strip_prefix('-') {
        Some(a) => (true, a),
        None => (false, after),
    };
    let rest = after.trim_start_matches(['\t', '\n', '\u{c}', '\r', ' ']);
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let bad = |reason: String| BadHeredoc {
        word: word.to_owned(),
        reason,
    };
    let cooked = Lexer::new(rest, false).words(false).map_err(bad)?;
    let [name] = cooked.as_slice() else {
        return Ok(None);
    };
    let raw = Lexer::new(rest, true).words(false).map_err(bad)?;
    let [raw_name] = raw.as_slice() else {
        return Err(bad(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        )));
    };
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    Ok(Some(Heredoc {
        name: name.clone(),
        fd: fd.parse().unwrap_or(0),
        expand: quotes(name) == quotes(raw_name),
        chomp,
        content: String::new(),
    }))
}

/// Word splitting with BuildKit's shell rules, minus variable values: every
/// variable is unset and kept as written.
struct Lexer {
    chars: Vec<char>,
    pos: usize,
    raw_quotes: bool,
    /// Shared by nested reads, as in the reference: a `${...}` inside a word
    /// restarts the word being collected.
    word_buf: String,
}

#[derive(Default)]
struct Words {
    words: Vec<String>,
    in_word: bool,
}

impl Lexer {
    fn new(text: &str, raw_quotes: bool) -> Self {
        Lexer {
            chars: text.chars().collect(),
            pos: 0,
            raw_quotes,
            word_buf: String::new(),
        }
    }

    fn words(&mut self, raw_escapes: bool) -> Result<Vec<String>, String> {
        self.read_until(None, raw_escapes).map(|(_, words)| words)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn add_char(&mut self, w: &mut Words, c: char) {
        if c.is_whitespace() {
            if w.in_word && !self.word_buf.is_empty() {
                w.words.push(std::mem::take(&mut self.word_buf));
                w.in_word = false;
            }
        } else {
            self.add_raw_char(w, c);
        }
    }

    fn add_raw_char(&mut self, w: &mut Words, c: char) {
        self.word_buf.push(c);
        w.in_word = true;
    }

    fn finish(&mut self, mut w: Words) -> Vec<String> {
        if !self.word_buf.is_empty() {
            w.words.push(std::mem::take(&mut self.word_buf));
        }
        w.words
    }

    fn read_until(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), String> {
        let mut result = String::new();
        self.word_buf.clear();
        let mut w = Words::default();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.pos += 1;
                return Ok((result, self.finish(w)));
            }
            match c {
                '$' => {
                    let tmp = self.dollar()?;
                    result.push_str(&tmp);
                    for ch in tmp.chars() {
                        self.add_char(&mut w, ch);
                    }
                }
                '<' | '\'' | '"' => {
                    let tmp = match c {
                        '<' => self.maybe_heredoc(),
                        '\'' => self.single_quoted()?,
                        _ => self.double_quoted(raw_escapes)?,
                    };
                    result.push_str(&tmp);
                    self.word_buf.push_str(&tmp);
                    w.in_word = true;
                }
                _ => {
                    self.pos += 1;
                    if c != ESCAPE {
                        self.add_char(&mut w, c);
                        result.push(c);
                        continue;
                    }
                    if raw_escapes {
                        self.add_raw_char(&mut w, c);
                        result.push(c);
                    }
                    let Some(escaped) = self.next() else { break };
                    self.add_raw_char(&mut w, escaped);
                    result.push(escaped);
                }
            }
        }
        match stop {
            Some(s) => Err(format!(
                "unexpected end of statement while looking for matching {s}"
            )),
            None => Ok((result, self.finish(w))),
        }
    }

    fn single_quoted(&mut self) -> Result<String, String> {
        let mut out = String::new();
        self.pos += 1;
        if self.raw_quotes {
            out.push('\'');
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    );
                }
                Some('\'') => {
                    if self.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quoted(&mut self, raw_escapes: bool) -> Result<String, String> {
        let mut out = String::new();
        self.pos += 1;
        if self.raw_quotes {
            out.push('"');
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    );
                }
                Some('"') => {
                    self.pos += 1;
                    if self.raw_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let v = self.dollar()?;
                    out.push_str(&v);
                }
                Some(mut c) => {
                    self.pos += 1;
                    if c == ESCAPE {
                        if raw_escapes {
                            out.push(c);
                        }
                        match self.peek() {
                            None => continue,
                            Some(n @ ('"' | '$' | ESCAPE)) => {
                                self.pos += 1;
                                c = n;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    /// `<<` and any blanks after it stay glued to the delimiter word.
    fn maybe_heredoc(&mut self) -> String {
        self.pos += 1;
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.pos += 1;
        let mut out = String::from("<<");
        while let Some(c @ ('\t' | '\r' | ' ')) = self.peek() {
            out.push(c);
            self.pos += 1;
        }
        out
    }

    /// A variable reference, reproduced as written (all variables are unset).
    fn dollar(&mut self) -> Result<String, String> {
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            return Ok(format!("${name}"));
        }
        self.pos += 1;
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            Some(_) => {}
        }
        let name = self.name();
        let modifier = self.next();
        match modifier {
            Some('}') => Ok(format!("${{{name}}}")),
            Some(m @ (':' | '+' | '-' | '?' | '#' | '%')) => {
                let mut mods = m.to_string();
                let op = if m == ':' {
                    let op = self.next();
                    mods.extend(op);
                    op
                } else {
                    Some(m)
                };
                let trims = matches!(op, Some('#' | '%'));
                if m == ':' && trims {
                    return Err(format!("unsupported modifier ({mods}) in substitution"));
                }
                let word = self.nested_until('}', trims, "syntax error: missing '}'")?;
                Ok(format!("${{{name}{mods}{word}}}"))
            }
            Some('/') => {
                if self.peek() == Some('/') {
                    self.pos += 1;
                }
                let pattern = self.nested_until('/', true, "syntax error: missing '/' in ${}")?;
                let replacement = self.nested_until('}', true, "syntax error: missing '}'")?;
                Ok(format!("${{{name}/{pattern}/{replacement}}}"))
            }
            other => Err(format!(
                "unsupported modifier ({}) in substitution",
                other.unwrap_or(char::REPLACEMENT_CHARACTER)
            )),
        }
    }

    fn nested_until(
        &mut self,
        stop: char,
        raw_escapes: bool,
        at_eof: &str,
    ) -> Result<String, String> {
        match self.read_until(Some(stop), raw_escapes) {
            Ok((word, _)) => Ok(word),
            Err(_) if self.peek().is_none() => Err(at_eof.to_owned()),
            Err(e) => Err(e),
        }
    }

    /// A variable name: digits, one special parameter, or letters/digits/`_`.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && is_digit(c) {
                while let Some(d) = self.peek().filter(|&d| is_digit(d)) {
                    name.push(d);
                    self.pos += 1;
                }
                return name;
            }
            if name.is_empty() && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                return c.to_string();
            }
            if !(is_letter(c) || is_digit(c) || c == '_') {
                break;
            }
            self.pos += 1;
            name.push(c);
        }
        name
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && get_general_category(c) == G::DecimalNumber)
}

fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (!c.is_ascii()
            && matches!(
                get_general_category(c),
                G::UppercaseLetter
                    | G::LowercaseLetter
                    | G::TitlecaseLetter
                    | G::ModifierLetter
                    | G::OtherLetter
            ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, fd: u32, expand: bool, chomp: bool) -> Heredoc {
        Heredoc {
            name: name.into(),
            fd,
            expand,
            chomp,
            content: String::new(),
        }
    }

    #[test]
    fn heredoc_words() {
        for src in [
            "<<EOF",
            "<<'EOF'",
            "<<\"EOF\"",
            "<<-EOF",
            "<<-'EOF'",
            "<<-\"EOF\"",
            "<<EO\"F\"",
            "<< EOF",
            "<<- EOF",
        ] {
            let d = heredoc_from_word(src).unwrap().unwrap();
            assert_eq!(d.name, "EOF", "{src}");
        }
        for src in ["", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh"] {
            assert_eq!(heredoc_from_word(src), Ok(None), "{src}");
        }
        for src in ["<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""] {
            assert!(heredoc_from_word(src).is_err(), "{src}");
        }
        assert_eq!(
            heredoc_from_word("3<<-'X'").unwrap(),
            Some(doc("X", 3, false, true))
        );
    }

    #[test]
    fn heredocs_on_lines() {
        let cases: [(&str, Vec<Heredoc>); 14] = [
            ("RUN <<EOF", vec![doc("EOF", 0, true, false)]),
            ("RUN <<-EOF", vec![doc("EOF", 0, true, true)]),
            // Blanks are only absorbed straight after `<<`.
            ("RUN <<- EOF", vec![]),
            ("RUN << -EOF", vec![doc("-EOF", 0, true, false)]),
            ("RUN <<'EOF'", vec![doc("EOF", 0, false, false)]),
            ("RUN 4<<EOF", vec![doc("EOF", 4, true, false)]),
            (
                "COPY <<A <<B /dest",
                vec![doc("A", 0, true, false), doc("B", 0, true, false)],
            ),
            ("RUN '<<EOF'", vec![]),
            ("RUN \"<<EOF\"", vec![]),
            ("RUN <<eo'f'", vec![doc("eof", 0, false, false)]),
            ("RUN <<eo\\'f", vec![doc("eo'f", 0, true, false)]),
            ("RUN <<'e'o\\'f", vec![doc("eo'f", 0, false, false)]),
            ("RUN <<'one two'", vec![doc("one two", 0, false, false)]),
            ("RUN <<$EOF", vec![doc("$EOF", 0, true, false)]),
        ];
        for (line, want) in cases {
            assert_eq!(heredocs_in_line(line), Ok(want), "{line:?}");
        }
        assert_eq!(
            heredocs_in_line("RUN <<  EOF  > foo").unwrap(),
            vec![doc("EOF", 0, true, false)]
        );
        assert_eq!(heredocs_in_line("RUN 'x <<EOF").unwrap(), vec![]);
    }
}
