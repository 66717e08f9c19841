package inbound

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // registers message.CharsetReader
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding/charmap"
)

// Parsed is a message as the handler reads it.
type Parsed struct {
	// MessageID is without angle brackets; "" when the header is missing or empty.
	MessageID string
	// From (a net/mail.Address) is nil when missing or unreadable; a From that does not
	// parse but holds one recognisable <address> is read leniently (and noted in Problems).
	From *mail.Address
	// Recipients are every address of To, Cc, Delivered-To, X-Original-To and Envelope-To,
	// lower-cased and deduplicated, in order of appearance.
	Recipients []string
	// Subject is decoded (RFC 2047), on one line, trimmed.
	Subject string
	// InReplyTo and References are message ids without angle brackets.
	InReplyTo  []string
	References []string
	// Date is zero when missing or unreadable.
	Date time.Time
	// Text is the whole body as text: text/plain preferred, else the HTML converted; charsets
	// decoded; valid UTF-8 with no control characters but \n and \t; trimmed.
	Text string
	// Reply is Text with quoted text and signature cut (see StripQuotes). It may be empty
	// when the message holds nothing but quoted text.
	Reply string
	// Attachments are the parts with a filename or "Content-Disposition: attachment", inline
	// images with a filename included, transfer-decoded (no charset conversion).
	Attachments []Attachment
	// Problems say what could not be read (an unknown charset, a part that failed, a dropped
	// header line), for the record; the message is still usable.
	Problems []string
	// Header is the message's top-level header as read, malformed lines dropped. Automated
	// reads it.
	Header mail.Header
}

// Attachment is one attached file. Name is a base name without path, never empty (a part
// without a filename gets "attachment-N" and an extension from its type); ContentType is
// the lower-cased media type without parameters.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// ErrNotMail is returned by Parse when the input has no mail header at all.
var ErrNotMail = errors.New("inbound: not a mail message")

// errParsePanic marks a panic caught in Parse; the fuzz test makes sure it never happens.
var errParsePanic = errors.New("inbound: parser failure")

const (
	maxProblems  = 20
	maxMIMEDepth = 16
	maxMIMEParts = 500
)

// Parse reads raw. An error means nothing usable could be read (not a mail at all): the
// handler quarantines it with the error. Anything less wrong is reported in Problems.
func Parse(raw []byte) (p *Parsed, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("%w: %v", errParsePanic, r)
		}
	}()
	p = &Parsed{}
	h, body, err := p.readHeader(raw)
	if err != nil {
		return nil, err
	}
	p.Header = mail.Header{Header: message.Header{Header: h}}
	p.readFields()

	w := &mimeWalker{p: p}
	w.walk(p.Header.Header, body, 0)
	p.Text = w.text()
	p.Reply = StripQuotes(p.Text)
	return p, nil
}

// problem records what could not be read, once, up to maxProblems.
func (p *Parsed) problem(format string, args ...any) {
	s := oneLine(fmt.Sprintf(format, args...))
	if len(s) > 300 {
		s = truncateUTF8(s, 300) + "…"
	}
	for _, q := range p.Problems {
		if q == s {
			return
		}
	}
	if len(p.Problems) < maxProblems {
		p.Problems = append(p.Problems, s)
	}
}

// knownFields are the fields of which at least one must be present for the input to count
// as mail.
var knownFields = []string{"From", "Sender", "To", "Cc", "Subject", "Date", "Message-Id",
	"Received", "Return-Path", "Delivered-To", "Mime-Version", "Content-Type", "In-Reply-To"}

// readHeader reads the header leniently: an mbox "From " line is skipped, malformed lines
// (no colon, a key with spaces or 8-bit bytes, a continuation with nothing to continue) are
// dropped and noted, and the rest goes to go-message's header reader.
func (p *Parsed) readHeader(raw []byte) (textproto.Header, []byte, error) {
	raw = bytes.TrimLeft(raw, "\r\n")
	head, body := splitHeader(raw)
	var clean bytes.Buffer
	keep := false // whether continuation lines belong to a kept field
	for i, line := range bytes.Split(head, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		switch {
		case len(line) == 0:
			continue
		case i == 0 && bytes.HasPrefix(line, []byte("From ")):
			continue // mbox separator added by some delivery agents
		case len(line) > 0 && (line[0] == ' ' || line[0] == '\t'):
			if keep {
				clean.Write(line)
				clean.WriteString("\r\n")
			}
			continue
		}
		keep = validFieldLine(line)
		if !keep {
			p.problem("malformed header line dropped: %q", truncateBytes(line, 60))
			continue
		}
		clean.Write(line)
		clean.WriteString("\r\n")
	}
	clean.WriteString("\r\n")
	h, err := textproto.ReadHeader(bufio.NewReader(&clean))
	if err != nil {
		p.problem("header: %v", err)
	}
	for _, k := range knownFields {
		if h.Has(k) {
			return h, body, nil
		}
	}
	return h, nil, ErrNotMail
}

