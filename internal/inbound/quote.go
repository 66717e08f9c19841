package inbound

import (
	"regexp"
	"strings"
)

// StripQuotes cuts quoted text and signatures from a reply's text, for French and English
// mail clients:
//
//   - an attribution line ("On … wrote:", "Le … a écrit :", wrapped on up to three lines,
//     with a date or an address in it) with text before it, unless what follows it is
//     interleaved (quoted lines, then an answer, then more);
//   - an Outlook separator ("-----Original Message-----", "-----Message d'origine-----") or
//     header block ("From: … Sent: … To: … Subject:", "De : … Envoyé : … À : … Objet :"),
//     with a line of underscores just above it, unless a forward marker introduces it;
//   - a signature: "-- " (or "--") and everything after it, or a mobile footer
//     ("Sent from my iPhone", "Envoyé de mon iPhone", "Get Outlook for iOS");
//   - lines starting with ">" at the end, with an attribution-like line just above them;
//   - bottom-posting: a leading quote (with its attribution) followed by the answer, when no
//     quoted line follows.
//
// Quotes in the middle of an interleaved answer are kept. The result is trimmed, and may be
// empty when the text is nothing but quotes.
func StripQuotes(text string) string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	lines = dropLeadingQuote(lines)
	lines = lines[:quoteCut(lines)]
	lines = dropTrailingQuote(lines)
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// quoteCut is the index of the first line of quoted text or signature.
func quoteCut(lines []string) int {
	for i := 0; i < len(lines); i++ {
		l := normSpaces(lines[i])
		switch {
		case isSignatureLine(lines[i]) || isMobileFooter(l) || originalMessageRe.MatchString(l):
			return i
		case headerBlockAt(lines, i):
			return separatorAbove(lines, i)
		}
		if n := attributionAt(lines, i); n > 0 {
			if hasTextBefore(lines, i) && !interleaved(lines, i+n) {
				return i
			}
			i += n - 1
		}
	}
	return len(lines)
}

