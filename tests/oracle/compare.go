package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/moby/buildkit/solver/pb"
)

type outcome int

const (
	same outcome = iota
	allowed
	differ
)

type caseResult struct {
	c         testCase
	outcome   outcome
	reject    string // both sides refused: the reference's message
	diffs     []diff
	allowedBy []*allowEntry
	failures  []diff
}

// runReference is referenceLLB with a panic turned into an error.
func runReference(r *request) (out *converted, refs []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return referenceLLB(context.Background(), r)
}

func compareCase(bin string, allow *allowList, c testCase) caseResult {
	res := caseResult{c: c}
	rconv, refs, rerr := runReference(&c.req)
	oconv, oerr := oursLLB(bin, &c.req, refs)
	switch {
	case rerr != nil && oerr != nil:
		res.reject = errorLine(rerr)
	case rerr != nil:
		res.diffs = []diff{{"result", "result", "ok", "error: " + errorLine(rerr)}}
	case oerr != nil:
		res.diffs = []diff{{"result", "result", "error: " + oerr.Error(), "ok"}}
	default:
		res.diffs = compareDefinitions(oconv.def, rconv.def)
		res.diffs = append(res.diffs, compareImages(oconv.image, rconv.image)...)
	}
	res.classify(allow)
	return res
}

// classify sorts the differences into allowed ones and failures.
func (res *caseResult) classify(allow *allowList) {
	for _, d := range res.diffs {
		if e := allow.allows(res.c.name, d.key()); e != nil {
			res.allowedBy = append(res.allowedBy, e)
		} else {
			res.failures = append(res.failures, d)
		}
	}
	switch {
	case len(res.failures) > 0:
		res.outcome = differ
	case len(res.diffs) > 0:
		res.outcome = allowed
	}
}

func compareDefinitions(odef, rdef *pb.Definition) []diff {
	if len(odef.Def) == 0 || len(rdef.Def) == 0 {
		if len(odef.Def) != len(rdef.Def) {
			return []diff{{"definition", "op count", fmt.Sprint(len(odef.Def)), fmt.Sprint(len(rdef.Def))}}
		}
		return nil
	}
	og, err1 := newGraph(odef)
	rg, err2 := newGraph(rdef)
	if err1 != nil || err2 != nil {
		return []diff{{"result", "definition", fmt.Sprint(err1), fmt.Sprint(err2)}}
	}
	return compareGraphs(og, rg)
}

// compareImages compares the image configs field by field.
func compareImages(ours, ref []byte) []diff {
	flat := func(dt []byte) map[string]string {
		out := map[string]string{}
		var v any
		if err := json.Unmarshal(dt, &v); err != nil {
			out["image"] = "unreadable: " + err.Error()
			return out
		}
		flattenJSON(out, "image", v)
		// Go writes a nil list as null where we omit it; BuildKit reads
		// both as absent.
		for k, v := range out {
			if v == "null" {
				delete(out, k)
			}
		}
		return out
	}
	fo, fr := flat(ours), flat(ref)
	var out []diff
	for _, k := range unionKeys(fo, fr) {
		vo, okO := fo[k]
		vr, okR := fr[k]
		if !okO {
			vo = none
		}
		if !okR {
			vr = none
		}
		if vo != vr {
			out = append(out, diff{"image config", k, vo, vr})
		}
	}
	return out
}

// cmdCompare compares `stagecraft llb` with the reference on every
// Dockerfile of the corpus and prints each difference and a summary.
func cmdCompare(args []string) (bool, error) {
	fs := flag.NewFlagSet("compare", flag.ExitOnError)
	s := registerCompareFlags(fs, "allow.txt")
	fs.Parse(args)
	return s.run("reference-llb", compareCase)
}

// compareSession is one comparison run over the corpus.
type compareSession struct {
	bin, repo, only, allowPath, allowName, scratch *string
	verbose                                        *bool
}