// splitHeader cuts raw at the first empty line.
func splitHeader(raw []byte) (head, body []byte) {
	for pos := 0; pos < len(raw); {
		end := bytes.IndexByte(raw[pos:], '\n')
		if end < 0 {
			break
		}
		line := raw[pos : pos+end]
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return raw[:pos], raw[pos+end+1:]
		}
		pos += end + 1
	}
	return raw, nil
}

// validFieldLine says whether line starts a header field: a non-empty key of printable
// ASCII without spaces (trailing spaces before the colon are tolerated), then a colon.
func validFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	key := bytes.TrimRight(line[:i], " \t")
	if len(key) == 0 {
		return false
	}
	for _, c := range key {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// readFields fills the header-derived fields of p.
func (p *Parsed) readFields() {
	h := &p.Header
	if ids := messageIDs(h.Get("Message-Id")); len(ids) > 0 {
		p.MessageID = ids[0]
	}
	p.InReplyTo = messageIDs(h.Get("In-Reply-To"))
	p.References = messageIDs(strings.Join(h.Values("References"), " "))
	p.From = p.readFrom()
	p.Recipients = p.readRecipients()
	p.Subject = oneLine(p.decodeWords("Subject", h.Get("Subject")))
	if v := strings.TrimSpace(h.Get("Date")); v != "" {
		if t, err := h.Date(); err == nil {
			p.Date = t
		} else {
			p.problem("unreadable Date %q", truncateUTF8(fixUTF8([]byte(v)), 60))
		}
	}
}

// decodeWords decodes RFC 2047 encoded words in a header value, raw 8-bit bytes read as
// UTF-8 or else windows-1252.
func (p *Parsed) decodeWords(field, v string) string {
	v = fixUTF8([]byte(v))
	s, err := wordDecoder().DecodeHeader(v)
	if err != nil {
		p.problem("%s: %v", field, err)
		return v
	}
	return fixUTF8([]byte(s))
}

// readFrom reads the first address of From, leniently when it does not parse.
func (p *Parsed) readFrom() *mail.Address {
	v := fixUTF8([]byte(p.Header.Get("From")))
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if list, err := mail.ParseAddressList(v); err == nil && len(list) > 0 && cleanAddress(list[0].Address) != "" {
		return &mail.Address{Name: oneLine(list[0].Name), Address: cleanAddress(list[0].Address)}
	}
	if a := looseAddress(v); a != nil && cleanAddress(a.Address) != "" {
		a.Name = oneLine(p.decodeWords("From", a.Name))
		a.Address = cleanAddress(a.Address)
		p.problem("malformed From header, read as %s", a.Address)
		return a
	}
	p.problem("unreadable From header %q", truncateUTF8(v, 60))
	return nil
}

// recipientFields are the fields whose addresses make Recipients.
var recipientFields = []string{"To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"}

func (p *Parsed) readRecipients() []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		a = strings.ToLower(cleanAddress(a))
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, k := range recipientFields {
		for _, v := range p.Header.Values(k) {
			v = fixUTF8([]byte(v))
			if list, err := mail.ParseAddressList(v); err == nil {
				for _, a := range list {
					add(a.Address)
				}
				continue
			}
			found := looseAddresses(v)
			if len(found) == 0 && strings.TrimSpace(v) != "" {
				p.problem("unreadable %s header", k)
			}
			for _, a := range found {
				add(a)
			}
		}
	}
	return out
}

// messageIDs reads message ids leniently: the contents of every <…>, or when there is no
// bracket at all, every word holding an @. Whitespace and control characters are dropped,
// duplicates skipped.
func messageIDs(v string) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == utf8.RuneError {
				return -1
			}
			return r
		}, fixUTF8([]byte(s)))
		s = truncateUTF8(s, 995)
		if s != "" && !seen[s] {
			seen[s] = true
			ids = append(ids, s)
		}
	}
	if !strings.Contains(v, "<") {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) {
			if strings.Contains(f, "@") {
				add(f)
			}
		}
		return ids
	}
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			return ids
		}
		j := strings.IndexByte(v[i+1:], '>')
		if j < 0 {
			add(v[i+1:])
			return ids
		}
		add(v[i+1 : i+1+j])
		v = v[i+1+j+1:]
	}
}

