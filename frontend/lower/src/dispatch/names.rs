//! Progress names: `[<stage> <i>/<total>] <INSTRUCTION …>`.

use stagecraft_shell::Lexer;

use super::Progress;
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

/// Adds the `[stage i/total] ` prefix (nothing when the stage counts no
/// steps) and advances the counter. The index is right-aligned to the
/// width of `total`.
pub(crate) fn prefix(progress: &mut Progress, on_build: bool, text: &str) -> String {
    if progress.total == 0 {
        return text.to_string();
    }
    progress.index += 1;
    let width = progress.total.to_string().len();
    let mut out = String::from("[");
    if let Some(name) = &progress.stage_name {
        out.push_str(name);
        out.push(' ');
    }
    out.push_str(&format!(
        "{:>width$}/{}] ",
        progress.index,
        progress.total,
        width = width
    ));
    if on_build {
        out.push_str("ONBUILD ");
    }
    out.push_str(text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_the_index_to_the_total_width() {
        let mut p = Progress {
            stage_name: Some("build".into()),
            index: 0,
            total: 12,
        };
        assert_eq!(prefix(&mut p, false, "RUN x"), "[build  1/12] RUN x");
        assert_eq!(prefix(&mut p, true, "RUN y"), "[build  2/12] ONBUILD RUN y");
    }

    #[test]
    fn single_stage_has_no_stage_name_and_zero_total_no_prefix() {
        let mut p = Progress {
            stage_name: None,
            index: 0,
            total: 2,
        };
        assert_eq!(prefix(&mut p, false, "FROM a"), "[1/2] FROM a");
        let mut none = Progress::default();
        assert_eq!(prefix(&mut none, false, "COPY a b"), "COPY a b");
    }

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
