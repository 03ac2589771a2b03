package main

// `stagecraft lint --format json` against the reference linter, over the
// same corpus as the LLB comparison. Findings are paired by rule and line
// range; a paired finding is then compared on message, description and URL.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os/exec"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/subrequests/lint"
)

// lintOpts keeps the options `stagecraft lint` takes (build args and the
// platform), as `--build-arg`/`--platform` for ours and frontend options for
// the reference.
func lintOpts(opts map[string]string) (map[string]string, []string) {
	kept := map[string]string{}
	var args []string
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := opts[k]
		switch {
		case strings.HasPrefix(k, "build-arg:"):
			kept[k] = v
			args = append(args, "--build-arg", strings.TrimPrefix(k, "build-arg:")+"="+v)
		case k == "platform":
			kept[k] = v
			args = append(args, "--platform", v)
		}
	}
	return kept, args
}

func oursLint(bin string, r *request, extra []string) (*lint.LintResults, error) {
	args := append([]string{"lint", "--format", "json", "-f", r.dockerfile,
		"--default-image-config", r.images.def}, extra...)
	for ref, file := range r.images.specific {
		args = append(args, "--image-config", ref+"="+file)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = r.context
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	var res lint.LintResults
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if runErr != nil && msg == "" {
			msg = runErr.Error()
		}
		if runErr != nil {
			return nil, fmt.Errorf("%s", firstLines(msg, 3))
		}
		return nil, fmt.Errorf("reading our lint JSON: %w", err)
	}
	return &res, nil
}

func findingKey(w lint.Warning) string {
	var lines []string
	if w.Location != nil {
		for _, r := range w.Location.Ranges {
			lines = append(lines, fmt.Sprintf("%d-%d", r.Start.Line, r.End.Line))
		}
	}
	return w.RuleName + "@" + strings.Join(lines, ",")
}

func compareLint(ours, ref *lint.LintResults) []diff {
	var out []diff
	group := func(ws []lint.Warning) map[string][]lint.Warning {
		m := map[string][]lint.Warning{}
		for _, w := range ws {
			m[findingKey(w)] = append(m[findingKey(w)], w)
		}
		return m
	}
	o, r := group(ours.Warnings), group(ref.Warnings)
	keys := map[string]struct{}{}
	for k := range o {
		keys[k] = struct{}{}
	}
	for k := range r {
		keys[k] = struct{}{}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		ow, rw := o[k], r[k]
		n := min(len(ow), len(rw))
		for i := 0; i < n; i++ {
			for _, f := range []struct{ name, a, b string }{
				{"message", ow[i].Detail, rw[i].Detail},
				{"description", ow[i].Description, rw[i].Description},
				{"url", ow[i].URL, rw[i].URL},
			} {
				if f.a != f.b {
					out = append(out, diff{"finding " + k, f.name, fmt.Sprintf("%q", f.a), fmt.Sprintf("%q", f.b)})
				}
			}
		}
		for _, w := range ow[n:] {
			out = append(out, diff{"finding " + k, "finding", fmt.Sprintf("%q", w.Detail), none})
		}
		for _, w := range rw[n:] {
			out = append(out, diff{"finding " + k, "finding", none, fmt.Sprintf("%q", w.Detail)})
		}
	}
	if (ours.Error == nil) != (ref.Error == nil) {
		msg := func(e *lint.BuildError) string {
			if e == nil {
				return none
			}
			return fmt.Sprintf("%q", e.Message)
		}
		out = append(out, diff{"result", "buildError", msg(ours.Error), msg(ref.Error)})
	}
	return out
}

func lintCase(bin string, allow *allowList, c testCase) caseResult {
	res := caseResult{c: c}
	kept, args := lintOpts(c.req.opts)
	req := c.req
	req.opts = kept
	ref, rerr := func() (out *lint.LintResults, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return referenceLint(context.Background(), &req)
	}()
	ours, oerr := oursLint(bin, &req, args)
	switch {
	case rerr != nil && oerr != nil:
		res.reject = errorLine(rerr)
	case rerr != nil:
		res.diffs = []diff{{"result", "result", "ok", "error: " + errorLine(rerr)}}
	case oerr != nil:
		res.diffs = []diff{{"result", "result", "error: " + oerr.Error(), "ok"}}
	default:
		res.diffs = compareLint(ours, ref)
	}
	res.classify(allow)
	return res
}

// cmdCompareLint compares `stagecraft lint --format json` with the
// reference linter over the corpus.
func cmdCompareLint(args []string) (bool, error) {
	fs := flag.NewFlagSet("compare-lint", flag.ExitOnError)
	s := registerCompareFlags(fs, "allow-lint.txt")
	fs.Parse(args)
	return s.run("reference-lint", lintCase)
}
