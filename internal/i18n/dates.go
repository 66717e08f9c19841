package i18n

import (
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/calendar"
)

// dateWords are one language's month names and date layouts, read once from the locale files.
type dateWords struct {
	months, short [13]string
	firstDay      string
	// date and datetime are the formats with their fields marked, filled by a replacer: a list
	// of fifty rows formats a hundred instants, which a message template per call would slow.
	date, datetime string
}

// Markers stand for the fields in the prepared formats; no translation contains them.
const (
	markDay   = "\x00D\x00"
	markMonth = "\x00M\x00"
	markYear  = "\x00Y\x00"
	markTime  = "\x00T\x00"
	markZone  = "\x00Z\x00"
)

func (b *Bundle) loadDateWords(lang string) *dateWords {
	w := &dateWords{}
	for m := 1; m <= 12; m++ {
		w.months[m] = b.T(lang, "date.month."+strconv.Itoa(m), nil)
		w.short[m] = b.T(lang, "date.month_short."+strconv.Itoa(m), nil)
	}
	w.firstDay = b.T(lang, "date.first_day", nil)
	marks := map[string]any{"Day": markDay, "Month": markMonth, "Year": markYear, "Time": markTime, "Zone": markZone}
	w.date = b.T(lang, "date.format.date", marks)
	w.datetime = b.T(lang, "date.format.datetime", marks)
	return w
}

func fill(format, day, month, year, clock string) string {
	return strings.NewReplacer(markDay, day, markMonth, month, markYear, year, markTime, clock).Replace(format)
}

// zone names Paris's offset from UTC at an instant, the same in both languages: "UTC+1" in
// winter, "UTC+2" in summer.
func zone(p time.Time) string {
	_, off := p.Zone()
	h := off / 3600
	if h >= 0 {
		return "UTC+" + strconv.Itoa(h)
	}
	return "UTC" + strconv.Itoa(h)
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
	return fill(w.date, w.day(d.Day), w.months[d.Month], strconv.Itoa(d.Year), "")
}

// FormatDateTime writes an instant in Paris time, with its offset, so that a reader elsewhere
// knows which 22:08 it is: "24 nov. 2026 à 22:08 (UTC+1)", "24 Nov 2026, 22:08 (UTC+1)".
func (b *Bundle) FormatDateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	p := t.In(calendar.Paris)
	w := b.words(lang)
	clock := []byte{byte('0' + p.Hour()/10), byte('0' + p.Hour()%10), ':', byte('0' + p.Minute()/10), byte('0' + p.Minute()%10)}
	return strings.Replace(fill(w.datetime, w.day(p.Day()), w.short[p.Month()], strconv.Itoa(p.Year()), string(clock)), markZone, zone(p), 1)
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
