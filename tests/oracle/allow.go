package main

// The reviewed allow-list: differences we know of, each with its reason.
//
//	CASE-GLOB | DIFF-GLOB | reason
//
// `*` matches any run of characters. CASE-GLOB matches a case name,
// DIFF-GLOB a difference as `field: ours=X reference=Y`.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
)

type allowEntry struct {
	line     int
	casePat  *regexp.Regexp
	diffPat  *regexp.Regexp
	caseGlob string
	diffGlob string
	reason   string
	matched  int
}

type allowList struct {
	mu      sync.Mutex // cases are checked concurrently
	entries []*allowEntry
}

func globRegexp(glob string) (*regexp.Regexp, error) {
	parts := strings.Split(glob, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.Compile("^" + strings.Join(parts, ".*") + "$")
}

func loadAllowList(path string) (*allowList, error) {
	dt, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	list := &allowList{}
	sc := bufio.NewScanner(bytes.NewReader(dt))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, " | ", 3)
		if len(parts) != 3 || strings.TrimSpace(parts[2]) == "" {
			return nil, fmt.Errorf("%s:%d: want `CASE-GLOB | DIFF-GLOB | reason`", path, n)
		}
		e := &allowEntry{line: n, caseGlob: strings.TrimSpace(parts[0]), diffGlob: strings.TrimSpace(parts[1]), reason: strings.TrimSpace(parts[2])}
		if e.casePat, err = globRegexp(e.caseGlob); err != nil {
			return nil, err
		}
		if e.diffPat, err = globRegexp(e.diffGlob); err != nil {
			return nil, err
		}
		list.entries = append(list.entries, e)
	}
	return list, sc.Err()
}

// allows returns the entry that allows this difference, if any.
func (l *allowList) allows(caseName, diffKey string) *allowEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.entries {
		if e.casePat.MatchString(caseName) && e.diffPat.MatchString(diffKey) {
			e.matched++
			return e
		}
	}
	return nil
}
