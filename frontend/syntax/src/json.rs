//! The JSON (exec) form of arguments: `["a", "b"]`.
//!
//! Read by hand rather than with serde_json to match the reference's JSON
//! decoder where they differ: lone UTF-16 surrogates become U+FFFD, nesting
//! is allowed 10,000 deep, and a number beyond `f64` makes the text not JSON.

use crate::error::SyntaxErrorKind;

/// The reference decoder's nesting limit.
const MAX_DEPTH: usize = 10_000;

/// `Ok(None)` when `rest` is not a JSON array (the caller falls back to the
/// shell form); an error when it is an array holding anything but strings.
pub(crate) fn parse_json_array(rest: &str) -> Result<Option<Vec<String>>, SyntaxErrorKind> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(None);
    }
    let Some(items) = Reader::new(rest).document() else {
        return Ok(None);
    };
    items
        .into_iter()
        .map(|item| item.ok_or(SyntaxErrorKind::NotStringArray))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[derive(Clone, Copy)]
enum Container {
    Array,
    Object,
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// Set when a number does not fit an `f64`: valid syntax, but the
    /// reference's decoder then refuses the document.
    overflow: bool,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            overflow: false,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.pos += 1)
    }

    /// The top-level array's items: `Some(text)` for strings, `None` for
    /// anything else. `None` overall when the text is not valid JSON.
    fn document(mut self) -> Option<Vec<Option<String>>> {
        let mut items = Vec::new();
        let mut stack: Vec<Container> = Vec::new();
        'value: loop {
            self.skip_ws();
            // Read one value; containers push and restart the loop.
            let item = match self.peek()? {
                b'"' => Some(self.string()?),
                b'[' | b'{' => {
                    let open = self.peek()?;
                    self.pos += 1;
                    let kind = if open == b'[' {
                        Container::Array
                    } else {
                        Container::Object
                    };
                    stack.push(kind);
                    if stack.len() > MAX_DEPTH {
                        return None;
                    }
                    self.skip_ws();
                    let close = if open == b'[' { b']' } else { b'}' };
                    if self.eat(close).is_none() {
                        if let Container::Object = kind {
                            self.key()?;
                        }
                        continue 'value;
                    }
                    stack.pop();
                    None
                }
                b't' => self.literal("true")?,
                b'f' => self.literal("false")?,
                b'n' => self.literal("null")?,
                _ => self.number()?,
            };
            // A value is complete: record it, then close containers.
            let mut item = Some(item);
            loop {
                if stack.len() == 1
                    && let Some(item) = item.take()
                {
                    items.push(item);
                }
                self.skip_ws();
                let Some(&top) = stack.last() else {
                    return (self.pos == self.text.len() && !self.overflow).then_some(items);
                };
                match (top, self.peek()?) {
                    (_, b',') => {
                        self.pos += 1;
                        if let Container::Object = top {
                            self.skip_ws();
                            self.key()?;
                        }
                        continue 'value;
                    }
                    (Container::Array, b']') | (Container::Object, b'}') => {
                        self.pos += 1;
                        stack.pop();
                        // The closed container is itself a (non-string) value.
                        item = Some(None);
                    }
                    _ => return None,
                }
            }
        }
    }

    /// An object key and its colon.
    fn key(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        self.string()?;
        self.skip_ws();
        self.eat(b':')
    }

    fn literal(&mut self, word: &str) -> Option<Option<String>> {
        self.text[self.pos..].starts_with(word).then(|| {
            self.pos += word.len();
            None
        })
    }

    fn number(&mut self) -> Option<Option<String>> {
        let start = self.pos;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        let value: f64 = self.text[start..self.pos].parse().ok()?;
        if value.is_infinite() {
            self.overflow = true;
        }
        Some(None)
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let plain = rest.find(|c: char| c == '"' || c == '\\' || c < ' ')?;
            out.push_str(&rest[..plain]);
            self.pos += plain;
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let c = match self.peek()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            self.pos += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        _ => return None,
                    };
                    self.pos += 1;
                    out.push(c);
                }
                _ => return None,
            }
        }
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining a
    /// surrogate pair; an unpaired surrogate reads as U+FFFD.
    fn unicode_escape(&mut self) -> Option<char> {
        let unit = self.hex4()?;
        if !(0xd800..0xe000).contains(&unit) {
            return char::from_u32(unit);
        }
        if let Some(low) = self.text[self.pos..]
            .strip_prefix("\\u")
            .and_then(|s| s.get(..4))
            && let Ok(low) = u32::from_str_radix(low, 16)
            && (0xd800..0xdc00).contains(&unit)
            && (0xdc00..0xe000).contains(&low)
        {
            self.pos += 6;
            return char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
        }
        Some(char::REPLACEMENT_CHARACTER)
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_forms() {
        let s = |v: &[&str]| Ok(Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
        let deep_ok = format!("[{}{}]", "[".repeat(500), "]".repeat(500));
        let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let cases = [
            (r#"["a", "b c"]"#, s(&["a", "b c"])),
            (r#"  [ "a" ]  "#, s(&["a"])),
            ("[]", s(&[])),
            ("[\r\n\"a\"\t]", s(&["a"])),
            (
                r#"["\u00e9\n\/\"\\\b\f\r\t"]"#,
                s(&["é\n/\"\\\u{8}\u{c}\r\t"]),
            ),
            (r#"["\ud83d\ude00"]"#, s(&["😀"])),
            (
                r#"["\ud800", "\udc00x", "\ud800\u0041"]"#,
                s(&["\u{fffd}", "\u{fffd}x", "\u{fffd}A"]),
            ),
            ("['a']", Ok(None)),
            (r#"["a""#, Ok(None)),
            (r#"["a",]"#, Ok(None)),
            (r#"["a"] x"#, Ok(None)),
            (r#"["\x"]"#, Ok(None)),
            (r#"["\u12"]"#, Ok(None)),
            ("[\"a\tb\"]", Ok(None)),
            ("[01]", Ok(None)),
            ("[1.]", Ok(None)),
            ("[{\"a\" 1}]", Ok(None)),
            (r#"["a", 1e999]"#, Ok(None)),
            ("echo [a]", Ok(None)),
            (too_deep.as_str(), Ok(None)),
            (r#"["a", 1]"#, Err(SyntaxErrorKind::NotStringArray)),
            (
                r#"["a", -1.5e-3, true, null]"#,
                Err(SyntaxErrorKind::NotStringArray),
            ),
            (r#"["a", ["b"]]"#, Err(SyntaxErrorKind::NotStringArray)),
            (
                r#"["a", {"k": [1, {}], "l": "m"}]"#,
                Err(SyntaxErrorKind::NotStringArray),
            ),
            (deep_ok.as_str(), Err(SyntaxErrorKind::NotStringArray)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_json_array(input), want, "{input:?}");
        }
    }
}
