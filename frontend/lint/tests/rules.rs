//! Every rule: its message and line, as the reference reports them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_lint::{
    BaseImages, CheckConfig, ImageFacts, LintInput, NoImages, PlatformSpec, Scope, file_config,
    lint,
};

struct Images(ImageFacts);

impl BaseImages for Images {
    fn facts(&self, _: &str, _: &PlatformSpec) -> Option<ImageFacts> {
        Some(self.0.clone())
    }
}

fn run_with(
    src: &str,
    build_args: &[(&str, &str)],
    scope: Scope,
    images: &dyn BaseImages,
) -> Vec<String> {
    run_full(src, build_args, scope, images, None)
}

fn run_full(
    src: &str,
    build_args: &[(&str, &str)],
    scope: Scope,
    images: &dyn BaseImages,
    dockerignore: Option<&[String]>,
) -> Vec<String> {
    let parsed = stagecraft_syntax::parse(src).unwrap();
    let df = stagecraft_instructions::parse_dockerfile(&parsed).unwrap();
    let args: BTreeMap<String, String> = build_args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let config = file_config(
        &parsed,
        args.get("BUILDKIT_DOCKERFILE_CHECK").map(String::as_str),
    )
    .unwrap();
    let p = PlatformSpec::default();
    lint(&LintInput {
        parsed: &parsed,
        dockerfile: &df,
        config: &config,
        build_args: &args,
        target: None,
        build_platform: &p,
        target_platform: &p,
        scope: &scope,
        images,
        dockerignore,
    })
    .iter()
    .map(|f| format!("{}:{}: {}", f.span.start, f.rule, f.message))
    .collect()
}

fn run(src: &str) -> Vec<String> {
    run_with(src, &[], Scope::All, &NoImages)
}

#[test]
fn clean_file_has_no_findings() {
    assert_eq!(
        run(
            "FROM alpine AS build\nRUN echo hi\nFROM scratch\nCOPY --from=build /a /b\nCMD [\"/b\"]\n"
        ),
        Vec::<String>::new()
    );
}

#[test]
fn stage_name_and_from_as_casing() {
    assert_eq!(
        run("FROM alpine AS Build\nFROM alpine as base\n"),
        [
            "1:StageNameCasing: Stage name 'Build' should be lowercase",
            "2:FromAsCasing: 'as' and 'FROM' keywords' casing do not match",
        ]
    );
    assert_eq!(
        run("from alpine AS base\n"),
        ["1:FromAsCasing: 'AS' and 'from' keywords' casing do not match"]
    );
}

#[test]
fn empty_continuation() {
    assert_eq!(
        run("FROM alpine\nRUN echo a \\\n\n  b\n"),
        ["4:NoEmptyContinuation: Empty continuation line"]
    );
}

#[test]
fn consistent_instruction_casing() {
    assert_eq!(
        run("FROM alpine\nRUN true\nrun true\nCopy a b\n"),
        [
            "3:ConsistentInstructionCasing: Command 'run' should match the case of the command majority (uppercase)",
            "4:ConsistentInstructionCasing: Command 'Copy' should match the case of the command majority (uppercase)",
        ]
    );
    assert_eq!(
        run("from alpine\nrun true\nRUN true\n"),
        [
            "3:ConsistentInstructionCasing: Command 'RUN' should match the case of the command majority (lowercase)"
        ]
    );
}

#[test]
fn duplicate_and_reserved_stage_names() {
    assert_eq!(
        run("FROM alpine AS a\nFROM alpine AS a\nFROM alpine AS context\n"),
        [
            "2:DuplicateStageName: Duplicate stage name \"a\", stage names should be unique",
            "3:ReservedStageName: Stage name should not use the same name as reserved stage \"context\"",
        ]
    );
}