// mimeWalker reads the body's parts: text and HTML for Text, named parts for Attachments.
type mimeWalker struct {
	p     *Parsed
	plain []string
	html  []string
	parts int
}

// walk reads one entity whose header is h and whose raw (undecoded) body is body.
func (w *mimeWalker) walk(h message.Header, body []byte, depth int) {
	w.parts++
	if w.parts > maxMIMEParts {
		w.p.problem("more than %d MIME parts: the rest was skipped", maxMIMEParts)
		return
	}
	mediaType, params := w.contentType(h)
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxMIMEDepth {
			w.p.problem("MIME parts nested deeper than %d: skipped", maxMIMEDepth)
			return
		}
		if w.multipart(body, params["boundary"], depth) {
			return
		}
		// Nothing could be read as parts: what is there is read as text.
		mediaType, params = "text/plain", nil
	}
	disp, dparams := w.disposition(h)
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	data := w.decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if disp == "attachment" || strings.TrimSpace(name) != "" {
		w.attach(name, mediaType, data)
		return
	}
	switch mediaType {
	case "text/plain":
		w.plain = append(w.plain, w.decodeText(data, params))
	case "text/html":
		w.html = append(w.html, w.decodeText(data, params))
	}
	// Other unnamed inline parts (message/delivery-status, text/rfc822-headers, text/calendar…)
	// are neither the body nor files.
}

// multipart reads body as parts separated by boundary. It says whether any part was read.
func (w *mimeWalker) multipart(body []byte, boundary string, depth int) bool {
	if boundary == "" {
		w.p.problem("multipart without boundary")
		return false
	}
	mr := textproto.NewMultipartReader(bytes.NewReader(body), boundary)
	n := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			w.p.problem("multipart: %v", err)
			break
		}
		data, err := io.ReadAll(part)
		if err != nil {
			w.p.problem("MIME part %d: %v", n+1, err)
		}
		n++
		w.walk(message.Header{Header: part.Header}, data, depth+1)
	}
	if n == 0 {
		w.p.problem("multipart with no readable part")
	}
	return n > 0
}

// contentType reads Content-Type, text/plain when missing or unreadable (RFC 2045).
func (w *mimeWalker) contentType(h message.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if strings.TrimSpace(v) == "" {
		return "text/plain", nil
	}
	t, params, ok := parseMediaParams(v)
	if t == "" {
		w.p.problem("unreadable Content-Type %q: read as text/plain", truncateUTF8(fixUTF8([]byte(v)), 60))
		return "text/plain", params
	}
	if !ok {
		w.p.problem("malformed Content-Type parameters %q", truncateUTF8(fixUTF8([]byte(v)), 60))
	}
	return t, params
}

func (w *mimeWalker) disposition(h message.Header) (string, map[string]string) {
	v := h.Get("Content-Disposition")
	if strings.TrimSpace(v) == "" {
		return "", nil
	}
	d, params, _ := parseMediaParams(v)
	if d == "" {
		// "attachment" alone parses; anything else unreadable is taken as attachment when it
		// says so.
		if strings.Contains(strings.ToLower(v), "attachment") {
			d = "attachment"
		}
	}
	return d, params
}

// mediaTypeRe is a type/subtype or a disposition token, lower-cased.
var mediaTypeRe = regexp.MustCompile(`^[a-z0-9!#$&^_.+-]+(/[a-z0-9!#$&^_.+-]+)?$`)

// parseMediaParams parses a Content-Type or Content-Disposition value: the lower-cased type
// ("" when unreadable) and its parameters, RFC 2231 and RFC 2047 values decoded. ok is false
// when the parameters had to be read leniently.
func parseMediaParams(v string) (string, map[string]string, bool) {
	v = fixUTF8([]byte(v))
	t, params, err := mime.ParseMediaType(v)
	ok := err == nil
	if err != nil {
		t = strings.ToLower(strings.TrimSpace(strings.SplitN(v, ";", 2)[0]))
		params = looseParams(v)
	}
	if !mediaTypeRe.MatchString(t) {
		t = ""
	}
	for k, pv := range params {
		if strings.Contains(pv, "=?") {
			if dec, err := wordDecoder().DecodeHeader(pv); err == nil {
				pv = dec
			}
		}
		params[k] = fixUTF8([]byte(pv))
	}
	return t, params, ok
}

