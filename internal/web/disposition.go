package web

import (
	"strings"
)

// attachmentDisposition is a Content-Disposition that makes a download of a file named name
// (RFC 6266): filename holds an ASCII stand-in for the clients that read only it and, when the
// name is not plain ASCII, filename* holds the name itself, UTF-8 and percent-encoded (RFC 5987).
func attachmentDisposition(name string) string {
	ascii := asciiFallback(name)
	cd := `attachment; filename="` + ascii + `"`
	if ascii != name {
		cd += `; filename*=UTF-8''` + rfc5987(name)
	}
	return cd
}

// asciiFallback replaces what a quoted filename cannot carry safely: anything outside printable
// ASCII, the quote and the backslash (escapes in a quoted string), and % (which some browsers
// decode in filename).
func asciiFallback(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' && r != '%' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// rfc5987 percent-encodes every byte of s's UTF-8 that is not an attr-char of RFC 5987.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