#[test]
fn json_args_recommended_unless_a_shell_is_set() {
    assert_eq!(
        run("FROM alpine\nENTRYPOINT my-app\nCMD my-app --help\n"),
        [
            "2:JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals",
            "3:JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
        ]
    );
    assert_eq!(
        run("FROM alpine\nSHELL [\"/bin/sh\", \"-c\"]\nCMD my-app\n"),
        Vec::<String>::new()
    );
    let images = Images(ImageFacts {
        shell: vec!["pwsh".into()],
        ..ImageFacts::default()
    });
    assert_eq!(
        run_with("FROM alpine\nCMD my-app\n", &[], Scope::All, &images),
        Vec::<String>::new()
    );
}

#[test]
fn maintainer_deprecated() {
    assert_eq!(
        run("FROM alpine\nMAINTAINER me\n"),
        ["2:MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"]
    );
}

#[test]
fn undefined_arg_in_from() {
    assert_eq!(
        run("ARG VERSION=1\nFROM alpine:$VERSIN\nFROM busybox:$TAG\n"),
        [
            "2:InvalidDefaultArgInFrom: Default value for ARG alpine:$VERSIN results in empty or invalid base image name",
            "3:InvalidDefaultArgInFrom: Default value for ARG busybox:$TAG results in empty or invalid base image name",
            "2:UndefinedArgInFrom: FROM argument 'VERSIN' is not declared (did you mean VERSION?)",
            "3:UndefinedArgInFrom: FROM argument 'TAG' is not declared",
        ]
    );
    assert_eq!(
        run("ARG TAG\nFROM busybox:${TAG:-1}\n"),
        Vec::<String>::new()
    );
}

#[test]
fn workdir_relative_path_only_before_an_absolute_one() {
    assert_eq!(
        run("FROM alpine\nWORKDIR app\nWORKDIR sub\n"),
        [
            "2:WorkdirRelativePath: Relative workdir \"app\" can have unexpected results if the base image changes"
        ]
    );
    assert_eq!(
        run("FROM alpine AS a\nWORKDIR /app\nFROM a\nWORKDIR sub\n"),
        Vec::<String>::new()
    );
}

#[test]
fn undefined_var_with_suggestion() {
    assert_eq!(
        run(
            "FROM alpine\nENV VERSION=1\nENV FOO=bar\nCOPY $VERSON /x\nENV A=$FOO B=$BAR\nRUN echo $NOT_CHECKED\n"
        ),
        [
            "4:UndefinedVar: Usage of undefined variable '$VERSON' (did you mean $VERSION?)",
            "5:UndefinedVar: Usage of undefined variable '$BAR'",
        ]
    );
    // Declared ARGs count even without a value; the image's env counts.
    let images = Images(ImageFacts {
        env: vec!["NODE_VERSION=20".into()],
        ..ImageFacts::default()
    });
    assert_eq!(
        run_with(
            "FROM node\nARG X\nWORKDIR /$X/$NODE_VERSION/$PATH\n",
            &[],
            Scope::All,
            &images
        ),
        Vec::<String>::new()
    );
    // Values of one ENV line do not see each other.
    assert_eq!(
        run("FROM alpine\nENV A=1 B=$A\n"),
        ["2:UndefinedVar: Usage of undefined variable '$A'"]
    );
}

#[test]
fn multiple_instructions_report_the_earlier_one() {
    assert_eq!(
        run("FROM alpine\nCMD [\"a\"]\nHEALTHCHECK NONE\nCMD [\"b\"]\nHEALTHCHECK NONE\n"),
        [
            "2:MultipleInstructionsDisallowed: Multiple CMD instructions should not be used in the same stage because only the last one will be used",
            "3:MultipleInstructionsDisallowed: Multiple HEALTHCHECK instructions should not be used in the same stage because only the last one will be used",
        ]
    );
}

#[test]
fn legacy_key_value_format() {
    assert_eq!(
        run("FROM alpine\nENV A b\nLABEL x y\n"),
        [
            "2:LegacyKeyValueFormat: \"ENV key=value\" should be used instead of legacy \"ENV key value\" format",
            "3:LegacyKeyValueFormat: \"LABEL key=value\" should be used instead of legacy \"LABEL key value\" format",
        ]
    );
}

