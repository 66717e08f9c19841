package i18n

import (
	"fmt"
	"strconv"
	"time"

	"github.com/guichet/guichet/internal/calendar"
)

// dateWords are one language's month names and date layouts, read once from the locale files.
type dateWords struct {
	months, short [13]string
	firstDay      string
}

func (b *Bundle) loadDateWords(lang string) *dateWords {
	w := &dateWords{}
	for m := 1; m <= 12; m++ {
		w.months[m] = b.T(lang, "date.month."+strconv.Itoa(m), nil)
		w.short[m] = b.T(lang, "date.month_short."+strconv.Itoa(m), nil)
	}
	w.firstDay = b.T(lang, "date.first_day", nil)
	return w
}

func (w *dateWords) day(d int) string {
	if d == 1 {
		return w.firstDay
	}
	return strconv.Itoa(d)
}

// FormatDate writes a calendar day as the reader of lang reads it: "1er juin 2027", "1 June 2027".
func (b *Bundle) FormatDate(lang string, d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	w := b.words(lang)
	return b.T(lang, "date.format.date", map[string]any{"Day": w.day(d.Day), "Month": w.months[d.Month], "Year": d.Year})
}

// FormatDateTime writes an instant in Paris time: "24 nov. 2026 à 22:08", "24 Nov 2026, 22:08".
func (b *Bundle) FormatDateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	p := t.In(calendar.Paris)
	w := b.words(lang)
	return b.T(lang, "date.format.datetime", map[string]any{
		"Day": w.day(p.Day()), "Month": w.short[p.Month()], "Year": p.Year(),
		"Time": fmt.Sprintf("%02d:%02d", p.Hour(), p.Minute()),
	})
}

func (b *Bundle) words(lang string) *dateWords {
	if w, ok := b.dates[lang]; ok {
		return w
	}
	return b.dates[Langs[0]]
}

// formatArgs renders dates and instants among a message's arguments in the reader's language.
func (b *Bundle) formatArgs(lang string, args map[string]any) map[string]any {
	var out map[string]any
	for k, v := range args {
		var s string
		switch x := v.(type) {
		case calendar.Date:
			s = b.FormatDate(lang, x)
		case time.Time:
			s = b.FormatDateTime(lang, x)
		default:
			continue
		}
		if out == nil {
			out = make(map[string]any, len(args))
			for k2, v2 := range args {
				out[k2] = v2
			}
		}
		out[k] = s
	}
	if out == nil {
		return args
	}
	return out
}
