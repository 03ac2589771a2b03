//! Fetching the Dockerfile and the `.dockerignore` from the client.
//!
//! Each is a small Solve of one `local://` source limited to the files
//! wanted (`local.followpaths`), then a ReadFile on the result, as Docker's
//! frontend does, so the daemon shows the same `[internal] load …` steps.

use std::collections::BTreeMap;

use prost::Message;
use stagecraft_llb::{LocalDiffer, LocalSession, LocalSource, State};
use stagecraft_proto::{Bridge, RefId, SolveOptions, pb};

use stagecraft_lower::NamedLocal;

use super::failure::Failure;
use super::request::{CONTEXT_INPUT, CONTEXT_LOCAL, DOCKERFILE_INPUT, Request};

/// The name Docker also accepts in lower case (moby/moby#10858).
const DEFAULT_DOCKERFILE: &str = "Dockerfile";
const DOCKERIGNORE: &str = ".dockerignore";

/// The Dockerfile as read from the client.
#[derive(Clone, Debug)]
pub struct DockerfileSource {
    pub filename: String,
    pub data: Vec<u8>,
    /// The Definition that loaded it: goes into the source map, and its head
    /// is the vertex warnings are attached to.
    pub definition: pb::Definition,
    /// `<Dockerfile>.dockerignore`, when there is one next to it.
    pub own_dockerignore: Option<Vec<u8>>,
}

impl DockerfileSource {
    /// Digest of the op that produced the file.
    pub fn vertex_digest(&self) -> String {
        head_digest(&self.definition).unwrap_or_default()
    }
}

/// The client's inputs (cap `frontend.inputs`), by name.
pub type Inputs = BTreeMap<String, pb::Definition>;

/// The Dockerfile and the `.dockerignore` patterns that apply to the context.
pub struct Sources {
    pub dockerfile: DockerfileSource,
    pub exclude_patterns: Vec<String>,
    /// The main context when the client named a remote one.
    pub remote: Option<State>,
}

/// Reads the Dockerfile and the `.dockerignore` together: both Solves go out
/// at once, then their ReadFiles, so the two files cost the round trips of
/// one. The context's `.dockerignore` is read even when the Dockerfile turns
/// out to have its own (which then wins): one small file more in that rare
/// case buys two round trips fewer in the usual one.
pub async fn sources(
    bridge: &Bridge,
    request: &Request,
    inputs: &Inputs,
) -> Result<Sources, Failure> {
    if inputs.contains_key(CONTEXT_INPUT) {
        return Err(Failure::Unsupported(
            "a build context passed as a frontend input is not supported by Stagecraft yet"
                .to_string(),
        ));
    }
    if let Some(remote) = &request.remote_context {
        return super::remote::sources(bridge, request, remote).await;
    }
    let definition = match inputs.get(DOCKERFILE_INPUT) {
        Some(input) if !request.dockerfile.forced => input.clone(),
        _ => dockerfile_local(request)?,
    };
    let (dockerfile, context_ignore) = futures::join!(
        read_dockerfile(bridge, request.filename(), definition),
        context_dockerignore(bridge, request)
    );
    let dockerfile = dockerfile?;
    let exclude_patterns = match &dockerfile.own_dockerignore {
        Some(own) => crate::dockerignore::parse(own),
        None => crate::dockerignore::parse(&context_ignore?),
    };
    Ok(Sources {
        dockerfile,
        exclude_patterns,
        remote: None,
    })
}

/// Solves `definition` (the Dockerfile local or input, or a remote context)
/// and reads the Dockerfile from it, and its own `.dockerignore` next to it
/// if there is one.
pub async fn read_dockerfile(
    bridge: &Bridge,
    filename: &str,
    definition: pb::Definition,
) -> Result<DockerfileSource, Failure> {
    let filename = filename.to_string();
    let reference = bridge
        .solve(definition.clone(), &SolveOptions::default())
        .await
        .map_err(|error| Failure::Bridge {
            doing: "failed to resolve dockerfile",
            error,
        })?;
    let own_dockerignore_path = format!("{filename}{DOCKERIGNORE}");
    let (data, own_dockerignore) = futures::join!(
        bridge.read_file(&reference, &filename, None),
        bridge.read_file(&reference, &own_dockerignore_path, None)
    );
    let data = match data {
        Ok(data) => data,
        Err(error) => match lower_case_variant(&filename) {
            Some(other) => bridge
                .read_file(&reference, &other, None)
                .await
                .map_err(|_| Failure::Bridge {
                    doing: "failed to read dockerfile",
                    error,
                })?,
            None => {
                return Err(Failure::Bridge {
                    doing: "failed to read dockerfile",
                    error,
                });
            }
        },
    };
    Ok(DockerfileSource {
        filename,
        data,
        definition,
        own_dockerignore: own_dockerignore.ok(),
    })
}

