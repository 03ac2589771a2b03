//! Splitting expanded text into words.
//!
//! The word being built lives in a buffer owned by the caller rather than here: the reference shares
//! one buffer between a word and the operand words of `${NAME:-operand}` nested in it, so expanding
//! such an operand drops the text collected before it in words mode (`a${X:-b}` gives `[b]`).
//! Keeping that behaviour is what makes our words equal the reference's.

/// Completed words plus whether a word is in progress (possibly empty, after `""`).
#[derive(Debug, Default)]
pub(crate) struct Words {
    done: Vec<String>,
    in_word: bool,
}

impl Words {
    /// Unquoted text: whitespace ends the current word.
    pub(crate) fn push_char(&mut self, buf: &mut String, ch: char) {
        if ch.is_whitespace() {
            if self.in_word && !buf.is_empty() {
                self.done.push(std::mem::take(buf));
                self.in_word = false;
            }
        } else {
            self.push_raw_char(buf, ch);
        }
    }

    /// Quoted or escaped text: kept whatever it is.
    pub(crate) fn push_raw_char(&mut self, buf: &mut String, ch: char) {
        buf.push(ch);
        self.in_word = true;
    }

    pub(crate) fn push_str(&mut self, buf: &mut String, text: &str) {
        for ch in text.chars() {
            self.push_char(buf, ch);
        }
    }

    pub(crate) fn push_raw_str(&mut self, buf: &mut String, text: &str) {
        buf.push_str(text);
        self.in_word = true;
    }

    /// An empty word in progress (from `""`) is dropped, as the reference does.
    pub(crate) fn finish(mut self, buf: &mut String) -> Vec<String> {
        if !buf.is_empty() {
            self.done.push(std::mem::take(buf));
        }
        self.done
    }
}
