//! Dockerfiles shaped from fuzzer bytes: the bytes choose among keywords,
//! flags, `${}` forms, heredocs and stage references, so nearly every input
//! parses and reaches lowering (random text mostly stops at the parser).

use arbitrary::{Result, Unstructured};

/// Largest Dockerfile made, in bytes.
pub const MAX_BYTES: usize = 64 << 10;

const IMAGES: &[&str] = &[
    "busybox",
    "alpine:3",
    "scratch",
    "node:20",
    "$BASE",
    "${IMG:-busybox}",
];
const NAMES: &[&str] = &["A", "B", "PATH", "HOME", "BASE", "IMG", "X_1", "TARGETARCH"];
const LITERALS: &[&str] = &[
    "a", "b c", "/app", "x*y", "1-3", "8080/tcp", "--", "\"q\"", "'s'", "\\", "é", "=", "\t", "{}",
    "[\"sh\"]", "#", "80", "u:g", "0755", "..", ".",
];

fn pick<'a>(u: &mut Unstructured<'_>, from: &[&'a str]) -> Result<&'a str> {
    u.choose(from).copied()
}

/// One word: literals and variable forms glued together.
fn word(u: &mut Unstructured<'_>, depth: u8) -> Result<String> {
    let mut out = String::new();
    for _ in 0..u.int_in_range(1..=4)? {
        let name = pick(u, NAMES)?;
        match u.int_in_range(0..=9)? {
            0 => out.push_str(&format!("${name}")),
            1 => out.push_str(&format!("${{{name}}}")),
            2 if depth < 3 => {
                let op = pick(u, &[":-", "-", ":+", "+", "?", ":?", "#", "##", "%", "%%"])?;
                out.push_str(&format!("${{{name}{op}{}}}", word(u, depth + 1)?));
            }
            3 if depth < 3 => {
                let slashes = pick(u, &["/", "//"])?;
                out.push_str(&format!(
                    "${{{name}{slashes}{}/{}}}",
                    word(u, depth + 1)?,
                    word(u, depth + 1)?
                ));
            }
            4 => out.push_str(&format!("\"{}\"", pick(u, LITERALS)?)),
            _ => out.push_str(pick(u, LITERALS)?),
        }
    }
    Ok(out)
}

fn words(u: &mut Unstructured<'_>, max: u8) -> Result<String> {
    let mut parts = Vec::new();
    for _ in 0..u.int_in_range(1..=max)? {
        parts.push(word(u, 0)?);
    }
    Ok(parts.join(" "))
}

fn stage_ref(u: &mut Unstructured<'_>, stages: usize) -> Result<String> {
    Ok(match u.int_in_range(0..=2)? {
        0 => format!("s{}", u.int_in_range(0..=stages)?),
        1 => u.int_in_range(0..=stages)?.to_string(),
        _ => pick(u, IMAGES)?.to_string(),
    })
}

fn heredoc(u: &mut Unstructured<'_>) -> Result<String> {
    let tag = pick(u, &["EOF", "\"EOT\"", "-END"])?;
    let end = tag.trim_matches('"').trim_start_matches('-');
    Ok(format!("<<{tag}\n{}\n{end}", words(u, 3)?))
}

fn instruction(u: &mut Unstructured<'_>, stages: usize, depth: u8) -> Result<String> {
    Ok(match u.int_in_range(0..=17)? {
        0 | 1 => {
            let mut flags = String::new();
            if u.ratio(1, 3)? {
                let kind = pick(u, &["bind", "cache", "tmpfs", "secret", "ssh"])?;
                flags.push_str(&format!("--mount=type={kind},target=/m"));
                if u.ratio(1, 2)? {
                    flags.push_str(&format!(",from={}", stage_ref(u, stages)?));
                }
                flags.push(' ');
            }
            if u.ratio(1, 5)? {
                flags.push_str(&format!(
                    "--network={} ",
                    pick(u, &["none", "host", "default", "x"])?
                ));
            }
            let body = match u.int_in_range(0..=3)? {
                0 => format!("[\"{}\"]", word(u, 0)?.replace('"', "")),
                1 => heredoc(u)?,
                _ => words(u, 5)?,
            };
            format!("RUN {flags}{body}")
        }
        2 | 3 => {
            let key = pick(u, &["COPY", "ADD"])?;
            let mut flags = String::new();
            if u.ratio(1, 2)? {
                flags.push_str(&format!("--from={} ", stage_ref(u, stages)?));
            }
            for flag in [
                "--link",
                "--chown=1:1",
                "--chmod=755",
                "--parents",
                "--exclude=*.x",
            ] {
                if u.ratio(1, 8)? {
                    flags.push_str(flag);
                    flags.push(' ');
                }
            }
            let body = if u.ratio(1, 6)? {
                format!("{} /dst", heredoc(u)?)
            } else {
                words(u, 4)?
            };
            format!("{key} {flags}{body}")
        }
        4 => format!("ENV {}={}", pick(u, NAMES)?, word(u, 0)?),
        5 => format!("ARG {}={}", pick(u, NAMES)?, word(u, 0)?),
        6 => format!("ARG {}", pick(u, NAMES)?),
        7 => format!("WORKDIR {}", word(u, 0)?),
        8 => format!("USER {}", word(u, 0)?),
        9 => format!("EXPOSE {}", words(u, 3)?),
        10 => format!("LABEL {}={}", word(u, 0)?, word(u, 0)?),
        11 => format!("VOLUME {}", words(u, 2)?),
        12 => format!("CMD {}", words(u, 3)?),
        13 => format!(
            "ENTRYPOINT [\"{}\"]",
            pick(u, LITERALS)?.replace(['"', '\\'], "")
        ),
        14 => "SHELL [\"/bin/sh\", \"-c\"]".to_string(),
        15 if depth == 0 => format!("ONBUILD {}", instruction(u, stages, 1)?),
        16 => format!(
            "HEALTHCHECK --interval={}s CMD {}",
            u.int_in_range(0..=99)?,
            word(u, 0)?
        ),
        _ => format!("STOPSIGNAL {}", pick(u, &["SIGTERM", "9", "$A", "x"])?),
    })
}

/// A Dockerfile made from `u`'s bytes, at most [`MAX_BYTES`] long.
pub fn dockerfile(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::new();
    if u.ratio(1, 8)? {
        out.push_str("# escape=`\n");
    }
    for _ in 0..u.int_in_range(0..=2)? {
        out.push_str(&format!("ARG {}={}\n", pick(u, NAMES)?, word(u, 0)?));
    }
    let stages = u.int_in_range(1..=6)?;
    for s in 0..stages {
        let base = if s > 0 && u.ratio(1, 2)? {
            format!("s{}", u.int_in_range(0..=s - 1)?)
        } else {
            pick(u, IMAGES)?.to_string()
        };
        let platform = if u.ratio(1, 8)? {
            "--platform=$BUILDPLATFORM "
        } else {
            ""
        };
        out.push_str(&format!("FROM {platform}{base} AS s{s}\n"));
        for _ in 0..u.int_in_range(0..=12)? {
            let line = instruction(u, stages, 0)?;
            if out.len() + line.len() + 1 > MAX_BYTES {
                return Ok(out);
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// Shapes `data` into a Dockerfile and runs it through every phase; used by
/// the fuzz target and the corpus test. It must return for every input.
pub fn exercise(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(text) = dockerfile(&mut u) else { return };
    let _ = crate::pipeline::run(text.as_bytes(), stagecraft_lower::Limits::default());
}