// looseParams reads `; key=value` pairs that mime.ParseMediaType refused (unquoted spaces,
// duplicates, stray characters). RFC 2231 continuations are not joined.
func looseParams(v string) map[string]string {
	params := map[string]string{}
	parts := splitQuoted(v, ';')
	for _, part := range parts[1:] {
		k, val, found := strings.Cut(part, "=")
		if !found {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = strings.ReplaceAll(val[1:len(val)-1], `\"`, `"`)
		}
		if base, ok := strings.CutSuffix(k, "*"); ok {
			// RFC 2231: charset'language'percent-encoded
			if i := strings.LastIndexByte(val, '\''); i >= 0 {
				if dec, err := url.PathUnescape(val[i+1:]); err == nil {
					val = dec
				}
			}
			k = base
		}
		if k != "" {
			if _, dup := params[k]; !dup {
				params[k] = val
			}
		}
	}
	return params
}

// splitQuoted splits s on sep outside double quotes.
func splitQuoted(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// decodeTransfer undoes the Content-Transfer-Encoding, leniently.
func (w *mimeWalker) decodeTransfer(enc string, data []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "", "7bit", "8bit", "binary":
		return data
	case "quoted-printable":
		return decodeQuotedPrintable(data)
	case "base64":
		out, err := decodeBase64(data)
		if err != nil {
			w.p.problem("base64: %v", err)
		}
		return out
	default:
		w.p.problem("unknown Content-Transfer-Encoding %q: read as is", truncateUTF8(fixUTF8([]byte(enc)), 40))
		return data
	}
}

// decodeQuotedPrintable decodes RFC 2045 quoted-printable, keeping what it cannot decode
// (a lone "=", control characters) instead of stopping there like mime/quotedprintable.
func decodeQuotedPrintable(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for len(data) > 0 {
		var line []byte
		nl := false
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data, nl = data[:i], data[i+1:], true
		} else {
			line, data = data, nil
		}
		line = bytes.TrimRight(line, " \t\r")
		soft := bytes.HasSuffix(line, []byte("="))
		if soft {
			line = line[:len(line)-1]
		}
		for i := 0; i < len(line); i++ {
			if line[i] == '=' && i+2 < len(line) && isHex(line[i+1]) && isHex(line[i+2]) {
				out = append(out, unhex(line[i+1])<<4|unhex(line[i+2]))
				i += 2
				continue
			}
			out = append(out, line[i])
		}
		if nl && !soft {
			out = append(out, '\r', '\n')
		}
	}
	return out
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// decodeBase64 decodes base64 skipping anything outside the alphabet (an error says so) and
// stopping at the first padding; what was decoded before an error is kept.
func decodeBase64(data []byte) ([]byte, error) {
	clean := make([]byte, 0, len(data))
	var err error
scan:
	for _, c := range data {
		switch {
		case c == '=':
			break scan
		case 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/':
			clean = append(clean, c)
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		default:
			err = errors.New("characters outside the alphabet skipped")
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
		err = errors.New("truncated data")
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, derr := base64.RawStdEncoding.Decode(out, clean)
	if derr != nil {
		err = derr
	}
	return out[:n], err
}

// latin1Labels are read as windows-1252, its superset, as browsers do: mail labelled
// ISO-8859-1 often holds windows-1252 quotes and dashes.
var latin1Labels = map[string]bool{"iso-8859-1": true, "iso8859-1": true, "iso_8859-1": true,
	"latin1": true, "latin-1": true, "l1": true, "cp819": true, "ibm819": true}

// decodeText converts a text part to UTF-8 from its charset, and unflows format=flowed.
func (w *mimeWalker) decodeText(data []byte, params map[string]string) string {
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(params["charset"]), `"'`))
	var s string
	switch {
	case cs == "" || cs == "utf-8" || cs == "utf8" || cs == "us-ascii" || cs == "ascii":
		s = fixUTF8(data)
	case latin1Labels[cs]:
		s, _ = charmap.Windows1252.NewDecoder().String(string(data))
	default:
		s = w.convertCharset(cs, data)
	}
	if strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	return s
}

