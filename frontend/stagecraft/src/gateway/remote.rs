//! A remote main context (a Git repository or an HTTP(S) URL instead of a
//! local directory): the Dockerfile comes from it, and it is the context
//! every COPY reads, with no `.dockerignore`.

use stagecraft_llb::{FileAction, FileCopy, State};
use stagecraft_lower::{HTTP_CONTEXT_FILE, RemoteContext};
use stagecraft_proto::{Bridge, SolveOptions};

use super::failure::Failure;
use super::load::{Sources, read_dockerfile};
use super::request::Request;

/// How many bytes of a download tell a tarball from a Dockerfile.
const SNIFF: i64 = 1024;

pub async fn sources(
    bridge: &Bridge,
    request: &Request,
    remote: &RemoteContext,
) -> Result<Sources, Failure> {
    let (context, filename) = match remote {
        RemoteContext::Git(state) => (state.clone(), request.filename().to_string()),
        RemoteContext::Http(download) => {
            let reference = bridge
                .solve(stagecraft_llb::marshal(download), &SolveOptions::default())
                .await
                .map_err(|error| Failure::Bridge {
                    doing: "failed to resolve httpcontext",
                    error,
                })?;
            let head = bridge
                .read_file(&reference, HTTP_CONTEXT_FILE, Some((0, SNIFF)))
                .await
                .map_err(|error| Failure::Bridge {
                    doing: "failed to read downloaded context",
                    error,
                })?;
            if is_archive(&head) {
                // The tarball is the context: unpacked, the Dockerfile is in it.
                let mut copy =
                    FileCopy::new(download.clone(), format!("/{HTTP_CONTEXT_FILE}"), "/");
                copy.attempt_unpack = true;
                let unpacked = State::scratch().file(vec![FileAction::Copy(copy)]);
                (unpacked, request.filename().to_string())
            } else {
                // The download is the Dockerfile itself.
                (download.clone(), HTTP_CONTEXT_FILE.to_string())
            }
        }
    };
    let dockerfile = read_dockerfile(bridge, &filename, stagecraft_llb::marshal(&context)).await?;
    // The Dockerfile path stays relative to the whole download or
    // repository; only the context is narrowed.
    let context = match &request.context_subdir {
        Some(dir) => {
            let mut copy = FileCopy::new(context, dir.clone(), "/");
            copy.copy_dir_contents_only = true;
            State::scratch().file(vec![FileAction::Copy(copy)])
        }
        None => context,
    };
    Ok(Sources {
        dockerfile,
        exclude_patterns: Vec::new(),
        remote: Some(context),
    })
}

/// A compressed stream (bzip2, gzip, xz) or a tar header, as the reference
/// tells a context tarball from a Dockerfile.
fn is_archive(head: &[u8]) -> bool {
    const MAGIC: [&[u8]; 3] = [
        &[0x42, 0x5A, 0x68],
        &[0x1F, 0x8B, 0x08],
        &[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00],
    ];
    MAGIC.iter().any(|m| head.starts_with(m)) || is_tar_header(head)
}

/// A 512-byte tar header whose checksum (field at 148, octal) is the sum of
/// its bytes with that field read as spaces.
fn is_tar_header(head: &[u8]) -> bool {
    let Some(block) = head.get(..512) else {
        return false;
    };
    let Some(field) = block.get(148..156) else {
        return false;
    };
    let text: String = field
        .iter()
        .map(|b| char::from(*b))
        .filter(|c| c.is_ascii_digit())
        .collect();
    let Ok(want) = u64::from_str_radix(&text, 8) else {
        return false;
    };
    let sum = tar_checksum(block);
    !text.is_empty() && sum == want
}

/// The sum of a tar header's bytes, its checksum field counted as spaces.
fn tar_checksum(block: &[u8]) -> u64 {
    block
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(*b)
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_are_told_from_dockerfiles() {
        assert!(is_archive(&[0x1F, 0x8B, 0x08, 0, 0]));
        assert!(is_archive(b"BZh91AY"));
        assert!(!is_archive(b"FROM busybox\nRUN true\n"));
        // A real tar header: name, mode, checksum.
        let mut block = vec![0u8; 512];
        block[..8].copy_from_slice(b"file.txt");
        block[100..107].copy_from_slice(b"0000644");
        block[156] = b'0';
        let sum = tar_checksum(&block);
        let field = format!("{sum:06o}\0 ");
        block[148..156].copy_from_slice(field.as_bytes());
        assert!(is_archive(&block));
        block[0] = b'g';
        assert!(!is_archive(&block));
    }
}
