package chart

import (
	"math"
	"strconv"
	"strings"
)

// formatter returns the axis label formatter for c's language and unit.
func formatter(c Chart) func(float64) string {
	return func(v float64) string { return formatNumber(v, c.Lang, c.Percent) }
}

// formatNumber writes v with at most two decimals, trailing zeros dropped, in the reader's
// convention: "1,234.5" and "20%" in English, "1 234,5" and "20 %" in French (no-break spaces).
func formatNumber(v float64, lang string, percent bool) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	group, point, pct := ",", ".", "%"
	if lang == "fr" || strings.HasPrefix(lang, "fr-") {
		group, point, pct = "\u00a0", ",", "\u00a0%"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")

	var b strings.Builder
	if v < 0 && (whole != "0" || frac != "") {
		b.WriteByte('-')
	}
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString(point)
		b.WriteString(frac)
	}
	if percent {
		b.WriteString(pct)
	}
	return b.String()
}
