//! The instruction text in progress names (`[<stage> <i>/<total>]` is
//! `crate::steps`).

use stagecraft_shell::Lexer;

use crate::envlist::EnvList;

/// Upper-cases the first word (the keyword as the user wrote it).
pub(crate) fn uppercase_keyword(text: &str) -> String {
    match text.split_once(' ') {
        Some((kw, rest)) => format!("{} {rest}", kw.to_uppercase()),
        None => text.to_uppercase(),
    }
}

/// Expands variables for display: quotes kept, unset variables left as
/// written; on an expansion error the text is shown unexpanded.
pub(crate) fn expand_for_name(lexer: Lexer, text: &str, env: &EnvList) -> String {
    lexer
        .raw_quotes(true)
        .skip_unset_env(true)
        .expand_word(text, env)
        .map(|e| e.value)
        .unwrap_or_else(|_| text.to_string())
}

/// Expands variables for display the way the reference names every step
/// but RUN: quotes removed, unset variables empty; on an expansion error the
/// text is shown unexpanded.
pub(crate) fn expand_plain_for_name(lexer: Lexer, text: &str, env: &EnvList) -> String {
    lexer
        .expand_word(text, env)
        .map_or_else(|_| text.to_string(), |e| e.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_set_vars_keeps_unset_and_quotes() {
        let mut env = EnvList::new();
        env.set("A", "x");
        let lexer = Lexer::new('\\');
        assert_eq!(
            expand_for_name(lexer, "run echo \"$A\" $B", &env),
            "run echo \"x\" $B"
        );
        assert_eq!(uppercase_keyword("run echo"), "RUN echo");
    }

    #[test]
    fn plain_expansion_drops_quotes_and_unset_vars() {
        let mut env = EnvList::new();
        env.set("A", "x");
        let lexer = Lexer::new('\\');
        assert_eq!(
            expand_plain_for_name(lexer, "workdir \"/q $A\"$HOME/c", &env),
            "workdir /q x/c"
        );
    }
}
