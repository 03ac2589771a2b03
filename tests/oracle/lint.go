package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/solver/pb"
)

// experimental is each rule's default experimental state, from the
// reference's linter package.
var experimental = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range []linter.LinterRuleI{
		&linter.RuleStageNameCasing, &linter.RuleFromAsCasing, &linter.RuleNoEmptyContinuation,
		&linter.RuleConsistentInstructionCasing, &linter.RuleDuplicateStageName, &linter.RuleReservedStageName,
		&linter.RuleJSONArgsRecommended, &linter.RuleMaintainerDeprecated, &linter.RuleUndefinedArgInFrom,
		&linter.RuleWorkdirRelativePath, &linter.RuleUndefinedVar, &linter.RuleMultipleInstructionsDisallowed,
		&linter.RuleLegacyKeyValueFormat, &linter.RuleInvalidBaseImagePlatform, &linter.RuleRedundantTargetPlatform,
		&linter.RuleSecretsUsedInArgOrEnv, &linter.RuleInvalidDefaultArgInFrom, &linter.RuleFromPlatformFlagConstDisallowed,
		&linter.RuleCopyIgnoredFile, &linter.RuleInvalidDefinitionDescription, &linter.RuleExposeProtoCasing,
		&linter.RuleExposeInvalidFormat,
	} {
		m[r.RuleName()] = r.IsExperimental()
	}
	return m
}()

type lintRange struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

type lintFinding struct {
	Rule         string      `json:"rule"`
	Line         int         `json:"line"`
	Ranges       []lintRange `json:"ranges"`
	Message      string      `json:"message"`
	Description  string      `json:"description"`
	URL          string      `json:"url"`
	Experimental bool        `json:"experimental"`
}

type lintError struct {
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
}

type lintFile struct {
	File     string        `json:"file"`
	Findings []lintFinding `json:"findings"`
	Error    *lintError    `json:"error,omitempty"`
}

func lineRanges(loc *pb.Location) []lintRange {
	var out []lintRange
	if loc == nil {
		return out
	}
	for _, r := range loc.Ranges {
		out = append(out, lintRange{int(r.Start.Line), int(r.End.Line)})
	}
	return out
}

// referenceLintFile is the reference linter's findings for one request,
// in the order it reports them.
func referenceLintFile(ctx context.Context, r *request) lintFile {
	out := lintFile{File: r.dockerfile, Findings: []lintFinding{}}
	res, err := referenceLint(ctx, r)
	if err != nil {
		out.Error = &lintError{Message: errorLine(err)}
		return out
	}
	for _, w := range res.Warnings {
		f := lintFinding{
			Rule: w.RuleName, Message: w.Detail, Description: w.Description, URL: w.URL,
			Experimental: experimental[w.RuleName], Ranges: lineRanges(w.Location),
		}
		if len(f.Ranges) > 0 {
			f.Line = f.Ranges[0].Start
		}
		out.Findings = append(out.Findings, f)
	}
	if res.Error != nil {
		out.Error = &lintError{Message: res.Error.Message}
		if rs := lineRanges(&res.Error.Location); len(rs) > 0 {
			out.Error.Line = rs[0].Start
		}
	}
	return out
}

// cmdLint prints, for each -f, the reference linter's findings as JSON (an
// array with one object per file).
func cmdLint(args []string) error {
	fs := flag.NewFlagSet("lint", flag.ExitOnError)
	var c commonFlags
	c.register(fs)
	fs.Parse(args)
	reqs, err := c.requests()
	if err != nil {
		return err
	}
	var out []lintFile
	for i := range reqs {
		out = append(out, referenceLintFile(context.Background(), &reqs[i]))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
