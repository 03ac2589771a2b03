package main

// String literals of a Rust source file: enough of Rust's lexer to find
// them (comments, char literals and lifetimes are stepped over).

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type rustLit struct {
	line int
	text string
}

func rustStrings(src string) []rustLit {
	var out []rustLit
	line := 1
	i := 0
	advance := func(to int) {
		line += strings.Count(src[i:to], "\n")
		i = to
	}
	for i < len(src) {
		c := src[i]
		switch {
		case strings.HasPrefix(src[i:], "//"):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			advance(i + end)
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return out
			}
			advance(i + 2 + end + 2)
		case c == 'r' || (c == 'b' && i+1 < len(src) && src[i+1] == 'r'):
			j := i + 1
			if c == 'b' {
				j++
			}
			hashes := 0
			for j < len(src) && src[j] == '#' {
				hashes++
				j++
			}
			prevIdent := i > 0 && isIdent(src[i-1])
			if j < len(src) && src[j] == '"' && !prevIdent {
				closer := "\"" + strings.Repeat("#", hashes)
				end := strings.Index(src[j+1:], closer)
				if end < 0 {
					return out
				}
				out = append(out, rustLit{line, src[j+1 : j+1+end]})
				advance(j + 1 + end + len(closer))
			} else {
				advance(i + 1)
			}
		case c == '"':
			start := line
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return out
			}
			out = append(out, rustLit{start, unescapeRust(src[i+1 : j])})
			advance(j + 1)
		case c == '\'':
			// A char literal ('x', '\n', '"') or a lifetime ('a).
			if i+1 < len(src) && src[i+1] == '\\' {
				end := strings.IndexByte(src[i+2:], '\'')
				if end < 0 {
					return out
				}
				advance(i + 2 + end + 1)
			} else {
				_, size := utf8.DecodeRuneInString(src[i+1:])
				if i+1+size < len(src) && src[i+1+size] == '\'' {
					advance(i + 1 + size + 1)
				} else {
					advance(i + 1)
				}
			}
		default:
			advance(i + 1)
		}
	}
	return out
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func unescapeRust(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\', '"', '\'':
			b.WriteByte(s[i])
		case '\n':
			// A line continuation also drops the next line's indentation.
			for i+1 < len(s) && strings.ContainsRune(" \t\n\r", rune(s[i+1])) {
				i++
			}
		case 'x':
			if i+2 < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
					b.WriteByte(byte(v))
					i += 2
				}
			}
		case 'u':
			if end := strings.IndexByte(s[i:], '}'); i+1 < len(s) && s[i+1] == '{' && end > 0 {
				if v, err := strconv.ParseUint(s[i+2:i+end], 16, 32); err == nil {
					b.WriteRune(rune(v))
				}
				i += end
			}
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
