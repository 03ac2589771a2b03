//! Hostile Dockerfiles, made to measure: each class grows one cost that a
//! careless frontend lets run away (memory, time, message size). `size` is
//! the class's natural unit (lines, stages, ranges, bytes); the tests run
//! small sizes and assert bounds, the stress bench runs large ones.

use std::fmt::Write as _;

/// One kind of hostile input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `ENV A=$A$A` repeated: the value doubles per line.
    EnvDoubling,
    /// The same with global ARGs, each doubling the one before.
    GlobalArgDoubling,
    /// `EXPOSE 1-65535` repeated on one line.
    ExposeRanges,
    /// Stages each built on the one before, with a RUN each.
    FromChain,
    /// One ENV setting `size` distinct names.
    EnvPairs,
    /// One line of `size` bytes with an unknown keyword.
    LongLine,
    /// A file of `size` bytes of RUN lines.
    BigFile,
    /// Stages each copying from the (up to) 20 before.
    CopyFromMesh,
    /// Bytes that are not UTF-8 inside a RUN line.
    InvalidUtf8,
    /// A large ARG value seen by `size` RUN lines (env and history grow).
    ArgInManyRuns,
    /// `${A//?/…}`: a replacement per character.
    ReplaceBlowup,
    /// One base stage with a long history and `size` children of it.
    FanOut,
    /// Stages each adding a LABEL, a port, a volume and an ONBUILD to what
    /// they inherit.
    ConfigChain,
    /// One base stage with an ARG and `size` ENV names, and `size` children
    /// of it with nothing of their own: each child starts by setting the
    /// base's env again.
    FanOutArg,
    /// A base stage with `size` ENV names, then a chain of `size` stages on
    /// it that each add an ARG.
    ArgChain,
}

impl Class {
    pub const ALL: [Class; 15] = [
        Class::EnvDoubling,
        Class::GlobalArgDoubling,
        Class::ExposeRanges,
        Class::FromChain,
        Class::EnvPairs,
        Class::LongLine,
        Class::BigFile,
        Class::CopyFromMesh,
        Class::InvalidUtf8,
        Class::ArgInManyRuns,
        Class::ReplaceBlowup,
        Class::FanOut,
        Class::ConfigChain,
        Class::FanOutArg,
        Class::ArgChain,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::EnvDoubling => "env-doubling",
            Class::GlobalArgDoubling => "global-arg-doubling",
            Class::ExposeRanges => "expose-ranges",
            Class::FromChain => "from-chain",
            Class::EnvPairs => "env-pairs",
            Class::LongLine => "long-line",
            Class::BigFile => "big-file",
            Class::CopyFromMesh => "copy-from-mesh",
            Class::InvalidUtf8 => "invalid-utf8",
            Class::ArgInManyRuns => "arg-in-many-runs",
            Class::ReplaceBlowup => "replace-blowup",
            Class::FanOut => "fan-out",
            Class::ConfigChain => "config-chain",
            Class::FanOutArg => "fan-out-arg",
            Class::ArgChain => "arg-chain",
        }
    }

    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The size at which the issue measured the class (or a size past every
    /// limit): what the stress bench runs.
    pub fn large_size(self) -> usize {
        match self {
            Class::EnvDoubling => 40,
            Class::GlobalArgDoubling => 40,
            Class::ExposeRanges => 1000,
            Class::FromChain => 20_000,
            Class::EnvPairs => 100_000,
            Class::LongLine => 10_000_000,
            Class::BigFile => 12_000_000,
            Class::CopyFromMesh => 20_000,
            Class::InvalidUtf8 => 1000,
            Class::ArgInManyRuns => 5_000,
            Class::ReplaceBlowup => 30,
            Class::FanOut => 5_000,
            Class::ConfigChain => 5_000,
            Class::FanOutArg => 5_000,
            Class::ArgChain => 5_000,
        }
    }
}

