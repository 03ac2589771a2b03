//! Fetching the Dockerfile and the `.dockerignore` from the client.
//!
//! Each is a small Solve of one `local://` source limited to the files
//! wanted (`local.followpaths`), then a ReadFile on the result, as Docker's
//! frontend does, so the daemon shows the same `[internal] load …` steps.

use std::collections::BTreeMap;

use prost::Message;
use stagecraft_llb::{LocalDiffer, LocalSession, LocalSource, State};
use stagecraft_proto::{Bridge, BridgeError, Caps, RefId, SolveOptions, pb};

use stagecraft_lower::NamedLocal;

use super::failure::Failure;
use super::request::{CONTEXT_INPUT, CONTEXT_LOCAL, DOCKERFILE_INPUT, Request, Subrequest};

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
    refuse_context_input(inputs)?;
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
    assemble(dockerfile, context_ignore)
}

fn refuse_context_input(inputs: &Inputs) -> Result<(), Failure> {
    if inputs.contains_key(CONTEXT_INPUT) {
        return Err(Failure::Unsupported(
            "a build context passed as a frontend input is not supported by Stagecraft yet"
                .to_string(),
        ));
    }
    Ok(())
}

/// The Dockerfile's own `.dockerignore` wins over the context's.
fn assemble(
    dockerfile: Result<DockerfileSource, Failure>,
    context_ignore: Result<Vec<u8>, Failure>,
) -> Result<Sources, Failure> {
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

/// [`sources`] for a local Dockerfile and context, started before Ping
/// answers, with the Inputs call: the two loads are solved together with it
/// (a Solve is lazy: nothing is sent from the client until a file is read,
/// so a load left unused because the client passed the Dockerfile as an
/// input costs nothing and shows nowhere), and their files are read as soon
/// as the inputs are known. Returns the Inputs answer, and the sources
/// unless that answer was an error (the caller then decides, once Ping has
/// said whether the daemon has inputs at all).
///
/// A Dockerfile read from the local goes to `read` as soon as it arrives,
/// while the `.dockerignore` may still be on its way.
pub async fn read_early(
    bridge: &Bridge,
    request: &Request,
    read: futures::channel::oneshot::Sender<DockerfileSource>,
) -> (Result<Inputs, BridgeError>, Option<EarlySources>) {
    let (Ok(local), Ok(ignore)) = (dockerfile_local(request), dockerignore_local(request)) else {
        return (bridge.request_inputs().await, None);
    };
    let solve_options = SolveOptions::default();
    let (inputs, local_ref, ignore_ref) = futures::join!(
        bridge.request_inputs(),
        bridge.solve(local.clone(), &solve_options),
        bridge.solve(ignore, &solve_options)
    );
    let inputs = match inputs {
        Ok(inputs) => inputs,
        Err(e) => return (Err(e), None),
    };
    let sources = match refuse_context_input(&inputs) {
        Err(refused) => Err(refused),
        Ok(()) => {
            let dockerfile = async {
                match inputs.get(DOCKERFILE_INPUT) {
                    Some(input) if !request.dockerfile.forced => {
                        read_dockerfile(bridge, request.filename(), input.clone()).await
                    }
                    _ => {
                        let dockerfile =
                            read_solved_dockerfile(bridge, request.filename(), local, local_ref)
                                .await;
                        if let Ok(dockerfile) = &dockerfile {
                            let _ = read.send(dockerfile.clone());
                        }
                        dockerfile
                    }
                }
            };
            let context_ignore = async {
                let reference = ignore_ref.map_err(dockerignore_failure)?;
                Ok(read_optional(bridge, &reference, DOCKERIGNORE).await)
            };
            let (dockerfile, context_ignore) = futures::join!(dockerfile, context_ignore);
            assemble(dockerfile, context_ignore)
        }
    };
    (Ok(inputs.clone()), Some(EarlySources { sources, inputs }))
}

/// Whether [`sources`] may go out before Ping answers: they need only the
/// options and the client's inputs, not the daemon's caps or workers. A
/// remote context is left until after (its checks read the caps), and so
/// are requests that read no Dockerfile.
pub fn reads_before_ping(request: &Request) -> bool {
    request.remote_context.is_none()
        && matches!(
            request.subrequest,
            None | Some(Subrequest::Outline | Subrequest::Targets | Subrequest::Lint)
        )
}

/// [`sources`] as read before Ping answered, with the inputs it was read
/// with.
pub struct EarlySources {
    pub sources: Result<Sources, Failure>,
    pub inputs: Inputs,
}

impl EarlySources {
    /// The sources, when what they were read with holds now that Ping has
    /// answered: the same Dockerfile and context inputs as the build's, and
    /// LLB caps the daemon has for the two loads (checked here, as a Solve
    /// after Ping checks them before sending). `None`: read them again.
    pub fn settle(
        self,
        request: &Request,
        inputs: &Inputs,
        caps: &Caps,
    ) -> Option<Result<Sources, Failure>> {
        let same_input = |name| self.inputs.get(name) == inputs.get(name);
        if !same_input(DOCKERFILE_INPUT) || !same_input(CONTEXT_INPUT) {
            return None;
        }
        let sources = match self.sources {
            Ok(sources) => sources,
            // A failure before anything was solved is the same either way; a
            // failed Solve or read is the daemon's answer, unless the caps
            // would have stopped it first.
            Err(failure) => return Some(checked_loads(request, inputs, caps).and(Err(failure))),
        };
        Some(checked_loads(request, inputs, caps).map(|()| sources))
    }
}

/// The cap check a Solve after Ping makes, on the two loads [`sources`]
/// solves, with the error each would fail with.
fn checked_loads(request: &Request, inputs: &Inputs, caps: &Caps) -> Result<(), Failure> {
    let dockerfile = match inputs.get(DOCKERFILE_INPUT) {
        Some(input) if !request.dockerfile.forced => input.clone(),
        _ => dockerfile_local(request)?,
    };
    caps.check_definition(&dockerfile)
        .map_err(|missing| Failure::Bridge {
            doing: "failed to resolve dockerfile",
            error: missing.into(),
        })?;
    caps.check_definition(&dockerignore_local(request)?)
        .map_err(|missing| dockerignore_failure(missing.into()))
}

/// Solves `definition` (the Dockerfile local or input, or a remote context)
/// and reads the Dockerfile from it, and its own `.dockerignore` next to it
/// if there is one.
pub async fn read_dockerfile(
    bridge: &Bridge,
    filename: &str,
    definition: pb::Definition,
) -> Result<DockerfileSource, Failure> {
    let reference = bridge
        .solve(definition.clone(), &SolveOptions::default())
        .await;
    read_solved_dockerfile(bridge, filename, definition, reference).await
}

/// [`read_dockerfile`] once `definition` has been solved to `reference`.
async fn read_solved_dockerfile(
    bridge: &Bridge,
    filename: &str,
    definition: pb::Definition,
    reference: Result<RefId, BridgeError>,
) -> Result<DockerfileSource, Failure> {
    let filename = filename.to_string();
    let reference = reference.map_err(|error| Failure::Bridge {
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
        .map_err(dockerignore_failure)?;
    Ok(read_optional(bridge, &reference, DOCKERIGNORE).await)
}

fn dockerignore_failure(error: BridgeError) -> Failure {
    Failure::Bridge {
        doing: "failed to read dockerignore patterns",
        error,
    }
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
/// ReadFile whose failure means no file). All are read at once.
pub async fn named_locals(
    bridge: &Bridge,
    request: &Request,
) -> Result<BTreeMap<String, NamedLocal>, Failure> {
    // One read per directory, under the first key (in key order) naming
    // it; answers (and the first error) in that order.
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    for (key, value) in &request.options.named_contexts {
        if let Some(name) = value.strip_prefix("local:")
            && !wanted.iter().any(|(seen, _)| *seen == name)
        {
            wanted.push((name, key.as_str()));
        }
    }
    let reads = wanted.into_iter().map(|(name, key)| async move {
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
        Ok::<_, Failure>((
            name.to_string(),
            NamedLocal {
                session_id: request.session_for(name),
                exclude_patterns: crate::dockerignore::parse(&data),
            },
        ))
    });
    futures::future::join_all(reads).await.into_iter().collect()
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
