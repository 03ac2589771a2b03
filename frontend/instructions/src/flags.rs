//! `--name[=value]` flags, checked against what each instruction accepts.

use crate::error::ErrorKind;
use crate::suggest::suggest;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FlagKind {
    /// `--x`, `--x=true`, `--x=false`.
    Bool,
    /// `--x=value`, at most once.
    String,
    /// `--x=value`, repeatable.
    Strings,
}

/// Every flag of every instruction, so a flag used on the wrong
/// instruction can be told apart from a typo.
const ALL_FLAGS: &[(&str, &[&str])] = &[
    ("FROM", &["platform"]),
    ("RUN", &["mount", "network", "security", "device"]),
    (
        "COPY",
        &["chown", "from", "chmod", "link", "exclude", "parents"],
    ),
    (
        "ADD",
        &[
            "chown",
            "chmod",
            "link",
            "keep-git-dir",
            "checksum",
            "unpack",
            "exclude",
        ],
    ),
    (
        "HEALTHCHECK",
        &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
    ),
];

/// Values borrow the node's flag words: copied only when an instruction
/// keeps them.
#[derive(Clone, Debug)]
enum Value<'a> {
    Bool(bool),
    One(&'a str),
    Many(Vec<&'a str>),
}

/// The flags an instruction was given, after validation.
#[derive(Clone, Debug, Default)]
pub(crate) struct Flags<'a> {
    values: Vec<(&'static str, Value<'a>)>,
}

impl<'a> Flags<'a> {
    fn get(&self, name: &str) -> Option<&Value<'a>> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// `None` when the flag was not given.
    pub(crate) fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn string(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Some(Value::One(s)) => Some((*s).to_owned()),
            _ => None,
        }
    }

    pub(crate) fn strings(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some(Value::Many(v)) => v.iter().map(|s| (*s).to_owned()).collect(),
            _ => Vec::new(),
        }
    }

    /// Names of the flags given, in order of first use.
    pub(crate) fn used(&self) -> Vec<String> {
        self.values.iter().map(|(n, _)| n.to_string()).collect()
    }
}

/// Checks `raw` flag words against `spec`, the flags `instruction` accepts.
pub(crate) fn parse_flags<'a>(
    instruction: &str,
    raw: &'a [String],
    spec: &[(&'static str, FlagKind)],
) -> Result<Flags<'a>, ErrorKind> {
    let mut flags = Flags::default();
    for word in raw {
        if word == "--" {
            break;
        }
        let Some(body) = word.strip_prefix("--") else {
            return Err(ErrorKind::NotAFlag { arg: word.clone() });
        };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        // Only errors name the flag.
        let flag = || format!("--{name}");
        let Some(&(known, kind)) = spec.iter().find(|(n, _)| *n == name) else {
            return Err(unknown_flag(instruction, name, spec));
        };
        let seen = flags.values.iter().position(|(n, _)| *n == known);
        if seen.is_some() && kind != FlagKind::Strings {
            return Err(ErrorKind::DuplicateFlag { flag: flag() });
        }
        let parsed = match kind {
            FlagKind::Bool => match value {
                None => Value::Bool(true),
                Some("") => return Err(ErrorKind::MissingFlagValue { flag: flag() }),
                Some(v) if v.eq_ignore_ascii_case("true") => Value::Bool(true),
                Some(v) if v.eq_ignore_ascii_case("false") => Value::Bool(false),
                Some(v) => {
                    return Err(ErrorKind::NotABool {
                        flag: flag(),
                        value: v.to_string(),
                    });
                }
            },
            FlagKind::String => match value {
                None => return Err(ErrorKind::MissingFlagValue { flag: flag() }),
                Some(v) => Value::One(v),
            },
            FlagKind::Strings => {
                let Some(v) = value else {
                    return Err(ErrorKind::MissingFlagValue { flag: flag() });
                };
                if let Some(i) = seen
                    && let Some((_, Value::Many(list))) = flags.values.get_mut(i)
                {
                    list.push(v);
                    continue;
                }
                Value::Many(vec![v])
            }
        };
        flags.values.push((known, parsed));
    }
    Ok(flags)
}

fn unknown_flag(instruction: &str, name: &str, spec: &[(&'static str, FlagKind)]) -> ErrorKind {
    let flag = format!("--{name}");
    let owners: Vec<&str> = ALL_FLAGS
        .iter()
        .filter(|(owner, names)| !owner.eq_ignore_ascii_case(instruction) && names.contains(&name))
        .map(|(owner, _)| *owner)
        .collect();
    if !owners.is_empty() {
        return ErrorKind::FlagOfOtherInstruction {
            flag,
            instruction: instruction.to_uppercase(),
            owners: owners.join(" and "),
        };
    }
    let suggestion = suggest(name, spec.iter().map(|(n, _)| *n), true).map(|s| format!("--{s}"));
    ErrorKind::UnknownFlag { flag, suggestion }
}