/// The Definition of the Dockerfile local, limited to the files we read.
pub fn dockerfile_local(request: &Request) -> Result<pb::Definition, Failure> {
    let filename = request.filename();
    let mut follow = vec![filename.to_string(), format!("{filename}{DOCKERIGNORE}")];
    follow.extend(lower_case_variant(filename));
    let local = &request.dockerfile.name;
    let source = local_source(request, local)
        .with_follow_paths(follow)
        .with_shared_key_hint(local.clone());
    let state = local_state(source)?
        .with_custom_name(format!("[internal] load build definition from {filename}"));
    Ok(stagecraft_llb::marshal(&state))
}

/// The bytes of the context's `.dockerignore` (empty when there is none).
async fn context_dockerignore(bridge: &Bridge, request: &Request) -> Result<Vec<u8>, Failure> {
    let reference = bridge
        .solve(dockerignore_local(request)?, &SolveOptions::default())
        .await
        .map_err(|error| Failure::Bridge {
            doing: "failed to read dockerignore patterns",
            error,
        })?;
    Ok(read_optional(bridge, &reference, DOCKERIGNORE).await)
}

fn dockerignore_local(request: &Request) -> Result<pb::Definition, Failure> {
    let source = local_source(request, CONTEXT_LOCAL)
        .with_follow_paths(vec![DOCKERIGNORE.to_string()])
        .with_shared_key_hint(format!("{CONTEXT_LOCAL}-{DOCKERIGNORE}"));
    let state = local_state(source)?.with_custom_name(format!("[internal] load {DOCKERIGNORE}"));
    Ok(stagecraft_llb::marshal(&state))
}

/// The directories `local:<name>` named contexts send, each with its own
/// `.dockerignore` (read as the reference reads it: a small Solve, then a
/// ReadFile whose failure means no file).
pub async fn named_locals(
    bridge: &Bridge,
    request: &Request,
) -> Result<BTreeMap<String, NamedLocal>, Failure> {
    let mut locals = BTreeMap::new();
    for (key, value) in &request.options.named_contexts {
        let Some(name) = value.strip_prefix("local:") else {
            continue;
        };
        if locals.contains_key(name) {
            continue;
        }
        let source = local_source(request, name)
            .with_follow_paths(vec![DOCKERIGNORE.to_string()])
            .with_shared_key_hint(format!("context:{key}-{DOCKERIGNORE}"));
        let state =
            local_state(source)?.with_custom_name(format!("[context {key}] load {DOCKERIGNORE}"));
        let reference = bridge
            .solve(stagecraft_llb::marshal(&state), &SolveOptions::default())
            .await
            .map_err(|error| Failure::Bridge {
                doing: "failed to read the dockerignore patterns of a named context",
                error,
            })?;
        let data = read_optional(bridge, &reference, DOCKERIGNORE).await;
        locals.insert(
            name.to_string(),
            NamedLocal {
                session_id: request.session_for(name),
                exclude_patterns: crate::dockerignore::parse(&data),
            },
        );
    }
    Ok(locals)
}

async fn read_optional(bridge: &Bridge, reference: &RefId, path: &str) -> Vec<u8> {
    bridge
        .read_file(reference, path, None)
        .await
        .unwrap_or_default()
}

fn local_source(request: &Request, name: &str) -> LocalSource {
    let session = match request.session_for(name) {
        Some(id) => LocalSession::Session(id),
        // Without a session the daemon uses the request's; a stable ID keeps
        // the cache key stable.
        None => LocalSession::Unique(name.to_string()),
    };
    // The content of these two files is all that matters, not metadata.
    LocalSource::new(name, session).with_differ(LocalDiffer::None, false)
}

