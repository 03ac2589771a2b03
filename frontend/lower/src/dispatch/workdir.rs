//! WORKDIR.

use stagecraft_instructions::WorkdirInstruction;
use stagecraft_llb::{Chown, Mkdir, UserRef};

use super::{DispatchContext, DispatchState};
use crate::error::LowerError;

/// Resolves `requested` against the current working directory. Absolute
/// paths are kept as written; relative ones are joined and cleaned.
pub(crate) fn normalize_workdir(current: &str, requested: &str) -> String {
    let parent = if current.is_empty() { "/" } else { current };
    let parent = if parent.starts_with('/') {
        parent.to_string()
    } else {
        clean(&["/", parent].concat())
    };
    if requested.is_empty() {
        return parent;
    }
    if requested.starts_with('/') {
        return requested.to_string();
    }
    clean(&[&parent, "/", requested].concat())
}

/// Go's `path.Clean` for absolute paths.
pub(crate) fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::with_capacity(path.bytes().filter(|&b| b == b'/').count() + 1);
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for part in parts {
        out.push('/');
        out.push_str(part);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// `user[:group]` as the Go client's `WithUser`: numbers (and `root`) are
/// IDs, anything else a name looked up in the state's `/etc/passwd`.
pub(crate) fn chown_for_user(user: &str) -> Chown {
    let one = |s: &str| {
        if s == "root" {
            return UserRef::Id(0);
        }
        match s.parse::<i32>() {
            Ok(n) => u32::try_from(n).map_or_else(|_| UserRef::Name(s.to_string()), UserRef::Id),
            Err(_) => UserRef::Name(s.to_string()),
        }
    };
    let (u, g) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    Chown {
        user: Some(one(u)),
        group: g.map(one),
    }
}

/// Sets the working directory without an op (stage init from an image).
pub(crate) fn set_workdir(d: &mut DispatchState, path: &str) {
    let wd = normalize_workdir(&d.image.config.working_dir, path);
    d.image.config.working_dir = wd.clone();
    d.workdir = wd;
}

pub(crate) fn dispatch_workdir(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    i: &WorkdirInstruction,
) -> Result<(), LowerError> {
    let span = i.origin.span;
    let path = d.expand_word(cx, &i.path, span)?;
    set_workdir(d, &path);
    let wd = d.workdir.clone();
    let with_layer = wd != "/";
    if with_layer {
        let mut mkdir = Mkdir::new(wd.clone(), 0o755);
        mkdir.make_parents = true;
        mkdir.timestamp = d.epoch.map(|s| s.saturating_mul(1_000_000_000));
        if !d.image.config.user.is_empty() {
            mkdir.owner = Some(chown_for_user(&d.image.config.user));
        }
        let name = d.next_step().name(&d.step_text(cx, &i.origin.original));
        // The reference never marks WORKDIR's mkdir as no-cache.
        let meta = d.op_meta(cx, name, span).with_ignore_cache(false);
        d.state = d.state.file_action(mkdir).with_meta(meta);
    }
    d.commit(["WORKDIR ", &wd].concat(), with_layer);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_joins_absolute_kept() {
        assert_eq!(normalize_workdir("/", "app"), "/app");
        assert_eq!(normalize_workdir("/app", "../src/./x"), "/src/x");
        assert_eq!(normalize_workdir("/app", "/srv/"), "/srv/");
        assert_eq!(normalize_workdir("", ""), "/");
    }

    #[test]
    fn user_to_chown() {
        assert_eq!(
            chown_for_user("1000:staff"),
            Chown {
                user: Some(UserRef::Id(1000)),
                group: Some(UserRef::Name("staff".into())),
            }
        );
        assert_eq!(chown_for_user("root").user, Some(UserRef::Id(0)));
    }
}
