package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
	"github.com/pkg/errors"
)

// imageSet is the fixed image configs both sides are given, by normalised
// reference, plus the one every other image gets.
type imageSet struct {
	dir      string
	def      string
	specific map[string]string // normalised ref -> file
}

func normalizeRef(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.TagNameOnly(named).String()
}

func loadImages(dir string) (*imageSet, error) {
	set := &imageSet{dir: dir, def: filepath.Join(dir, "default.json"), specific: map[string]string{}}
	if _, err := os.Stat(set.def); err != nil {
		return nil, err
	}
	dt, err := os.ReadFile(filepath.Join(dir, "index.txt"))
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(dt))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, errors.Errorf("images/index.txt: %q is not REF FILE", line)
		}
		set.specific[normalizeRef(f[0])] = filepath.Join(dir, f[1])
	}
	return set, nil
}

// fileFor is the config file for ref.
func (s *imageSet) fileFor(ref string) string {
	if f, ok := s.specific[normalizeRef(ref)]; ok {
		return f
	}
	return s.def
}

func (s *imageSet) configFor(ref string) []byte {
	dt, err := os.ReadFile(s.fileFor(ref))
	if err != nil {
		return []byte("{}")
	}
	return dt
}
