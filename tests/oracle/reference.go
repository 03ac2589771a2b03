package main

// The reference frontend run in-process: BuildKit's own option parsing
// (dockerui.Client) over a gateway client that answers from the local disk
// and an image resolver that never leaves the machine.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"github.com/pkg/errors"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// localUnique is the id `stagecraft llb` gives the context when it has no
// session; the reference gets the same so the context source compares.
const localUnique = "stagecraft-cli-context"

// request is one conversion: a Dockerfile, its context directory and the
// frontend options as BuildKit would pass them.
type request struct {
	dockerfile string // path of the Dockerfile
	context    string // build context directory
	opts       map[string]string
	images     *imageSet
}

func (r *request) frontendOpts() map[string]string {
	opts := map[string]string{"filename": filepath.Base(r.dockerfile)}
	for k, v := range r.opts {
		opts[k] = v
	}
	return opts
}

// fakeGateway serves the two locals, `context` and `dockerfile`, from disk.
// Anything that would need a daemon fails.
type fakeGateway struct {
	opts   map[string]string
	locals map[string]string
	// Named image contexts resolve through the gateway client, not the
	// MetaResolver: answered by the same offline set.
	images *offlineResolver
}

var _ gwclient.Client = (*fakeGateway)(nil)

func (g *fakeGateway) BuildOpts() gwclient.BuildOpts {
	return gwclient.BuildOpts{
		Opts:    g.opts,
		Product: "stagecraft-oracle",
		LLBCaps: pb.Caps.CapSet(pb.Caps.All()),
		Caps:    gwpb.Caps.CapSet(gwpb.Caps.All()),
	}
}

func (g *fakeGateway) Solve(ctx context.Context, req gwclient.SolveRequest) (*gwclient.Result, error) {
	if req.Definition == nil {
		return nil, errors.New("oracle: solve without a definition")
	}
	for _, dt := range req.Definition.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, err
		}
		if src := op.GetSource(); src != nil {
			if name, ok := strings.CutPrefix(src.Identifier, "local://"); ok {
				dir, ok := g.locals[name]
				if !ok {
					return nil, errors.Errorf("oracle: no local %q", name)
				}
				res := gwclient.NewResult()
				res.SetRef(&diskRef{dir: dir})
				return res, nil
			}
			return nil, errors.Errorf("oracle: offline, cannot solve %s", src.Identifier)
		}
	}
	return nil, errors.New("oracle: offline, can only solve locals")
}

func (g *fakeGateway) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	if g.images == nil {
		return "", "", nil, errors.New("oracle: images resolve through the MetaResolver")
	}
	return g.images.ResolveImageConfig(ctx, ref, opt)
}

func (g *fakeGateway) ResolveSourceMetadata(ctx context.Context, op *pb.SourceOp, opt sourceresolver.Opt) (*sourceresolver.MetaResponse, error) {
	return nil, errors.Errorf("oracle: offline, cannot resolve %s", op.Identifier)
}

func (g *fakeGateway) Inputs(ctx context.Context) (map[string]llb.State, error) {
	return map[string]llb.State{}, nil
}

func (g *fakeGateway) NewContainer(ctx context.Context, req gwclient.NewContainerRequest) (gwclient.Container, error) {
	return nil, errors.New("oracle: no containers")
}

func (g *fakeGateway) Warn(ctx context.Context, dgst digest.Digest, msg string, opts gwclient.WarnOpts) error {
	return nil
}

// diskRef reads files of one local directory.
type diskRef struct{ dir string }

func (r *diskRef) path(name string) (string, error) {
	clean := filepath.Clean("/" + name)
	return filepath.Join(r.dir, clean), nil
}

func (r *diskRef) ToState() (llb.State, error)        { return llb.Scratch(), nil }
func (r *diskRef) Evaluate(ctx context.Context) error { return nil }