func (w *mimeWalker) convertCharset(cs string, data []byte) string {
	if message.CharsetReader == nil {
		w.p.problem("no charset support: %q read as UTF-8 or windows-1252", cs)
		return fixUTF8(data)
	}
	r, err := message.CharsetReader(cs, bytes.NewReader(data))
	if err != nil || r == nil {
		w.p.problem("unknown charset %q: read as UTF-8 or windows-1252", truncateUTF8(fixUTF8([]byte(cs)), 40))
		return fixUTF8(data)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		w.p.problem("charset %q: %v", cs, err)
		if len(out) == 0 {
			return fixUTF8(data)
		}
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// attach adds a file part.
func (w *mimeWalker) attach(name, mediaType string, data []byte) {
	name = cleanFileName(name)
	if mediaType == "" || !strings.Contains(mediaType, "/") {
		mediaType = "application/octet-stream"
	}
	if name == "" {
		name = fmt.Sprintf("attachment-%d%s", len(w.p.Attachments)+1, extensionFor(mediaType))
	}
	w.p.Attachments = append(w.p.Attachments, Attachment{Name: name, ContentType: mediaType, Data: data})
}

// cleanFileName keeps the base name of a file name, on one line, at most 255 bytes.
func cleanFileName(name string) string {
	name = oneLine(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Trim(name, " .")
	return truncateUTF8(name, 255)
}

// fileExtensions name unnamed attachments; a fixed table so that names do not depend on
// the system's MIME database.
var fileExtensions = map[string]string{
	"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
	"text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics", "message/rfc822": ".eml",
	"text/csv": ".csv", "application/zip": ".zip",
}

func extensionFor(mediaType string) string {
	if ext, ok := fileExtensions[mediaType]; ok {
		return ext
	}
	return ".bin"
}

// text joins the text parts, or the converted HTML when there is no plain text.
func (w *mimeWalker) text() string {
	plain := strings.Join(w.plain, "\n")
	if strings.TrimSpace(plain) == "" && len(w.html) > 0 {
		var conv []string
		for _, h := range w.html {
			conv = append(conv, htmlToText(h))
		}
		plain = strings.Join(conv, "\n")
	}
	return strings.TrimSpace(cleanText(plain))
}

// wordDecoder decodes RFC 2047 encoded words with the charsets go-message registers.
func wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
		if latin1Labels[strings.ToLower(cs)] {
			return charmap.Windows1252.NewDecoder().Reader(r), nil
		}
		if message.CharsetReader == nil {
			return nil, fmt.Errorf("unknown charset %q", cs)
		}
		return message.CharsetReader(cs, r)
	}}
}

// fixUTF8 reads b as UTF-8; when it is not, as windows-1252 unless it holds valid multi-byte
// UTF-8 sequences (then invalid bytes become U+FFFD).
func fixUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError && size > 1 {
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		i += size
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

// cleanText makes s valid UTF-8 with LF line ends and no control characters but \n and \t.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r == '\uFEFF' || unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// oneLine makes s valid UTF-8 on one line, whitespace runs collapsed, trimmed.
func oneLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func truncateBytes(b []byte, n int) string {
	return truncateUTF8(fixUTF8(b), n)
}

// looseAddress finds the one address of a From that does not parse: the contents of <…>
// holding an @, or else a bare word holding one.
func looseAddress(v string) *mail.Address {
	if m := angleAddrRe.FindStringSubmatchIndex(v); m != nil {
		name := strings.Trim(strings.TrimSpace(v[:m[0]]), `"' `)
		return &mail.Address{Name: name, Address: v[m[2]:m[3]]}
	}
	if a := bareAddrRe.FindString(v); a != "" {
		return &mail.Address{Address: a}
	}
	return nil
}

// cleanAddress drops the spaces and control characters an address parser let through.
func cleanAddress(a string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, a)
}

// looseAddresses finds every address-like word in v.
func looseAddresses(v string) []string {
	return bareAddrRe.FindAllString(v, -1)
}

var (
	angleAddrRe = regexp.MustCompile(`<\s*([^<>\s@"]+@[^<>\s@"]+?)\s*>`)
	bareAddrRe  = regexp.MustCompile(`[^\s<>,;:"()\[\]@]+@[^\s<>,;:"()\[\]@]+\.[^\s<>,;:"()\[\]@]+|[^\s<>,;:"()\[\]@]+@[^\s<>,;:"()\[\]@.]+`)
)