/// The Dockerfile of `class` at `size`.
pub fn generate(class: Class, size: usize) -> Vec<u8> {
    let mut s = String::new();
    match class {
        Class::EnvDoubling => {
            s.push_str("FROM busybox\nARG A=xxxxxxxxxx\n");
            s.push_str(&"ENV A=$A$A\n".repeat(size));
            s.push_str("RUN true\n");
        }
        Class::GlobalArgDoubling => {
            s.push_str("ARG A0=xxxxxxxxxx\n");
            for i in 1..=size {
                let _ = writeln!(s, "ARG A{i}=${{A{p}}}${{A{p}}}", p = i - 1);
            }
            let _ = write!(s, "FROM busybox\nARG A{size}\nRUN echo $A{size}\n");
        }
        Class::ExposeRanges => {
            s.push_str("FROM busybox\nEXPOSE");
            for _ in 0..size {
                s.push_str(" 1-65535");
            }
            s.push('\n');
        }
        Class::FromChain => {
            s.push_str("FROM busybox AS s0\n");
            for i in 1..size {
                let _ = write!(s, "FROM s{} AS s{i}\nRUN echo {i}\n", i - 1);
            }
        }
        Class::EnvPairs => {
            s.push_str("FROM busybox\nENV");
            for i in 0..size {
                let _ = write!(s, " K{i}=v");
            }
            s.push('\n');
        }
        Class::LongLine => {
            s.push_str("FROM busybox\nRUNX ");
            s.push_str(&"a".repeat(size));
            s.push('\n');
        }
        Class::BigFile => {
            s.push_str("FROM busybox\n");
            let line = format!("RUN echo {}\n", "a".repeat(190));
            while s.len() + line.len() <= size.max(line.len()) {
                s.push_str(&line);
            }
        }
        Class::CopyFromMesh => {
            s.push_str("FROM busybox AS s0\n");
            for i in 1..size {
                let _ = writeln!(s, "FROM busybox AS s{i}");
                for j in i.saturating_sub(20)..i {
                    let _ = writeln!(s, "COPY --from=s{j} a {j}");
                }
            }
        }
        Class::InvalidUtf8 => {
            let mut bytes = b"FROM busybox\n".to_vec();
            for _ in 0..size {
                bytes.extend_from_slice(b"RUN echo ok\n");
            }
            bytes.extend_from_slice(b"RUN echo \xff\xfe bad\n");
            return bytes;
        }
        Class::ArgInManyRuns => {
            let _ = writeln!(s, "FROM busybox\nARG A={}", "v".repeat(64 << 10));
            for i in 0..size {
                let _ = writeln!(s, "RUN echo {i} $A");
            }
        }
        Class::ReplaceBlowup => {
            s.push_str("FROM busybox\nENV A=abcdefghij\n");
            for _ in 0..size {
                s.push_str("ENV A=${A//?/$A}\n");
            }
        }
        Class::FanOut => {
            s.push_str("FROM busybox AS base\n");
            for i in 0..size {
                let _ = writeln!(s, "ENV K{i}={i}");
            }
            for i in 0..size {
                let _ = writeln!(s, "FROM base AS c{i}\nRUN echo {i}");
            }
        }
        Class::FanOutArg => {
            s.push_str("FROM busybox AS base\nARG A=1\n");
            for i in 0..size {
                let _ = writeln!(s, "ENV K{i}={i}");
            }
            for i in 0..size {
                let _ = writeln!(s, "FROM base AS c{i}");
            }
        }
        Class::ArgChain => {
            s.push_str("FROM busybox AS s0\n");
            for i in 0..size {
                let _ = writeln!(s, "ENV K{i}={i}");
            }
            for i in 1..=size {
                let _ = writeln!(s, "FROM s{} AS s{i}\nARG A{i}={i}", i - 1);
            }
        }
        Class::ConfigChain => {
            s.push_str("FROM busybox AS s0\n");
            for i in 1..size {
                let _ = write!(
                    s,
                    "FROM s{} AS s{i}\nLABEL l{i}={i}\nEXPOSE {i}\nVOLUME /v{i}\nONBUILD RUN echo {i}\n",
                    i - 1
                );
            }
        }
    }
    s.into_bytes()
}