func (r *diskRef) ReadFile(ctx context.Context, req gwclient.ReadRequest) ([]byte, error) {
	p, err := r.path(req.Filename)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

func (r *diskRef) StatFile(ctx context.Context, req gwclient.StatRequest) (*fstypes.Stat, error) {
	return nil, errors.New("oracle: stat is not served")
}

func (r *diskRef) ReadDir(ctx context.Context, req gwclient.ReadDirRequest) ([]*fstypes.Stat, error) {
	return nil, errors.New("oracle: readdir is not served")
}

// offlineResolver answers every image with a config from the image set and
// no digest (so references stay unpinned, as in `stagecraft llb`), and
// remembers what was asked.
type offlineResolver struct {
	images   *imageSet
	mu       sync.Mutex // the reference resolves stages concurrently
	resolved map[string]struct{}
}

func (o *offlineResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	o.mu.Lock()
	o.resolved[ref] = struct{}{}
	o.mu.Unlock()
	return ref, "", o.images.configFor(ref), nil
}

func (o *offlineResolver) refs() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]string, 0, len(o.resolved))
	for r := range o.resolved {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// prepared is the state every reference entry point starts from.
type prepared struct {
	src      *dockerui.Source
	opt      dockerfile2llb.ConvertOpt
	resolver *offlineResolver
}

func prepare(ctx context.Context, r *request) (*prepared, error) {
	resolver := &offlineResolver{images: r.images, resolved: map[string]struct{}{}}
	gw := &fakeGateway{
		images: resolver,
		opts:   r.frontendOpts(),
		locals: map[string]string{
			dockerui.DefaultLocalNameContext:    r.context,
			dockerui.DefaultLocalNameDockerfile: filepath.Dir(r.dockerfile),
		},
	}
	bc, err := dockerui.NewClient(gw)
	if err != nil {
		return nil, err
	}
	src, err := bc.ReadEntrypoint(ctx, "Dockerfile")
	if err != nil {
		return nil, err
	}
	opt := dockerfile2llb.ConvertOpt{
		Config:       bc.Config,
		Client:       bc,
		SourceMap:    src.SourceMap,
		MetaResolver: resolver,
	}
	if len(bc.TargetPlatforms) > 1 {
		return nil, errors.New("oracle: one target platform at a time")
	}
	if len(bc.TargetPlatforms) == 1 {
		p := bc.TargetPlatforms[0]
		opt.TargetPlatform = &p
	}
	return &prepared{src: src, opt: opt, resolver: resolver}, nil
}

// converted is one side's answer: the Definition and the image config JSON.
type converted struct {
	def   *pb.Definition
	image []byte
}

// referenceLLB is the reference's Definition and image config for r, and
// the image refs it resolved.
func referenceLLB(ctx context.Context, r *request) (*converted, []string, error) {
	p, err := prepare(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	res, err := dockerfile2llb.Dockerfile2LLB(ctx, p.src.Data, p.opt)
	if err != nil {
		return nil, p.resolver.refs(), err
	}
	def, err := res.State.Marshal(ctx, llb.LocalUniqueID(localUnique))
	if err != nil {
		return nil, p.resolver.refs(), errors.Wrap(err, "marshal")
	}
	image, err := json.Marshal(res.Image)
	if err != nil {
		return nil, p.resolver.refs(), errors.Wrap(err, "image config")
	}
	return &converted{def: def.ToPB(), image: image}, p.resolver.refs(), nil
}

// referenceLint is the reference linter's result for r, as the lint
// subrequest computes it.
func referenceLint(ctx context.Context, r *request) (*lint.LintResults, error) {
	p, err := prepare(ctx, r)
	if err != nil {
		return nil, err
	}
	return dockerfile2llb.DockerfileLint(ctx, p.src.Data, p.opt)
}

// errorLine is the reference error as one line, with its Dockerfile lines.
func errorLine(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	var loc *parser.LocationError
	if errors.As(err, &loc) && len(loc.Locations) > 0 && len(loc.Locations[0]) > 0 {
		msg = fmt.Sprintf("line %d: %s", loc.Locations[0][0].Start.Line, msg)
	}
	return msg
}
