package main

// Two Definitions compared as graphs: walking both from their terminal op,
// ops are paired by position (the n-th input of paired ops are paired), and
// each pair is compared on its own content with input digests blanked, so a
// difference in one op is reported once and not again in every descendant.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

type graph struct {
	ops   map[digest.Digest]*pb.Op
	pos   map[digest.Digest]int
	meta  map[string]*pb.OpMetadata
	locs  map[string]*pb.Locations
	infos []*pb.SourceInfo
	root  digest.Digest
	count int
}

func newGraph(def *pb.Definition) (*graph, error) {
	g := &graph{
		ops:  map[digest.Digest]*pb.Op{},
		pos:  map[digest.Digest]int{},
		meta: def.Metadata,
	}
	if def.Source != nil {
		g.locs = def.Source.Locations
		g.infos = def.Source.Infos
	}
	for i, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, fmt.Errorf("op %d: %w", i, err)
		}
		d := digest.FromBytes(dt)
		if _, dup := g.ops[d]; !dup {
			g.count++
		}
		g.ops[d] = &op
		g.pos[d] = i
		g.root = d
	}
	if g.count == 0 {
		return nil, fmt.Errorf("empty definition")
	}
	return g, nil
}

// diff is one difference: where (a label of the op pair), what (a field
// path) and both values ("<none>" when absent).
type diff struct {
	where, what, ours, ref string
}

func (d diff) String() string {
	return fmt.Sprintf("%s: %s: ours=%s reference=%s", d.where, d.what, d.ours, d.ref)
}

// key is what the allow-list matches: the field and both values.
func (d diff) key() string {
	return fmt.Sprintf("%s: ours=%s reference=%s", d.what, d.ours, d.ref)
}

const none = "<none>"

// compareGraphs lists every difference between ours and ref.
func compareGraphs(ours, ref *graph) []diff {
	var out []diff
	type pair struct{ o, r digest.Digest }
	seen := map[pair]bool{}
	queue := []pair{{ours.root, ref.root}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		oop, rop := ours.ops[p.o], ref.ops[p.r]
		where := fmt.Sprintf("op ours#%d/ref#%d %s", ours.pos[p.o], ref.pos[p.r], label(ref, p.r))
		fo, fr := ours.flatten(p.o), ref.flatten(p.r)
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
				out = append(out, diff{where, k, vo, vr})
			}
		}
		if len(oop.Inputs) != len(rop.Inputs) {
			out = append(out, diff{where, "inputs", fmt.Sprint(len(oop.Inputs)), fmt.Sprint(len(rop.Inputs))})
			continue
		}
		for i := range oop.Inputs {
			queue = append(queue, pair{digest.Digest(oop.Inputs[i].Digest), digest.Digest(rop.Inputs[i].Digest)})
		}
	}
	if ours.count != ref.count {
		out = append(out, diff{"definition", "op count", fmt.Sprint(ours.count), fmt.Sprint(ref.count)})
	}
	return out
}

// label names an op for a reader: its progress name, else its kind.
func label(g *graph, d digest.Digest) string {
	if m := g.meta[string(d)]; m != nil {
		if n, ok := m.Description["llb.customname"]; ok {
			return fmt.Sprintf("%q", n)
		}
	}
	op := g.ops[d]
	switch x := op.Op.(type) {
	case *pb.Op_Source:
		return "source " + x.Source.Identifier
	case *pb.Op_Exec:
		return "exec"
	case *pb.Op_File:
		return "file"
	case *pb.Op_Merge:
		return "merge"
	case *pb.Op_Diff:
		return "diff"
	case nil:
		return "terminal"
	}
	return "op"
}

// flatten is the op's comparable content as path -> JSON value: the op with
// input digests blanked, its metadata without the random progress group id,
// and its source locations.
func (g *graph) flatten(d digest.Digest) map[string]string {
	out := map[string]string{}
	op := g.ops[d].CloneVT()
	for _, in := range op.Inputs {
		in.Digest = ""
	}
	flattenJSON(out, "op", protoJSON(op))
	if m := g.meta[string(d)]; m != nil {
		m = m.CloneVT()
		if m.ProgressGroup != nil {
			m.ProgressGroup.Id = ""
		}
		flattenJSON(out, "meta", protoJSON(m))
	}
	if l := g.locs[string(d)]; l != nil {
		for i, loc := range l.Locations {
			file := fmt.Sprintf("source#%d", loc.SourceIndex)
			if int(loc.SourceIndex) < len(g.infos) && loc.SourceIndex >= 0 {
				file = g.infos[loc.SourceIndex].Filename
			}
			var ranges []string
			for _, r := range loc.Ranges {
				ranges = append(ranges, fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Character, r.End.Line, r.End.Character))
			}
			out[fmt.Sprintf("location[%d]", i)] = file + " " + strings.Join(ranges, ",")
		}
	}
	return out
}

func protoJSON(m proto.Message) any {
	dt, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return map[string]any{"marshal-error": err.Error()}
	}
	var v any
	if err := json.Unmarshal(dt, &v); err != nil {
		return map[string]any{"unmarshal-error": err.Error()}
	}
	return v
}

func flattenJSON(out map[string]string, path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return
		}
		for k, e := range x {
			flattenJSON(out, path+"."+k, e)
		}
	case []any:
		if len(x) == 0 {
			return
		}
		for i, e := range x {
			flattenJSON(out, fmt.Sprintf("%s[%d]", path, i), e)
		}
	default:
		dt, _ := json.Marshal(x)
		out[path] = string(dt)
	}
}

func unionKeys(a, b map[string]string) []string {
	set := map[string]struct{}{}
	for k := range a {
		set[k] = struct{}{}
	}
	for k := range b {
		set[k] = struct{}{}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