#[test]
fn invalid_base_image_platform() {
    let images = Images(ImageFacts {
        platform: PlatformSpec::parse("linux/arm64"),
        ..ImageFacts::default()
    });
    assert_eq!(
        run_with("FROM busybox\n", &[], Scope::All, &images),
        [
            "1:InvalidBaseImagePlatform: Base image busybox was pulled with platform \"linux/arm64\", expected \"linux/amd64\" for current build"
        ]
    );
}

#[test]
fn redundant_target_platform_and_constant_platform() {
    assert_eq!(
        run(
            "FROM --platform=$TARGETPLATFORM alpine\nFROM --platform=linux/amd64 alpine AS build\nFROM --platform=linux/amd64 alpine AS build-amd64\n"
        ),
        [
            "1:RedundantTargetPlatform: Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
            "2:FromPlatformFlagConstDisallowed: FROM --platform flag should not use constant value \"linux/amd64\"",
        ]
    );
}

#[test]
fn secrets_in_arg_or_env() {
    assert_eq!(
        run("FROM alpine\nARG API_KEY\nENV DB_PASSWORD=x PUBLIC_KEY=y\n"),
        [
            "2:SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG \"API_KEY\")",
            "3:SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ENV \"DB_PASSWORD\")",
        ]
    );
}

#[test]
fn invalid_default_arg_in_from() {
    assert_eq!(
        run("ARG IMAGE\nFROM $IMAGE\n"),
        [
            "2:InvalidDefaultArgInFrom: Default value for ARG $IMAGE results in empty or invalid base image name"
        ]
    );
    assert_eq!(
        run_with(
            "ARG IMAGE=alpine\nFROM $IMAGE\n",
            &[("IMAGE", "")],
            Scope::All,
            &NoImages
        ),
        Vec::<String>::new()
    );
}

#[test]
fn invalid_definition_description_is_experimental() {
    let src = "# check=experimental=InvalidDefinitionDescription\n\n# the base stage\nFROM alpine AS base\n# VERSION the version\nARG VERSION\n# nope\nARG A B\n";
    assert_eq!(
        run(src),
        [
            "4:InvalidDefinitionDescription: Comment for FROM should follow the format: `# base <description>`",
            "8:InvalidDefinitionDescription: Comment for ARG should follow the format: `# <arg_key> <description>`",
        ]
    );
    assert_eq!(
        run("# the base stage\nFROM alpine AS base\n"),
        Vec::<String>::new()
    );
}

#[test]
fn expose_checks() {
    assert_eq!(
        run("FROM alpine\nEXPOSE 80/TCP 127.0.0.1:8080:80 8080:80/udp\n"),
        // Ports are checked in sorted order, as the reference sorts them.
        [
            "2:ExposeInvalidFormat: EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:8080:80'",
            "2:ExposeProtoCasing: Defined protocol '80/TCP' in EXPOSE instruction should be lowercase",
            "2:ExposeInvalidFormat: EXPOSE instruction should not define an IP address or host-port mapping, found '8080:80/udp'",
        ]
    );
}

#[test]
fn config_skips_and_instruction_comments() {
    assert_eq!(
        run("# check=skip=MaintainerDeprecated\nFROM alpine\nMAINTAINER me\n"),
        Vec::<String>::new()
    );
    assert_eq!(
        run("# check=skip=all\nFROM alpine\nMAINTAINER me\nCMD x\n"),
        Vec::<String>::new()
    );
    assert_eq!(
        run("FROM alpine\n# check=skip=JSONArgsRecommended\nCMD x\nENTRYPOINT y\n"),
        [
            "4:JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals"
        ]
    );
    // The build arg wins over the directive.
    assert_eq!(
        run_with(
            "# check=skip=all\nFROM alpine\nMAINTAINER me\n",
            &[("BUILDKIT_DOCKERFILE_CHECK", "error=true")],
            Scope::All,
            &NoImages
        ),
        ["3:MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"]
    );
    let parsed = stagecraft_syntax::parse("# check=error=true;skip=A\nFROM x\n").unwrap();
    let c = file_config(&parsed, None).unwrap();
    assert_eq!(c, CheckConfig::parse("skip=A;error=true").unwrap());
}

