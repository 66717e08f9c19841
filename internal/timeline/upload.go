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

// extensions are the file name extensions each stored type is saved under, the first one when
// the name has none of them: a file's name ends as its content is, so that a PNG named
// invoice.pdf, or photo<RLO>gnp.exe, is saved as a .png. Text keeps only .txt and .log, so that a
// script is never saved under a name a system would run (.bat, .sh) or a spreadsheet would open
// (.csv); zip archives are .zip whatever they hold (a .jar or an Office document is a zip too).
var extensions = map[string][]string{
	"image/png":        {"png"},
	"image/jpeg":       {"jpg", "jpeg"},
	"image/gif":        {"gif"},
	"image/webp":       {"webp"},
	"image/bmp":        {"bmp"},
	"application/pdf":  {"pdf"},
	"application/zip":  {"zip"},
	"application/gzip": {"gz", "tgz"},
	"text/plain":       {"txt", "log"},
}

// CheckUpload checks one file against the size limit and the allowlist of types (images, PDF,
// text and logs, zip), judging the type by the content, and names it: its name cleaned (see
// CleanName) and ending with an extension of its type. field names the form field for errors.
func CheckUpload(field, name string, data []byte, max int64) (Upload, *i18n.Error) {
	name = CleanName(name)
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
	return Upload{Name: withExtension(name, ct), ContentType: ct, Data: data}, nil
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

// maxName bounds a file name, in bytes, extension included.
const maxName = 200

// CleanName keeps the base name of what the browser sent, safe in a header, in a page and on the
// reader's disk: without control characters, bidirectional controls and other invisible format
// characters (a right-to-left override makes "photo<RLO>gnp.exe" read "photoexe.png"), quotes,
// path separators and the characters Windows refuses, without leading dots (a hidden file) or
// trailing dots and spaces, and at most maxName bytes (its extension kept).
func CleanName(name string) string {
	name = path.Base(strings.ReplaceAll(strings.ToValidUTF8(name, ""), `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if invisible(r) || strings.ContainsRune(`"/\<>:|?*`, r) {
			return -1
		}
		return r
	}, name)
	name = trimDots(name)
	if len(name) > maxName {
		name = shorten(name)
	}
	if name == "" {
		return "attachment"
	}
	return name
}

// shorten cuts a long name's stem so that, with its extension, it holds in maxName bytes.
func shorten(name string) string {
	stem, ext := splitExtension(name)
	if ext == "" {
		return trimDots(truncate(stem, maxName))
	}
	return trimDots(truncate(stem, maxName-len(ext)-1)) + "." + ext
}

// invisible reports the characters a name loses: controls, line and paragraph separators and
// format characters (the bidirectional controls U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
// U+061C among them), except the zero-width joiner and non-joiner, which spell Persian and Indic
// names and emoji.
func invisible(r rune) bool {
	if r == '\u200c' || r == '\u200d' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}

// withExtension makes a clean name end with an extension of the stored type ct: an extension the
// type allows is kept as written, any other is replaced by the type's first one.
func withExtension(name, ct string) string {
	exts := extensions[ct]
	if strings.HasPrefix(ct, "text/plain") {
		exts = extensions["text/plain"]
	}
	stem, ext := splitExtension(name)
	for _, e := range exts {
		if strings.EqualFold(ext, e) {
			return name
		}
	}
	ext = exts[0]
	stem = trimDots(truncate(stem, maxName-len(ext)-1))
	if stem == "" {
		stem = "attachment"
	}
	return stem + "." + ext
}

// splitExtension cuts name at its last dot when what follows looks like an extension (one to ten
// letters or digits): "Rapport v2.3 final" has none.
func splitExtension(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i-1 > 10 || i == len(name)-1 {
		return name, ""
	}
	for _, r := range name[i+1:] {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return name, ""
		}
	}
	return name[:i], name[i+1:]
}

// trimDots trims the dots and spaces around a name.
func trimDots(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
}

// truncate cuts s to at most n bytes, at a character boundary.
func truncate(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
