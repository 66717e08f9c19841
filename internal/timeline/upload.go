package timeline

import (
	"bytes"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/i18n"
)

// DefaultMaxAttachment is the largest attachment accepted when nothing else is configured.
const DefaultMaxAttachment = 10 << 20

// MaxAttachments is how many files one reply or form may carry.
const MaxAttachments = 10

// Upload is a file a user sends, checked by CheckUpload.
type Upload struct {
	Name        string
	ContentType string
	Data        []byte
}

// allowed maps a type detected from the content to the type the file is stored and served as.
// The type comes from the bytes, never from the name or the browser's claim: an HTML page named
// screenshot.png is refused.
var allowed = map[string]string{
	"image/png":                    "image/png",
	"image/jpeg":                   "image/jpeg",
	"image/gif":                    "image/gif",
	"image/webp":                   "image/webp",
	"image/bmp":                    "image/bmp",
	"application/pdf":              "application/pdf",
	"application/zip":              "application/zip",
	"application/x-gzip":           "application/gzip",
	"text/plain; charset=utf-8":    "text/plain; charset=utf-8",
	"text/plain; charset=utf-16be": "text/plain; charset=utf-16be",
	"text/plain; charset=utf-16le": "text/plain; charset=utf-16le",
}

// CheckUpload checks one file against the size limit and the allowlist of types (images, PDF,
// text and logs, zip), judging the type by the content. field names the form field for errors.
func CheckUpload(field, name string, data []byte, max int64) (Upload, *i18n.Error) {
	name = cleanName(name)
	if len(data) == 0 {
		return Upload{}, i18n.FieldError(field, "attachment.error.empty", "Name", name)
	}
	if int64(len(data)) > max {
		return Upload{}, i18n.FieldError(field, "attachment.error.too_large", "Name", name, "Max", max>>20)
	}
	detected := http.DetectContentType(data)
	ct, ok := allowed[detected]
	if !ok && strings.HasPrefix(detected, "text/plain") {
		ct, ok = "text/plain", true
	}
	if !ok && detected == "application/octet-stream" && looksLikeText(data) {
		// Logs with a few control characters are still logs.
		ct, ok = "text/plain", true
	}
	if !ok {
		return Upload{}, i18n.FieldError(field, "attachment.error.type", "Name", name)
	}
	return Upload{Name: name, ContentType: ct, Data: data}, nil
}

// looksLikeText accepts valid UTF-8 whose control characters are few and harmless.
func looksLikeText(data []byte) bool {
	sample := data[:min(len(data), 8192)]
	if bytes.IndexByte(sample, 0) >= 0 || !utf8.Valid(trimPartialRune(sample)) {
		return false
	}
	return true
}

func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if r, _ := utf8.DecodeLastRune(b); r != utf8.RuneError {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

// cleanName keeps the base name of what the browser sent, without control characters, quotes or
// path separators, and at most 200 bytes, so that it is safe in a header and in a page.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		name = "attachment"
	}
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}
