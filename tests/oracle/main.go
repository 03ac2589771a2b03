// Command oracle runs BuildKit's reference Dockerfile frontend (pinned by
// go.mod) offline, to compare Stagecraft against it. Test tooling only.
//
//	oracle llb     -f Dockerfile [--context DIR] [--opt K=V]...   reference LLB, one op per line
//	oracle lint    -f Dockerfile... [--context DIR] [--opt K=V]... reference lint findings as JSON
//	oracle compare --stagecraft BIN [--repo DIR] [--only SUBSTR] [-v]
//	                                                              every Dockerfile vs `stagecraft llb`
//	oracle compare-lint --stagecraft BIN [--repo DIR] [--only SUBSTR] [-v]
//	                                                              every Dockerfile vs `stagecraft lint --format json`
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func usage() {
	fmt.Fprintln(os.Stderr, "usage: oracle llb|lint|compare|compare-lint [flags] (oracle CMD -h for flags)")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "llb":
		err = cmdLLB(os.Args[2:])
	case "lint":
		err = cmdLint(os.Args[2:])
	case "compare", "compare-lint":
		run := cmdCompare
		if os.Args[1] == "compare-lint" {
			run = cmdCompareLint
		}
		var ok bool
		ok, err = run(os.Args[2:])
		if err == nil && !ok {
			os.Exit(1)
		}
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(2)
	}
}

// commonFlags are the ones every mode takes to describe one conversion.
type commonFlags struct {
	files   multiFlag
	context string
	opts    multiFlag
	images  string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.Var(&c.files, "f", "Dockerfile (repeatable for lint)")
	fs.StringVar(&c.context, "context", "", "build context directory (default: the Dockerfile's directory)")
	fs.Var(&c.opts, "opt", "frontend option K=V as BuildKit passes it, e.g. target=x, build-arg:A=b (repeatable)")
	fs.StringVar(&c.images, "images", defaultImagesDir(), "directory of base image configs (index.txt, default.json)")
}

func (c *commonFlags) requests() ([]request, error) {
	images, err := loadImages(c.images)
	if err != nil {
		return nil, fmt.Errorf("image configs: %w", err)
	}
	opts := map[string]string{}
	for _, kv := range c.opts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--opt %q is not K=V", kv)
		}
		opts[k] = v
	}
	if len(c.files) == 0 {
		c.files = multiFlag{"Dockerfile"}
	}
	var out []request
	for _, f := range c.files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		ctxDir := c.context
		if ctxDir == "" {
			ctxDir = filepath.Dir(abs)
		}
		if ctxDir, err = filepath.Abs(ctxDir); err != nil {
			return nil, err
		}
		out = append(out, request{dockerfile: abs, context: ctxDir, opts: opts, images: images})
	}
	return out, nil
}

// oracleDir is this package's source directory, found from the working
// directory (the repository root or tests/oracle).
func oracleDir() string {
	for _, cand := range []string{".", "tests/oracle"} {
		if _, err := os.Stat(filepath.Join(cand, "allow.txt")); err == nil {
			abs, _ := filepath.Abs(cand)
			return abs
		}
	}
	return "."
}

func defaultImagesDir() string { return filepath.Join(oracleDir(), "images") }

// buildkitSource is the module source of the pinned reference.
func buildkitSource() (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("no build info")
	}
	for _, dep := range info.Deps {
		if dep.Path == "github.com/moby/buildkit" {
			cache := os.Getenv("GOMODCACHE")
			if cache == "" {
				gopath := os.Getenv("GOPATH")
				if gopath == "" {
					home, _ := os.UserHomeDir()
					gopath = filepath.Join(home, "go")
				}
				cache = filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "pkg", "mod")
			}
			return filepath.Join(cache, "github.com/moby/buildkit@"+dep.Version), nil
		}
	}
	return "", fmt.Errorf("github.com/moby/buildkit is not a dependency")
}