#[test]
fn a_build_checks_only_the_stages_it_needs() {
    let src = "FROM alpine AS unused\nCMD a\nFROM alpine AS used\nCMD b\n";
    assert_eq!(
        run_with(src, &[], Scope::Stages(BTreeSet::from([1])), &NoImages),
        [
            "4:JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals"
        ]
    );
}

#[test]
fn copy_ignored_file() {
    let ignore = vec!["node_modules".to_string(), "*.log".to_string()];
    assert_eq!(
        run_full(
            "FROM alpine AS b\nCOPY ./node_modules/x app.log src /app/\nADD debug.log /d\nFROM b\nCOPY --from=b app.log /x\n",
            &[],
            Scope::All,
            &NoImages,
            Some(&ignore)
        ),
        [
            "2:CopyIgnoredFile: Attempting to Copy file \"node_modules/x\" that is excluded by .dockerignore",
            "2:CopyIgnoredFile: Attempting to Copy file \"app.log\" that is excluded by .dockerignore",
            "3:CopyIgnoredFile: Attempting to Add file \"debug.log\" that is excluded by .dockerignore",
        ]
    );
    let with_exception = vec!["*.log".to_string(), "!keep.log".to_string()];
    assert_eq!(
        run_full(
            "FROM alpine\nCOPY app.log /\n",
            &[],
            Scope::All,
            &NoImages,
            Some(&with_exception)
        ),
        Vec::<String>::new()
    );
}

fn unparsed(src: &str) -> Vec<String> {
    let parsed = stagecraft_syntax::parse(src).unwrap();
    assert!(stagecraft_instructions::parse_dockerfile(&parsed).is_err());
    let config = file_config(&parsed, None).unwrap();
    stagecraft_lint::lint_unparsed(&parsed, &config)
        .iter()
        .map(|f| format!("{}:{}: {}", f.span.start, f.rule, f.message))
        .collect()
}

#[test]
fn a_file_that_fails_to_parse_keeps_what_was_found_before() {
    // The reference reads instruction by instruction, checking as it goes:
    // what it found before the failing line stands, later lines are never
    // read, and the checks of the whole file (casing) never run.
    assert_eq!(
        unparsed("FROM scratch AS BadStageName\nMAINTAINER me\nBADCMD\nMAINTAINER you\nrun x\n"),
        [
            "1:StageNameCasing: Stage name 'BadStageName' should be lowercase",
            "2:MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label",
        ]
    );
    // A FROM's name and `AS` are checked from its words before they are
    // read, so a FROM with too many words still reports them.
    assert_eq!(
        unparsed("FROM requires either one or Three arguments\n"),
        ["1:FromAsCasing: 'either' and 'FROM' keywords' casing do not match"]
    );
    assert_eq!(
        unparsed("from a AS Name\nfrom b as c d\n"),
        [
            "1:StageNameCasing: Stage name 'Name' should be lowercase",
            "1:FromAsCasing: 'AS' and 'from' keywords' casing do not match",
        ]
    );
    // The per-instruction comment still turns a rule off.
    assert_eq!(
        unparsed(
            "FROM a\n# check=skip=MaintainerDeprecated\nMAINTAINER me\nRUN --mount=from=$x ls\n"
        ),
        Vec::<String>::new()
    );
    // An instruction before any FROM stops the reading after its checks.
    assert_eq!(
        unparsed("MAINTAINER me\nFROM a as B\n"),
        ["1:MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"]
    );
}
