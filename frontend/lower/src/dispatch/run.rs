//! RUN: one exec op on the stage's state.

use std::collections::BTreeMap;

use stagecraft_instructions::{CommandLine, NetworkMode, RunInstruction, SecurityMode};
use stagecraft_llb as llb;
use stagecraft_llb::{BindMode, Cap, ExecSpec};
use stagecraft_shell::{Lexer, NoEnv};
use stagecraft_syntax::Heredoc;

use super::mounts::{RunMounts, dispatch_run_mounts};
use super::{DispatchContext, DispatchState, inline_document, names, with_command};
use crate::error::{LowerError, LowerErrorKind};
use crate::target::Target;

/// Where a shebang heredoc is mounted so the shell can run it as a file.
const PIPES_DIR: &str = "/dev/pipes/";

/// The process a RUN starts, before the shell is prepended.
#[derive(Debug, PartialEq, Eq)]
struct Command {
    args: Vec<String>,
    prepend_shell: bool,
    /// A heredoc script to mount at [`PIPES_DIR`]: (file name, content).
    script: Option<(String, String)>,
    /// ` (first line...)` for the progress name of heredoc commands.
    name_suffix: String,
}

pub(crate) fn dispatch_run(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    run: &RunInstruction,
    mount_from: &BTreeMap<String, Target>,
) -> Result<(), LowerError> {
    let span = run.origin.span;
    if !run.devices.is_empty() {
        return Err(LowerError::unsupported(
            "RUN --device (CDI devices): this frontend cannot emit them yet",
            span,
        ));
    }
    let command = command(&run.command, &run.heredocs, &d.image.os).map_err(|message| {
        LowerError::at(
            LowerErrorKind::Invalid {
                instruction: "RUN",
                message,
            },
            span,
        )
    })?;

    let RunMounts {
        mut mounts,
        secret_env,
        secret_env_names,
        first_ssh_target,
    } = dispatch_run_mounts(d, cx, run, mount_from)?;

    if let Some((file, data)) = &command.script {
        let script = inline_document(file.clone(), 0o755, data);
        mounts.push(llb::Mount::bind(PIPES_DIR, script, BindMode::ReadOnly).with_selector("/"));
    }
    if let Some(size) = cx.exec.shm_size {
        mounts.push(llb::Mount::tmpfs("/dev/shm", Some(size)));
    }

    let args = if command.prepend_shell {
        d.with_shell(&command.args.join(" "))
    } else {
        command.args.clone()
    };

    // Secrets exposed as env vars show as `****` in the progress name, so
    // nobody mistakes the name for the value.
    let mut name_env = d.env.clone();
    for name in &secret_env_names {
        name_env.set(name, "****");
    }
    let shown = [run.origin.original.as_str(), &command.name_suffix].concat();
    let text = names::uppercase_keyword(&names::expand_for_name(cx.lexer, &shown, &name_env));
    let name = d.next_run_step().name(&text);
    let meta = with_command(d.op_meta(cx, name, span), &run.origin.original);

    let mut env = d.env.to_pairs();
    if let Some(sock) = first_ssh_target
        && !d.env.contains("SSH_AUTH_SOCK")
    {
        env.push(("SSH_AUTH_SOCK".to_string(), sock));
    }

    let mut meta = meta;
    if let Some(r) = &cx.exec.linux_resources {
        // The reference drops the limits without a word on a daemon
        // without the cap; naming the options and the line is better.
        let options = format!("with the options {}", r.describe());
        cx.require_cap(Cap::ExecMetaLinuxResources, ("RUN", &options), span)?;
        meta.linux_resources = Some(llb::pb::LinuxResources {
            memory: r.memory,
            memory_swap: r.memory_swap,
            cpu_shares: r.cpu_shares,
            cpu_period: r.cpu_period,
            cpu_quota: r.cpu_quota,
            cpuset_cpus: r.cpuset_cpus.clone(),
            cpuset_mems: r.cpuset_mems.clone(),
        });
    }
    let mut spec = ExecSpec::new(args.clone())
        .with_cwd(d.workdir.clone())
        .with_user(d.user.clone())
        .with_platform(d.pb_platform())
        .with_meta(meta);
    spec.env = env;
    spec.mounts = mounts;
    spec.secret_env = secret_env;
    spec.network = match run.network {
        NetworkMode::Default => d.network,
        NetworkMode::None => llb::NetworkMode::None,
        NetworkMode::Host => llb::NetworkMode::Host,
    };
    spec.security = match run.security {
        SecurityMode::Sandbox => llb::SecurityMode::Sandbox,
        SecurityMode::Insecure => llb::SecurityMode::Insecure,
    };
    spec.hostname = cx.exec.hostname.clone();
    spec.extra_hosts = cx.exec.extra_hosts.clone();
    spec.ulimits = cx.exec.ulimits.clone();
    spec.cgroup_parent = cx.exec.cgroup_parent.clone();
    spec.proxy_env = cx.exec.proxy_env.clone();
    // As the reference: a daemon that fills in PATH itself is told so; for
    // one that doesn't, the env every stage starts with already has PATH.
    spec.daemon_default_path = cx.caps.supports(Cap::ExecMetaSetsDefaultPath);

    let result = d
        .state
        .exec(spec)
        .map_err(|e| LowerError::at(LowerErrorKind::Llb(e), span))?;
    d.state = result.root;

    let build_args: Vec<(String, String)> = d
        .build_args
        .iter()
        .map(|entry| {
            let (key, value) = &**entry;
            let v = d
                .env
                .get(key)
                .map(str::to_string)
                .or_else(|| value.clone())
                .unwrap_or_default();
            (key.clone(), v)
        })
        .collect();
    d.commit_layer(history_text(&args, &build_args));
    Ok(())
}