fn local_state(source: LocalSource) -> Result<State, Failure> {
    State::local(source).map_err(|e| Failure::Unsupported(e.to_string()))
}

/// `dir/dockerfile` for `dir/Dockerfile`; nothing for other names.
fn lower_case_variant(filename: &str) -> Option<String> {
    let (dir, base) = match filename.rsplit_once('/') {
        Some((dir, base)) => (Some(dir), base),
        None => (None, filename),
    };
    if base != DEFAULT_DOCKERFILE {
        return None;
    }
    let lower = DEFAULT_DOCKERFILE.to_ascii_lowercase();
    Some(match dir {
        Some(dir) => format!("{dir}/{lower}"),
        None => lower,
    })
}

/// The digest of the op a Definition's terminal op points at.
pub fn head_digest(definition: &pb::Definition) -> Option<String> {
    let last = definition.def.last()?;
    let terminal = pb::Op::decode(last.as_slice()).ok()?;
    terminal.inputs.first().map(|input| input.digest.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_proto::env::read_env;

    fn request(opts: &[(&str, &str)]) -> Request {
        let vars: Vec<(String, String)> = opts
            .iter()
            .enumerate()
            .map(|(i, (k, v))| (format!("BUILDKIT_FRONTEND_OPT_{i}"), format!("{k}={v}")))
            .chain([("BUILDKIT_SESSION_ID".to_string(), "sess".to_string())])
            .collect();
        Request::new(&read_env(vars), &[]).unwrap()
    }

    fn source_op(def: &pb::Definition) -> (pb::SourceOp, pb::OpMetadata) {
        for bytes in &def.def {
            let op = pb::Op::decode(bytes.as_slice()).unwrap();
            if let Some(pb::op::Op::Source(src)) = op.op {
                let digest = stagecraft_llb::digest_of(bytes);
                return (src, def.metadata[&digest].clone());
            }
        }
        panic!("no source op");
    }

    #[test]
    fn dockerfile_local_follows_the_file_and_its_variants() {
        let def = dockerfile_local(&request(&[])).unwrap();
        let (src, meta) = source_op(&def);
        assert_eq!(src.identifier, "local://dockerfile");
        assert_eq!(
            src.attrs["local.followpaths"],
            r#"["Dockerfile","Dockerfile.dockerignore","dockerfile"]"#
        );
        assert_eq!(src.attrs["local.session"], "sess");
        assert_eq!(src.attrs["local.sharedkeyhint"], "dockerfile");
        assert_eq!(src.attrs["local.differ"], "none");
        assert_eq!(
            meta.description["llb.customname"],
            "[internal] load build definition from Dockerfile"
        );
        assert!(!meta.caps.contains_key("source.local.differ"));
        assert!(head_digest(&def).is_some_and(|d| d.starts_with("sha256:")));
    }

    #[test]
    fn custom_filename_and_local_name() {
        let def = dockerfile_local(&request(&[
            ("filename", "build/Dockerfile.dev"),
            ("dockerfilekey", "df"),
        ]))
        .unwrap();
        let (src, _) = source_op(&def);
        assert_eq!(src.identifier, "local://df");
        assert_eq!(
            src.attrs["local.followpaths"],
            r#"["build/Dockerfile.dev","build/Dockerfile.dev.dockerignore"]"#
        );
        assert_eq!(
            lower_case_variant("sub/Dockerfile").as_deref(),
            Some("sub/dockerfile")
        );
    }

    #[test]
    fn dockerignore_local_reads_one_file() {
        let def = dockerignore_local(&request(&[])).unwrap();
        let (src, meta) = source_op(&def);
        assert_eq!(src.identifier, "local://context");
        assert_eq!(src.attrs["local.followpaths"], r#"[".dockerignore"]"#);
        assert_eq!(src.attrs["local.sharedkeyhint"], "context-.dockerignore");
        assert_eq!(
            meta.description["llb.customname"],
            "[internal] load .dockerignore"
        );
    }
}