func registerCompareFlags(fs *flag.FlagSet, allowName string) *compareSession {
	return &compareSession{
		bin:       fs.String("stagecraft", "", "the stagecraft binary"),
		repo:      fs.String("repo", ".", "the repository root"),
		only:      fs.String("only", "", "only cases whose name contains this"),
		verbose:   fs.Bool("v", false, "also print allowed differences and both-reject messages"),
		allowPath: fs.String("allow", "", "the allow-list (default: tests/oracle/"+allowName+")"),
		allowName: &allowName,
		scratch:   fs.String("scratch", "", "write inline Dockerfiles here and keep them (default: a temporary directory)"),
	}
}

func (s *compareSession) run(label string, check func(bin string, allow *allowList, c testCase) caseResult) (bool, error) {
	if *s.bin == "" {
		return false, fmt.Errorf("--stagecraft is required")
	}
	var err error
	// Absolute, as each side may run in the case's directory.
	if *s.bin, err = filepath.Abs(*s.bin); err != nil {
		return false, err
	}
	root, err := filepath.Abs(*s.repo)
	if err != nil {
		return false, err
	}
	oracle := filepath.Join(root, "tests/oracle")
	if *s.allowPath == "" {
		*s.allowPath = filepath.Join(oracle, *s.allowName)
	}
	allow, err := loadAllowList(*s.allowPath)
	if err != nil {
		return false, err
	}
	images, err := loadImages(filepath.Join(oracle, "images"))
	if err != nil {
		return false, err
	}
	scratch := *s.scratch
	if scratch == "" {
		if scratch, err = os.MkdirTemp("", "oracle-corpus-"); err != nil {
			return false, err
		}
		defer os.RemoveAll(scratch)
	}
	b := &corpusBuilder{scratch: scratch, images: images, seen: map[[32]byte]bool{}}
	if err := b.repoFiles(root); err != nil {
		return false, err
	}
	if err := b.rustTests(root); err != nil {
		return false, err
	}
	src, err := buildkitSource()
	if err != nil {
		return false, err
	}
	if err := b.buildkitTests(src); err != nil {
		return false, fmt.Errorf("reading the reference's tests in %s: %w", src, err)
	}

	var cases []testCase
	for _, c := range b.cases {
		if strings.Contains(c.name, *s.only) {
			cases = append(cases, c)
		}
	}
	results := make([]caseResult, len(cases))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = check(*s.bin, allow, cases[i])
			}
		}()
	}
	for i := range cases {
		work <- i
	}
	close(work)
	wg.Wait()
	return s.report(label, allow, results), nil
}

// report prints every failing difference (and, with -v, the allowed ones and
// the shared rejections), one line per category and the summary line. It
// says whether nothing differed.
func (s *compareSession) report(label string, allow *allowList, results []caseResult) bool {
	verbose := *s.verbose
	type tally struct{ same, rejected, allowed, differ int }
	byCat := map[string]*tally{}
	total := tally{}
	for _, r := range results {
		t := byCat[r.c.category]
		if t == nil {
			t = &tally{}
			byCat[r.c.category] = t
		}
		switch r.outcome {
		case same:
			t.same++
			total.same++
			if r.reject != "" {
				t.rejected++
				if verbose {
					fmt.Printf("both reject %s: %s\n", r.c.name, r.reject)
				}
			}
		case allowed:
			t.allowed++
			total.allowed++
		case differ:
			t.differ++
			total.differ++
		}
		if r.outcome == differ || verbose && r.outcome == allowed {
			fmt.Printf("DIFF %s (%s)\n", r.c.name, r.c.req.dockerfile)
			for _, d := range r.failures {
				fmt.Printf("  %s\n", d)
			}
			if verbose {
				for _, e := range r.allowedBy {
					fmt.Printf("  allowed by %s:%d (%s)\n", *s.allowName, e.line, e.reason)
				}
			}
		}
	}
	for _, e := range allow.entries {
		if e.matched == 0 && *s.only == "" {
			fmt.Printf("note: %s:%d matched nothing: %s | %s\n", *s.allowName, e.line, e.caseGlob, e.diffGlob)
		}
	}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		t := byCat[c]
		fmt.Printf("  %-12s %d same (%d both reject, %d with allowed differences), %d differ\n",
			c, t.same+t.allowed, t.rejected, t.allowed, t.differ)
	}
	fmt.Printf("%s  %d same, %d differ\n", label, total.same+total.allowed, total.differ)
	return total.differ == 0
}
