package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// cmdLLB prints the reference's Definition, one op per line as JSON:
// position, digest, inputs as positions, the op and its metadata. With
// --raw it writes the marshalled Definition instead, as `stagecraft llb`
// does: what the conversion benchmark times.
func cmdLLB(args []string) error {
	fs := flag.NewFlagSet("llb", flag.ExitOnError)
	var c commonFlags
	c.register(fs)
	var imageOut string
	fs.StringVar(&imageOut, "image-out", "", "also write the image config JSON to this file")
	raw := fs.Bool("raw", false, "write the binary Definition to stdout")
	fs.Parse(args)
	reqs, err := c.requests()
	if err != nil {
		return err
	}
	if len(reqs) != 1 {
		return fmt.Errorf("llb takes one -f")
	}
	conv, refs, err := referenceLLB(context.Background(), &reqs[0])
	if err != nil {
		return fmt.Errorf("reference: %s", errorLine(err))
	}
	def := conv.def
	if imageOut != "" {
		if err := os.WriteFile(imageOut, conv.image, 0o644); err != nil {
			return err
		}
	}
	for _, r := range refs {
		fmt.Fprintf(os.Stderr, "resolved %s with %s\n", r, reqs[0].images.fileFor(r))
	}
	if *raw {
		dt, err := def.MarshalVT()
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(dt)
		return err
	}
	pos := map[string]int{}
	for i, dt := range def.Def {
		d := digest.FromBytes(dt).String()
		if _, ok := pos[d]; !ok {
			pos[d] = i
		}
	}
	enc := json.NewEncoder(os.Stdout)
	for i, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return err
		}
		d := digest.FromBytes(dt).String()
		var inputs []string
		for _, in := range op.Inputs {
			inputs = append(inputs, fmt.Sprintf("%d:%d", pos[in.Digest], in.Index))
		}
		line := map[string]any{"n": i, "digest": d, "op": protoJSON(&op)}
		if len(inputs) > 0 {
			line["inputs"] = inputs
		}
		if m := def.Metadata[d]; m != nil {
			line["meta"] = protoJSON(m)
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}
