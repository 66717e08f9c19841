package i18n

import (
	"strconv"
	"strings"
)

// FormatEuros writes an amount in cents as the reader of lang reads euros: "1 234,50 €" in
// French (no-break spaces between thousands and before the sign), "€1,234.50" in English.
// Whether the amount includes tax is the message's business, not this function's.
func FormatEuros(lang string, cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	frac := strconv.FormatInt(100+cents%100, 10)[1:]
	if lang == "fr" {
		return sign + group(whole, "\u00a0") + "," + frac + "\u00a0€"
	}
	return sign + "€" + group(whole, ",") + "." + frac
}

// group puts sep between each group of three digits of whole, from the right.
func group(whole, sep string) string {
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// ParseCents reads an amount written with a point and two decimals, as the services store and
// pass it ("1234.50", "0.05"), into cents; false for anything else.
func ParseCents(s string) (int64, bool) {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 2 || whole == "" || strings.Trim(whole+frac, "0123456789") != "" || len(whole) > 15 {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, true
}
