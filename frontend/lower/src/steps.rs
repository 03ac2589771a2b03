//! The `[<stage> <i>/<total>]` step counter of progress names, in one place
//! (`[<platform> <stage> <i>/<total>]` in a multi-platform build).
//!
//! A stage counts FROM <image> and every RUN/COPY/ADD/WORKDIR, ONBUILD
//! triggers from its base included. The reference names FROM before it adds
//! the base's triggers, so FROM's own total leaves them out. One step may
//! name several ops (`COPY --link` names its copy, the progress group and
//! the merge): they all share its number.

use stagecraft_instructions::Instruction;

use crate::command::Command;

/// RUN/COPY/ADD/WORKDIR count as steps.
fn counts_as_step(i: &Instruction) -> bool {
    matches!(
        i,
        Instruction::Run(_) | Instruction::Copy(_) | Instruction::Add(_) | Instruction::Workdir(_)
    )
}

/// How many steps a stage counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StepTotal {
    /// FROM <image> and the stage's own steps.
    own: usize,
    /// Steps added by the base's ONBUILD triggers.
    onbuild: usize,
}

impl StepTotal {
    /// A stage of the file, before ONBUILD triggers are known.
    pub(crate) fn of_stage(from_image: bool, commands: &[Command<'_>]) -> Self {
        let own = usize::from(from_image)
            + commands
                .iter()
                .filter(|c| counts_as_step(c.instruction()))
                .count();
        StepTotal { own, onbuild: 0 }
    }

    /// The base's ONBUILD triggers, each one step.
    pub(crate) fn with_onbuild(self, triggers: usize) -> Self {
        StepTotal {
            onbuild: triggers,
            ..self
        }
    }

    fn all(self) -> usize {
        self.own + self.onbuild
    }
}

/// The counter of one stage while it is dispatched.
#[derive(Clone, Debug, Default)]
pub(crate) struct StepCounter {
    /// Stage name in progress names; `None` for a single-stage Dockerfile.
    stage_name: Option<String>,
    index: usize,
    total: StepTotal,
    /// A multi-platform build: names start with the step's platform.
    show_platform: bool,
}

impl StepCounter {
    pub(crate) fn new(stage_name: Option<String>, total: StepTotal) -> Self {
        StepCounter {
            stage_name,
            index: 0,
            total,
            show_platform: false,
        }
    }

    /// Names start with the step's platform (a multi-platform build).
    pub(crate) fn with_platform(self, show: bool) -> Self {
        StepCounter {
            show_platform: show,
            ..self
        }
    }

    /// Starts the count `n` steps further on.
    pub(crate) fn skipping(self, n: usize) -> Self {
        StepCounter {
            index: self.index + n,
            ..self
        }
    }

    pub(crate) fn shows_platform(&self) -> bool {
        self.show_platform
    }

    /// The step of `FROM <image>`, counted against the total without the
    /// base's ONBUILD triggers. `platform` is shown in a multi-platform
    /// build.
    pub(crate) fn base_image_step(&mut self, platform: Option<&str>) -> Step {
        self.advance(self.total.own, false, platform)
    }

    /// The next RUN/COPY/ADD/WORKDIR (`on_build`: an ONBUILD trigger).
    pub(crate) fn next(&mut self, on_build: bool, platform: Option<&str>) -> Step {
        self.advance(self.total.all(), on_build, platform)
    }

    fn advance(&mut self, total: usize, on_build: bool, platform: Option<&str>) -> Step {
        if total == 0 {
            return Step::default();
        }
        self.index += 1;
        // `[platform stage index/total] ONBUILD `, allocated once.
        let mut prefix = String::with_capacity(
            64 + platform.map_or(0, str::len) + self.stage_name.as_ref().map_or(0, String::len),
        );
        prefix.push('[');
        if let Some(platform) = platform.filter(|_| self.show_platform) {
            prefix.push_str(platform);
            prefix.push(' ');
        }
        if let Some(name) = &self.stage_name {
            prefix.push_str(name);
            prefix.push(' ');
        }
        let (index, total) = (self.index.to_string(), total.to_string());
        for _ in index.len()..total.len() {
            prefix.push(' ');
        }
        for part in [index.as_str(), "/", total.as_str(), "] "] {
            prefix.push_str(part);
        }
        if on_build {
            prefix.push_str("ONBUILD ");
        }
        Step { prefix }
    }
}

/// One numbered step: names every op the step makes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Step {
    /// `[stage i/total] ` (and `ONBUILD `); empty when the stage counts no
    /// steps.
    prefix: String,
}

impl Step {
    pub(crate) fn name(&self, text: &str) -> String {
        [&self.prefix, text].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(own: usize) -> StepTotal {
        StepTotal { own, onbuild: 0 }
    }

    #[test]
    fn pads_the_index_to_the_total_width() {
        let mut c = StepCounter::new(Some("build".into()), total(12));
        assert_eq!(c.next(false, None).name("RUN x"), "[build  1/12] RUN x");
        assert_eq!(
            c.next(true, None).name("RUN y"),
            "[build  2/12] ONBUILD RUN y"
        );
        // Only a multi-platform build shows the platform.
        assert_eq!(
            c.next(false, Some("linux/arm64")).name("RUN z"),
            "[build  3/12] RUN z"
        );
        let mut multi = StepCounter::new(Some("build".into()), total(2)).with_platform(true);
        assert_eq!(
            multi.base_image_step(Some("linux/arm64")).name("FROM a"),
            "[linux/arm64 build 1/2] FROM a"
        );
        assert_eq!(multi.next(false, None).name("RUN b"), "[build 2/2] RUN b");
    }

    #[test]
    fn single_stage_has_no_stage_name_and_zero_total_no_prefix() {
        let mut c = StepCounter::new(None, total(2));
        assert_eq!(c.base_image_step(None).name("FROM a"), "[1/2] FROM a");
        let mut none = StepCounter::default().with_platform(true);
        assert_eq!(
            none.next(false, Some("linux/amd64")).name("COPY a b"),
            "COPY a b"
        );
    }

    #[test]
    fn from_leaves_out_onbuild_triggers_and_one_step_names_several_ops() {
        let mut c = StepCounter::new(None, total(2).with_onbuild(1));
        assert_eq!(c.base_image_step(None).name("FROM a"), "[1/2] FROM a");
        let step = c.next(true, None);
        assert_eq!(step.name("COPY x y"), "[2/3] ONBUILD COPY x y");
        assert_eq!(step.name("LINK COPY x y"), "[2/3] ONBUILD LINK COPY x y");
        assert_eq!(c.next(false, None).name("RUN z"), "[3/3] RUN z");
    }
}
