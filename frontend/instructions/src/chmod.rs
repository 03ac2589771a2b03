//! `--chmod` values: octal (`0755`) or symbolic (`u+x,go-w`, `a=rX`).
//!
//! The dispatcher expands the flag first; BuildKit applies symbolic modes
//! itself (the raw text travels as the copy's mode string), so
//! [`FileMode::apply`] exists for tests and for showing the result.

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChmodError {
    #[error("invalid chmod parameter: '{0}'. it should be octal string and between 0 and 07777")]
    NotOctal(String),
    #[error("invalid chmod parameter: '{0}': invalid symbolic mode")]
    BadSymbolic(String),
}

/// Who a symbolic clause changes: bit set of user, group, other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Who {
    pub user: bool,
    pub group: bool,
    pub other: bool,
}

impl Who {
    /// No letters (`+x`) means everyone.
    fn mask(self) -> u32 {
        if !self.user && !self.group && !self.other {
            return 0o7777;
        }
        let mut mask = 0;
        if self.user {
            mask |= 0o4700;
        }
        if self.group {
            mask |= 0o2070;
        }
        if self.other {
            mask |= 0o0007;
        }
        if self.user && self.group && self.other {
            mask |= 0o1000;
        }
        mask
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Remove,
    Set,
}

/// What an operator applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perms {
    /// Any of `rwxXst`.
    Bits {
        read: bool,
        write: bool,
        exec: bool,
        /// `X`: execute only for directories or already-executable files.
        exec_if_any: bool,
        setid: bool,
        sticky: bool,
    },
    /// `g=u`: copy the permissions of another class.
    CopyFrom(Class),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    User,
    Group,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolicClause {
    pub who: Who,
    pub actions: Vec<(Op, Perms)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileMode {
    Octal(u32),
    Symbolic {
        text: String,
        clauses: Vec<SymbolicClause>,
    },
}

impl FileMode {
    /// Parses an (already expanded) `--chmod` value.
    pub fn parse(text: &str) -> Result<FileMode, ChmodError> {
        if text.starts_with(|c: char| c.is_ascii_digit()) {
            let octal = text.bytes().all(|b| (b'0'..=b'7').contains(&b));
            return match u32::from_str_radix(text, 8) {
                Ok(v) if octal && v <= 0o7777 => Ok(FileMode::Octal(v)),
                _ => Err(ChmodError::NotOctal(text.to_string())),
            };
        }
        let bad = || ChmodError::BadSymbolic(text.to_string());
        let mut clauses = Vec::new();
        for clause in text.split(',') {
            let mut chars = clause.chars().peekable();
            let mut who = Who::default();
            while let Some(&c) = chars.peek() {
                match c {
                    'u' => who.user = true,
                    'g' => who.group = true,
                    'o' => who.other = true,
                    'a' => {
                        who = Who {
                            user: true,
                            group: true,
                            other: true,
                        }
                    }
                    _ => break,
                }
                chars.next();
            }
            let mut actions = Vec::new();
            while let Some(c) = chars.next() {
                let op = match c {
                    '+' => Op::Add,
                    '-' => Op::Remove,
                    '=' => Op::Set,
                    _ => return Err(bad()),
                };
                let copy = match chars.peek() {
                    Some('u') => Some(Class::User),
                    Some('g') => Some(Class::Group),
                    Some('o') => Some(Class::Other),
                    _ => None,
                };
                if let Some(class) = copy {
                    chars.next();
                    actions.push((op, Perms::CopyFrom(class)));
                    continue;
                }
                let (mut read, mut write, mut exec, mut exec_if_any, mut setid, mut sticky) =
                    (false, false, false, false, false, false);
                while let Some(&p) = chars.peek() {
                    match p {
                        'r' => read = true,
                        'w' => write = true,
                        'x' => exec = true,
                        'X' => exec_if_any = true,
                        's' => setid = true,
                        't' => sticky = true,
                        _ => break,
                    }
                    chars.next();
                }
                actions.push((
                    op,
                    Perms::Bits {
                        read,
                        write,
                        exec,
                        exec_if_any,
                        setid,
                        sticky,
                    },
                ));
            }
            if actions.is_empty() {
                return Err(bad());
            }
            clauses.push(SymbolicClause { who, actions });
        }
        Ok(FileMode::Symbolic {
            text: text.to_string(),
            clauses,
        })
    }

    /// The mode a file with `mode` ends up with.
    pub fn apply(&self, mode: u32, is_dir: bool) -> u32 {
        let clauses = match self {
            FileMode::Octal(v) => return *v,
            FileMode::Symbolic { clauses, .. } => clauses,
        };
        let original = mode;
        let mut mode = mode & 0o7777;
        for clause in clauses {
            let mask = clause.who.mask();
            for (op, perms) in &clause.actions {
                let bits = match *perms {
                    Perms::CopyFrom(class) => {
                        let three = match class {
                            Class::User => (mode >> 6) & 7,
                            Class::Group => (mode >> 3) & 7,
                            Class::Other => mode & 7,
                        };
                        three * 0o111
                    }
                    Perms::Bits {
                        read,
                        write,
                        exec,
                        exec_if_any,
                        setid,
                        sticky,
                    } => {
                        let any_exec = is_dir || original & 0o111 != 0;
                        let mut b = 0;
                        if read {
                            b |= 0o444;
                        }
                        if write {
                            b |= 0o222;
                        }
                        if exec || (exec_if_any && (any_exec || *op == Op::Remove)) {
                            b |= 0o111;
                        }
                        if setid {
                            b |= 0o6000;
                        }
                        if sticky {
                            b |= 0o1000;
                        }
                        b
                    }
                };
                match op {
                    Op::Add => mode |= bits & mask,
                    Op::Remove => mode &= !(bits & mask),
                    Op::Set => mode = (mode & !(mask & 0o0777)) | (bits & mask),
                }
            }
        }
        mode
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_modes() {
        for (text, want) in [("755", 0o755), ("0644", 0o644), ("0", 0), ("7777", 0o7777)] {
            assert_eq!(FileMode::parse(text), Ok(FileMode::Octal(want)), "{text}");
        }
        for text in ["17777", "789", "08", "9"] {
            assert_eq!(
                FileMode::parse(text),
                Err(ChmodError::NotOctal(text.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn symbolic_modes_apply() {
        let cases: &[(&str, u32, bool, u32)] = &[
            ("u+x", 0o644, false, 0o744),
            ("+x", 0o644, false, 0o755),
            ("a+x", 0o644, false, 0o755),
            ("go-w", 0o666, false, 0o644),
            ("u=rwx,go=rx", 0o000, false, 0o755),
            ("a=rX", 0o644, false, 0o444),
            ("a=rX", 0o744, false, 0o555),
            ("a=rX", 0o700, true, 0o555),
            ("g=u", 0o640, false, 0o660),
            ("o=", 0o777, false, 0o770),
            ("u+s", 0o755, false, 0o4755),
            ("+t", 0o755, true, 0o1755),
            ("u+x-w", 0o644, false, 0o544),
        ];
        for (text, from, dir, want) in cases {
            let mode = FileMode::parse(text).unwrap();
            assert!(matches!(mode, FileMode::Symbolic { .. }), "{text}");
            assert_eq!(mode.apply(*from, *dir), *want, "{text} on {from:o}");
        }
    }

    #[test]
    fn bad_symbolic_modes() {
        for text in ["", "u", "x", "u+x,", "z+x", "u*x", ",u+x"] {
            assert_eq!(
                FileMode::parse(text),
                Err(ChmodError::BadSymbolic(text.to_string())),
                "{text:?}"
            );
        }
    }
}