var (
	// originalMessageRe matches Outlook's and Thunderbird's separators.
	originalMessageRe = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|message d['’]origine|message original|courriel original|original-nachricht)\s*-{2,}\s*$`)
	// forwardRe matches the markers of a forwarded message, whose header block is kept.
	forwardRe = regexp.MustCompile(`(?i)^\s*(-{2,}\s*(forwarded message|message transféré)\s*-*|début du message réexpédié\s*:|begin forwarded message\s*:)\s*$`)
	// mobileFooterRe matches the footers phones and webmails add.
	mobileFooterRe = regexp.MustCompile(`(?i)^(sent from my |envoyé de mon |envoyé depuis mon |envoyé à partir de |get outlook for |obtenir outlook pour |télécharger outlook pour |sent from outlook|sent from mail for windows)`)

	attributionEnRe = regexp.MustCompile(`(?i)^on\s.{4,}\swrote\s?:$`)
	attributionFrRe = regexp.MustCompile(`(?i)^le\s.{4,}\sa\s+écrit\s?:$`)
	digitOrAtRe     = regexp.MustCompile(`[0-9@]`)

	fromLabelRe    = regexp.MustCompile(`(?i)^\*?(from|de)\s?:\*?\s*\S`)
	sentLabelRe    = regexp.MustCompile(`(?i)^\*?(sent|date|envoyé|envoyé le)\s?:`)
	toLabelRe      = regexp.MustCompile(`(?i)^\*?(to|à|a|cc)\s?:`)
	subjectLabelRe = regexp.MustCompile(`(?i)^\*?(subject|objet)\s?:`)
	underscoresRe  = regexp.MustCompile(`^\s*_{8,}\s*$`)

	// danglingAttributionRe is what an attribution in another shape looks like above a
	// trailing quote: an address or a time, ending with a colon.
	danglingAttributionRe = regexp.MustCompile(`(@|\d:\d\d).*:\s*$`)
)

// normSpaces trims a line and turns no-break spaces (French typography before colons)
// into spaces.
func normSpaces(s string) string {
	return strings.TrimSpace(noBreakSpaces.Replace(s))
}

var noBreakSpaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2007", " ")

func isSignatureLine(l string) bool {
	l = strings.TrimRight(l, "\r")
	return l == "-- " || l == "--"
}

func isMobileFooter(l string) bool {
	return len(l) < 80 && mobileFooterRe.MatchString(l)
}

func isQuoted(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

func isBlank(l string) bool {
	return normSpaces(l) == ""
}

// attributionAt says how many lines (1 to 3) make an attribution starting at line i, 0 when
// there is none.
func attributionAt(lines []string, i int) int {
	first := normSpaces(lines[i])
	lower := strings.ToLower(first)
	if !strings.HasPrefix(lower, "on ") && !strings.HasPrefix(lower, "le ") {
		return 0
	}
	joined := first
	for n := 1; n <= 3 && i+n <= len(lines); n++ {
		if n > 1 {
			next := normSpaces(lines[i+n-1])
			if next == "" || isQuoted(next) {
				return 0
			}
			joined += " " + next
		}
		if len(joined) > 400 {
			return 0
		}
		j := strings.Join(strings.Fields(joined), " ")
		if (attributionEnRe.MatchString(j) || attributionFrRe.MatchString(j)) && digitOrAtRe.MatchString(j) {
			return n
		}
	}
	return 0
}

func hasTextBefore(lines []string, i int) bool {
	for _, l := range lines[:i] {
		if !isBlank(l) {
			return true
		}
	}
	return false
}

// interleaved says whether the quote starting at line i is followed by an unquoted answer
// (before any signature): then the quote is context, not the end of the reply.
func interleaved(lines []string, i int) bool {
	quoted := false
	for _, l := range lines[i:] {
		switch {
		case isBlank(l):
		case isQuoted(l):
			quoted = true
		case isSignatureLine(l) || isMobileFooter(normSpaces(l)):
			return false
		case !quoted:
			return false // unprefixed quote right after the attribution
		default:
			return true
		}
	}
	return false
}

// headerBlockAt says whether line i starts a quoted message's header block: From/De, then
// within the next six lines Sent/Date/Envoyé and To/À or Subject/Objet.
func headerBlockAt(lines []string, i int) bool {
	if !fromLabelRe.MatchString(normSpaces(lines[i])) {
		return false
	}
	sent, other := false, false
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		l := normSpaces(lines[j])
		switch {
		case sentLabelRe.MatchString(l):
			sent = true
		case toLabelRe.MatchString(l) || subjectLabelRe.MatchString(l):
			other = true
		}
	}
	if !sent || !other {
		return false
	}
	for j := i - 1; j >= 0; j-- {
		l := normSpaces(lines[j])
		if l == "" {
			continue
		}
		return !forwardRe.MatchString(l)
	}
	return true
}

// separatorAbove is i, or the line of underscores Outlook puts above a header block.
func separatorAbove(lines []string, i int) int {
	for j := i - 1; j >= 0; j-- {
		switch {
		case isBlank(lines[j]):
		case underscoresRe.MatchString(lines[j]):
			return j
		default:
			return i
		}
	}
	return i
}

// dropLeadingQuote removes a bottom-posted reply's quote: a first block of quoted lines
// (with an attribution above it) followed by the answer, when no quoted line comes after.
func dropLeadingQuote(lines []string) []string {
	i := 0
	for i < len(lines) && isBlank(lines[i]) {
		i++
	}
	if i == len(lines) {
		return lines
	}
	if n := attributionAt(lines, i); n > 0 {
		i += n
	}
	start := i
	for i < len(lines) && (isBlank(lines[i]) || isQuoted(lines[i])) {
		i++
	}
	quoted := false
	for _, l := range lines[start:i] {
		quoted = quoted || isQuoted(l)
	}
	if !quoted || i == len(lines) {
		return lines
	}
	for _, l := range lines[i:] {
		if isQuoted(l) {
			return lines
		}
	}
	return lines[i:]
}

// dropTrailingQuote removes the quoted and blank lines at the end, and an attribution-like
// line just above them.
func dropTrailingQuote(lines []string) []string {
	end := len(lines)
	quoted := false
	for end > 0 && (isBlank(lines[end-1]) || isQuoted(lines[end-1])) {
		quoted = quoted || isQuoted(lines[end-1])
		end--
	}
	if quoted && end > 0 {
		if danglingAttributionRe.MatchString(normSpaces(lines[end-1])) && len(lines[end-1]) < 300 {
			end--
		}
	}
	return lines[:end]
}

// unflow joins the soft line breaks of RFC 3676 format=flowed text: a line ending in a
// space continues on the next line of the same quote depth. Space-stuffing is undone and
// quoted lines are written back with "> " prefixes.
func unflow(s string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var out []string
	var cur strings.Builder
	curDepth, open := 0, false
	flush := func() {
		if open {
			prefix := ""
			if curDepth > 0 {
				prefix = strings.Repeat(">", curDepth) + " "
			}
			out = append(out, prefix+cur.String())
			cur.Reset()
			open = false
		}
	}
	for _, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := line[depth:]
		content = strings.TrimPrefix(content, " ") // space-stuffing
		if open && depth != curDepth {
			flush()
		}
		cur.WriteString(content)
		curDepth, open = depth, true
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delsp {
			s := cur.String()
			cur.Reset()
			cur.WriteString(s[:len(s)-1])
		}
		if !soft {
			flush()
		}
	}
	flush()
	return strings.Join(out, "\n")
}
