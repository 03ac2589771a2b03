package main

// Our side: the `stagecraft llb` binary, given the same Dockerfile, context,
// options and image configs as the reference.

import (
	"bytes"
	"os"
	"os/exec"
	"sort"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/pkg/errors"
)

// oursLLB runs `stagecraft llb` and decodes the Definition it prints and
// the image config it writes.
func oursLLB(bin string, r *request, refs []string) (*converted, error) {
	imageFile, err := os.CreateTemp("", "oracle-image-")
	if err != nil {
		return nil, err
	}
	imageFile.Close()
	defer os.Remove(imageFile.Name())
	args := []string{"llb", "-f", r.dockerfile, "--context", r.context, "--image-out", imageFile.Name()}
	keys := make([]string, 0, len(r.opts))
	for k := range r.opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--opt", k+"="+r.opts[k])
	}
	for _, ref := range refs {
		args = append(args, "--image-config", ref+"="+r.images.fileFor(ref))
	}
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(firstLines(msg, 3))
	}
	var def pb.Definition
	if err := def.UnmarshalVT(stdout.Bytes()); err != nil {
		return nil, errors.Wrap(err, "decoding our Definition")
	}
	if err := loadsInBuildKit(&def); err != nil {
		return nil, err
	}
	image, err := os.ReadFile(imageFile.Name())
	if err != nil {
		return nil, err
	}
	return &converted{def: &def, image: image}, nil
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}

// loadsInBuildKit reads the Definition the way BuildKit's own code does when
// it re-imports a result (SBOM scans, frontends calling frontends): a wire
// form Go decodes differently from prost, such as a map entry without its
// value, panics the daemon there.
func loadsInBuildKit(def *pb.Definition) (err error) {
	if len(def.Def) == 0 {
		return nil // scratch: BuildKit has no ref to load
	}
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("BuildKit's llb.NewDefinitionOp panics on our Definition: %v", r)
		}
	}()
	if _, err := llb.NewDefinitionOp(def); err != nil {
		return errors.Wrap(err, "BuildKit's llb.NewDefinitionOp refuses our Definition")
	}
	return nil
}
