package sheet

import (
	"strings"
	"unicode/utf8"
)

// Normalize folds full-width ASCII (U+FF01–U+FF5E, e.g. ０１２, ＡＢ, （）, ，) and ￥ to their half-width forms,
// turns U+3000, NBSP and the other Unicode spaces into plain spaces, drops zero-width characters, collapses every
// run of whitespace (line breaks included) into one space and trims the result.
func Normalize(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		r = foldWide(r)
		switch {
		case r == dropRune:
			continue
		case isSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isPlain reports whether Normalize would return s unchanged: printable ASCII with no leading, trailing or double
// spaces. Most cells (numbers, codes) take this path, which avoids an allocation per cell.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c >= utf8.RuneSelf {
			return false
		}
		if c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// dropRune marks a rune that foldWide says to remove.
const dropRune = -1

// foldWide maps one rune the way Normalize does, returning dropRune for zero-width characters.
func foldWide(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0xFFE5: // ￥ fullwidth yen sign
		return '¥'
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF:
		return dropRune
	}
	return r
}

// isSpace reports whether r is whitespace to Normalize and cellText.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// cellText is the Text of a cell as read. Unlike Normalize it keeps line breaks (between non-empty lines) and folds
// only full-width digits and Latin letters, so that Chinese punctuation such as （一期） in a project name stays as the
// town typed it; the parsers and FindHeader apply Normalize on top.
func cellText(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space, newline := false, false
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			r -= 0xFEE0
		case r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029:
			newline = b.Len() > 0
			space = false
			continue
		case isSpace(r):
			space = b.Len() > 0
			continue
		case foldWide(r) == dropRune:
			continue
		}
		if newline {
			b.WriteByte('\n')
		} else if space {
			b.WriteByte(' ')
		}
		space, newline = false, false
		b.WriteRune(r)
	}
	return b.String()
}
