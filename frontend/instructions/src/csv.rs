//! The one-record CSV form of `--mount` and `--device` values.

use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("bare \" in non-quoted field {field}")]
    BareQuote { field: usize },
    #[error("extraneous or missing \" in quoted field {field}")]
    UnterminatedQuote { field: usize },
}

/// Splits one CSV record: fields separated by `,`, a field may be wrapped in
/// double quotes (then `""` is a literal quote and `,` is literal). Unquoted
/// fields are borrowed from `record`.
pub fn fields(record: &str) -> Result<Vec<Cow<'_, str>>, CsvError> {
    if !record.contains('"') {
        return Ok(record.split(',').map(Cow::Borrowed).collect());
    }
    let mut out = Vec::new();
    let mut rest = record;
    loop {
        let number = out.len() + 1;
        let after;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut field = String::new();
            let mut chars = quoted.char_indices();
            loop {
                match chars.next() {
                    None => return Err(CsvError::UnterminatedQuote { field: number }),
                    Some((i, '"')) => match quoted.get(i + 1..).and_then(|t| t.chars().next()) {
                        Some('"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some(',') | None => {
                            after = quoted.get(i + 1..).unwrap_or_default();
                            break;
                        }
                        Some(_) => return Err(CsvError::UnterminatedQuote { field: number }),
                    },
                    Some((_, c)) => field.push(c),
                }
            }
            out.push(Cow::Owned(field));
        } else {
            let end = rest.find([',', '"']).unwrap_or(rest.len());
            let (field, tail) = rest.split_at(end);
            if tail.starts_with('"') {
                return Err(CsvError::BareQuote { field: number });
            }
            out.push(Cow::Borrowed(field));
            after = tail;
        }
        match after.strip_prefix(',') {
            Some(tail) => rest = tail,
            None => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_records() {
        let cases: &[(&str, &[&str])] = &[
            ("a,b", &["a", "b"]),
            ("type=cache,target=/x", &["type=cache", "target=/x"]),
            ("\"a,b\",c", &["a,b", "c"]),
            ("\"say \"\"hi\"\"\"", &["say \"hi\""]),
            ("", &[""]),
            ("a,", &["a", ""]),
            (",", &["", ""]),
            ("\"\",x", &["", "x"]),
            ("é=ü,b", &["é=ü", "b"]),
            ("\"é,ü\"", &["é,ü"]),
        ];
        for (input, want) in cases {
            assert_eq!(fields(input).unwrap(), *want, "{input}");
        }
    }

    #[test]
    fn rejects_bad_quotes() {
        assert_eq!(fields("a\"b"), Err(CsvError::BareQuote { field: 1 }));
        assert_eq!(
            fields("x,\"ab"),
            Err(CsvError::UnterminatedQuote { field: 2 })
        );
        assert_eq!(
            fields("\"ab\"c"),
            Err(CsvError::UnterminatedQuote { field: 1 })
        );
    }
}