/// The command of a RUN, heredocs included: a lone heredoc is the whole
/// script (a file when it starts with `#!`, else the shell's input), other
/// heredocs are handed to the shell with their bodies appended.
fn command(line: &CommandLine, heredocs: &[Heredoc], os: &str) -> Result<Command, String> {
    let (text, prepend_shell) = match line {
        CommandLine::Exec(args) if heredocs.is_empty() => {
            return Ok(Command {
                args: args.clone(),
                prepend_shell: false,
                script: None,
                name_suffix: String::new(),
            });
        }
        CommandLine::Exec(args) => {
            return Err(format!("parsing produced an invalid run command: {args:?}"));
        }
        CommandLine::Shell(text) => (text.clone(), true),
    };
    let Some(first) = heredocs.first() else {
        return Ok(Command {
            args: vec![text],
            prepend_shell,
            script: None,
            name_suffix: String::new(),
        });
    };
    if is_lone_heredoc(&text) {
        let data = first.body();
        let name_suffix = format!(" ({})", summarize_heredoc(&first.content));
        // Quoted or not, the body is not expanded here: the shell (or the
        // script's interpreter) sees it as written.
        if os != "windows" && data.starts_with("#!") {
            let path = format!("{PIPES_DIR}{}", first.name);
            return Ok(Command {
                args: vec![crate::context::clean_path(&path)],
                prepend_shell,
                script: Some((first.name.clone(), data)),
                name_suffix,
            });
        }
        return Ok(Command {
            args: vec![data],
            prepend_shell,
            script: None,
            name_suffix,
        });
    }
    let mut script = text;
    for doc in heredocs {
        script.push('\n');
        script.push_str(&doc.content);
        script.push_str(&doc.name);
    }
    Ok(Command {
        args: vec![script],
        prepend_shell,
        script: None,
        name_suffix: String::new(),
    })
}

/// The command is nothing but one heredoc marker (`<<EOF`, `<<-"EOF"`,
/// `3<<EOF`), not a heredoc fed to some program.
fn is_lone_heredoc(command: &str) -> bool {
    let rest = command.trim_start_matches(|c: char| c.is_ascii_digit());
    let Some(rest) = rest.strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest).trim_start();
    if rest.is_empty() || rest.contains('<') {
        return false;
    }
    Lexer::new('\\')
        .skip_unset_env(true)
        .expand_words(rest, &NoEnv)
        .is_ok_and(|w| w.value.len() == 1)
}

/// First line of a heredoc body, with `...` when more follow.
fn summarize_heredoc(doc: &str) -> String {
    let doc = doc.trim().replace("\r\n", "\n");
    let mut lines = doc.split('\n');
    let first = lines.next().unwrap_or_default().to_string();
    if lines.next().is_some() {
        format!("{first}...")
    } else {
        first
    }
}

