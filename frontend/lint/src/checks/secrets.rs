//! Names that look like they hold a secret.

const DENY: [&str; 10] = [
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];
const ALLOW: [&str; 3] = ["public", "file", "version"];

fn has_part(name: &str, words: &[&str]) -> bool {
    name.split('_')
        .any(|part| words.iter().any(|w| part.eq_ignore_ascii_case(w)))
}

/// `API_KEY`, `db_password`, `GITHUB_TOKEN`: one `_`-separated part is a
/// secret word, and none says it is public, a file or a version.
pub(crate) fn looks_secret(name: &str) -> bool {
    has_part(name, &DENY) && !has_part(name, &ALLOW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_words_by_part() {
        for name in [
            "API_KEY",
            "password",
            "GITHUB_TOKEN",
            "my_Secret_value",
            "AUTH",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in [
            "KEYS",
            "PUBLIC_KEY",
            "TOKEN_FILE",
            "SECRET_VERSION",
            "MONKEY",
            "apikeys",
        ] {
            assert!(!looks_secret(name), "{name}");
        }
    }
}
