package main

// Every Dockerfile the project holds, plus those embedded in the reference's
// own frontend tests (read from the module source at run time).

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type testCase struct {
	name     string
	category string
	req      request
}

// corpusBuilder collects cases, writing inline Dockerfiles to scratch
// directories and skipping texts already seen.
type corpusBuilder struct {
	scratch string
	images  *imageSet
	seen    map[[32]byte]bool
	cases   []testCase
}

func (b *corpusBuilder) addFile(name, category, dockerfile, context string, opts map[string]string) {
	b.cases = append(b.cases, testCase{name, category, request{
		dockerfile: dockerfile, context: context, opts: opts, images: b.images,
	}})
}

// addText adds an inline Dockerfile once per distinct text.
func (b *corpusBuilder) addText(name, category, text string) error {
	sum := sha256.Sum256([]byte(text))
	if b.seen[sum] {
		return nil
	}
	b.seen[sum] = true
	dir := filepath.Join(b.scratch, fmt.Sprintf("%x", sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	file := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		return err
	}
	b.addFile(name, category, file, dir, nil)
	return nil
}

// repoFiles adds the Dockerfiles kept as files: integration fixtures,
// equivalence cases and examples (each with its own directory as context),
// and the oracle's corpus (a directory per case, `opts` holding K=V lines).
func (b *corpusBuilder) repoFiles(repo string) error {
	for _, spec := range []struct{ category, dir string }{
		{"equivalence", "integration/equivalence"},
		{"fixtures", "integration/fixtures"},
		{"examples", "integration/examples"},
		{"corpus", "tests/oracle/corpus"},
	} {
		root := filepath.Join(repo, spec.dir)
		var files []string
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			base := d.Name()
			if !d.IsDir() && strings.HasPrefix(base, "Dockerfile") && !strings.HasSuffix(base, ".dockerignore") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		sort.Strings(files)
		for _, f := range files {
			rel, _ := filepath.Rel(repo, f)
			opts, err := readOpts(filepath.Join(filepath.Dir(f), "opts"))
			if err != nil {
				return err
			}
			b.addFile(rel, spec.category, f, filepath.Dir(f), opts)
		}
	}
	return nil
}

func readOpts(path string) (map[string]string, error) {
	dt, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	opts := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(dt))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: %q is not K=V", path, line)
		}
		opts[k] = v
	}
	return opts, nil
}

// looksLikeDockerfile: some line starts with FROM.
func looksLikeDockerfile(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.EqualFold(f[0], "FROM") {
			return true
		}
	}
	return false
}

// rustTests adds Dockerfile texts written as string literals in the Rust
// sources under tests/ and frontend/.
func (b *corpusBuilder) rustTests(repo string) error {
	for _, dir := range []string{"tests", "frontend"} {
		var files []string
		err := filepath.WalkDir(filepath.Join(repo, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "target" || d.Name() == "oracle") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(p, ".rs") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		sort.Strings(files)
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(repo, f)
			for _, lit := range rustStrings(string(src)) {
				if looksLikeDockerfile(lit.text) {
					if err := b.addText(fmt.Sprintf("%s:%d", rel, lit.line), "unit", lit.text); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// buildkitTests adds the Dockerfiles embedded in the reference's
// frontend/dockerfile tests. Format strings (first argument of a
// fmt.Sprintf/Fprintf call) are skipped: their text is not a Dockerfile yet.
func (b *corpusBuilder) buildkitTests(moduleDir string) error {
	var files []string
	err := filepath.WalkDir(filepath.Join(moduleDir, "frontend/dockerfile"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, "_test.go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			return err
		}
		formats := map[*ast.BasicLit]bool{}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && isFormatter(sel.Sel.Name) {
				for _, a := range call.Args {
					if lit, ok := a.(*ast.BasicLit); ok {
						formats[lit] = true
						break
					}
				}
			}
			return true
		})
		rel, _ := filepath.Rel(moduleDir, f)
		var addErr error
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || formats[lit] {
				return true
			}
			text, err := strconv.Unquote(lit.Value)
			if err != nil || !looksLikeDockerfile(text) {
				return true
			}
			line := fset.Position(lit.Pos()).Line
			if err := b.addText(fmt.Sprintf("buildkit/%s:%d", rel, line), "buildkit", text); err != nil && addErr == nil {
				addErr = err
			}
			return true
		})
		if addErr != nil {
			return addErr
		}
	}
	return nil
}

func isFormatter(name string) bool {
	switch name {
	case "Sprintf", "Printf", "Fprintf", "Errorf", "Appendf":
		return true
	}
	return false
}
