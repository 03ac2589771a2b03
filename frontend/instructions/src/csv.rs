//! The one-record CSV form of `--mount` and `--device` values.

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("bare \" in non-quoted field {field}")]
    BareQuote { field: usize },
    #[error("extraneous or missing \" in quoted field {field}")]
    UnterminatedQuote { field: usize },
}

/// Splits one CSV record: fields separated by `,`, a field may be wrapped in
/// double quotes (then `""` is a literal quote and `,` is literal).
pub fn fields(record: &str) -> Result<Vec<String>, CsvError> {
    let mut out = Vec::new();
    let mut chars = record.chars().peekable();
    loop {
        let number = out.len() + 1;
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(CsvError::UnterminatedQuote { field: number }),
                    Some('"') => match chars.peek() {
                        Some('"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some(',') | None => break,
                        Some(_) => return Err(CsvError::UnterminatedQuote { field: number }),
                    },
                    Some(c) => field.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '"' {
                    return Err(CsvError::BareQuote { field: number });
                }
                field.push(c);
                chars.next();
            }
        }
        out.push(field);
        match chars.next() {
            Some(',') => continue,
            _ => break,
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