/// `RUN [|N K=V …] <args>`: the build args in scope precede the command, so
/// two runs differing only in an ARG have different history.
fn history_text(args: &[String], build_args: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, value) in build_args {
        match pairs.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.clone(),
            None => pairs.push((key.clone(), value.clone())),
        }
    }
    let mut words: Vec<String> = Vec::with_capacity(pairs.len() + args.len() + 1);
    if !pairs.is_empty() {
        words.push(format!("|{}", pairs.len()));
        words.extend(pairs.iter().map(|(k, v)| [k, "=", v].concat()));
    }
    // " # buildkit" is appended by the commit: room for it now.
    let len = args
        .iter()
        .chain(&words)
        .map(|w| w.len() + 1)
        .sum::<usize>();
    let mut text = String::with_capacity("RUN ".len() + len + " # buildkit".len());
    text.push_str("RUN ");
    for (i, word) in words.iter().chain(args).enumerate() {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(word);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, content: &str, chomp: bool) -> Heredoc {
        Heredoc {
            name: name.into(),
            fd: 0,
            expand: true,
            chomp,
            content: content.into(),
        }
    }

    #[test]
    fn lone_heredoc_detection() {
        for yes in ["<<EOF", "<<-EOF", "<<\"EOF\"", "3<<EOF", "<< EOF"] {
            assert!(is_lone_heredoc(yes), "{yes}");
        }
        for no in ["cat <<EOF", "<<EOF bash", "<<", "echo hi", "<<EOF<"] {
            assert!(!is_lone_heredoc(no), "{no}");
        }
    }

    #[test]
    fn shebang_heredoc_becomes_a_script_file() {
        let c = command(
            &CommandLine::Shell("<<EOF".into()),
            &[doc("EOF", "#!/usr/bin/env python3\nprint(1)\n", false)],
            "linux",
        )
        .unwrap();
        assert_eq!(c.args, vec!["/dev/pipes/EOF"]);
        assert!(c.prepend_shell);
        assert_eq!(
            c.script,
            Some(("EOF".into(), "#!/usr/bin/env python3\nprint(1)\n".into()))
        );
        assert_eq!(c.name_suffix, " (#!/usr/bin/env python3...)");
    }

    #[test]
    fn plain_lone_heredoc_is_the_shell_input_chomped() {
        let c = command(
            &CommandLine::Shell("<<-EOF".into()),
            &[doc("EOF", "\techo a\n\techo b\n", true)],
            "linux",
        )
        .unwrap();
        assert_eq!(c.args, vec!["echo a\necho b\n"]);
        assert_eq!(c.script, None);
        assert_eq!(c.name_suffix, " (echo a...)");
    }

    #[test]
    fn heredoc_argument_is_reassembled_for_the_shell() {
        let c = command(
            &CommandLine::Shell("python3 <<EOF".into()),
            &[doc("EOF", "print(1)\n", false)],
            "linux",
        )
        .unwrap();
        assert_eq!(c.args, vec!["python3 <<EOF\nprint(1)\nEOF"]);
        assert_eq!(c.name_suffix, "");
    }

    #[test]
    fn exec_form_with_heredoc_is_rejected() {
        let err = command(
            &CommandLine::Exec(vec!["a".into()]),
            &[doc("EOF", "x\n", false)],
            "linux",
        )
        .unwrap_err();
        assert!(err.contains("invalid run command"), "{err}");
    }

    #[test]
    fn history_lists_build_args_once_last_value_first_position() {
        let args = vec!["/bin/sh".to_string(), "-c".into(), "make".into()];
        let ba = vec![
            ("A".to_string(), "1".to_string()),
            ("B".into(), "".into()),
            ("A".into(), "2".into()),
        ];
        assert_eq!(history_text(&args, &ba), "RUN |2 A=2 B= /bin/sh -c make");
        assert_eq!(history_text(&args, &[]), "RUN /bin/sh -c make");
    }

    #[test]
    fn heredoc_summary() {
        assert_eq!(summarize_heredoc("  one\r\ntwo\n"), "one...");
        assert_eq!(summarize_heredoc("only\n"), "only");
    }
}
