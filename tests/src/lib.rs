//! Cross-crate tests live in `tests/`; this library holds what they share
//! with the fuzz targets and the stress bench.

pub mod hostile;
pub mod pipeline;
pub mod shapes;

use std::collections::BTreeMap;

/// Runs one input through every phase that takes untrusted text: parse,
/// typed instructions, and word expansion in both modes with both escape
/// characters. It must return for every input; the fuzzer and the corpus
/// regression test call it.
pub fn exercise(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = stagecraft_syntax::parse(text) {
        let _ = parsed.dump();
        let _ = stagecraft_instructions::parse_dockerfile(&parsed);
    }
    let _ = stagecraft_syntax::detect_syntax(text);
    let env = BTreeMap::from([
        ("A".to_string(), "a b".to_string()),
        ("EMPTY".to_string(), String::new()),
        ("KOREAN".to_string(), "한국어".to_string()),
    ]);
    for escape in ['\\', '`'] {
        let lexer = stagecraft_shell::Lexer::new(escape);
        for line in text.lines().take(64) {
            let _ = lexer.expand_word(line, &env);
            let _ = lexer.expand_words(line, &env);
        }
    }
}
