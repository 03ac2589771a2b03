package main

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

func definition(t *testing.T, first string) *pb.Definition {
	t.Helper()
	st := llb.Image("busybox").
		Run(llb.Shlex(first), llb.WithCustomName("first")).Root().
		Run(llb.Shlex("echo second"), llb.WithCustomName("second")).Root().
		File(llb.Mkdir("/d", 0o755), llb.WithCustomName("third"))
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return def.ToPB()
}

func graphOf(t *testing.T, def *pb.Definition) *graph {
	t.Helper()
	g, err := newGraph(def)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestEqualGraphsHaveNoDifferences(t *testing.T) {
	a, b := definition(t, "echo first"), definition(t, "echo first")
	if d := compareGraphs(graphOf(t, a), graphOf(t, b)); len(d) != 0 {
		t.Fatalf("differences in equal graphs: %v", d)
	}
}

// One differing op is reported once: its descendants differ only in their
// input digests, which are not compared.
func TestOneDifferingOpDoesNotCascade(t *testing.T) {
	ours, ref := definition(t, "echo ours"), definition(t, "echo reference")
	diffs := compareGraphs(graphOf(t, ours), graphOf(t, ref))
	if len(diffs) != 1 {
		t.Fatalf("want one difference, got %d: %v", len(diffs), diffs)
	}
	d := diffs[0]
	if d.what != "op.exec.meta.args[1]" || d.ours != `"ours"` || d.ref != `"reference"` || !strings.Contains(d.where, `"first"`) {
		t.Fatalf("unexpected difference: %v", d)
	}
}

func TestAllowListMatchesCaseAndDifference(t *testing.T) {
	l := &allowList{}
	for _, e := range []struct{ c, d string }{{"unit:*", "meta.caps.x: ours=true reference=<none>"}} {
		cp, _ := globRegexp(e.c)
		dp, _ := globRegexp(e.d)
		l.entries = append(l.entries, &allowEntry{casePat: cp, diffPat: dp, reason: "r"})
	}
	if l.allows("unit:a.rs:1", "meta.caps.x: ours=true reference=<none>") == nil {
		t.Fatal("entry should match")
	}
	if l.allows("buildkit/x", "meta.caps.x: ours=true reference=<none>") != nil {
		t.Fatal("case glob should not match")
	}
}

func TestRustStringsFindsDockerfilesPastCharLiteralsAndRawStrings(t *testing.T) {
	src := "let q = '\"'; let a = \"FROM a\\nRUN \\\n    x\"; let b = r#\"FROM b \"quoted\"\"#; // \"FROM c\"\n"
	var got []string
	for _, l := range rustStrings(src) {
		got = append(got, l.text)
	}
	want := []string{"FROM a\nRUN x", `FROM b "quoted"`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}
