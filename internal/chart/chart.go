// Package chart renders the desk's charts on the server as accessible inline SVG
// (go-analyze/charts draws them; this package makes the result safe under the page's CSP).
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"unicode/utf8"
)

// Kind is the shape of a chart.
type Kind int

const (
	// Line draws one line per series over the labels (x axis).
	Line Kind = iota
	// Bar draws vertical bars, series side by side in each category.
	Bar
	// HBar draws horizontal bars, the labels on the y axis: for long category names.
	HBar
	// StackedBar draws vertical bars, series stacked in each category.
	StackedBar
)

// Series is one named row of values, one value per label.
type Series struct {
	Name   string
	Values []float64
}

// Chart is what to draw. Every text is already translated by the caller; SVG escapes it.
type Chart struct {
	ID      string   // unique on the page: used for the ids of <title> and <desc>
	Kind    Kind     // Line, Bar, HBar or StackedBar
	Title   string   // the chart's accessible title (not drawn: the page shows it as a heading)
	Desc    string   // a one-sentence description, e.g. what is counted over which period
	Labels  []string // categories (x axis; y axis for HBar)
	Series  []Series // one or more, each len(Values) == len(Labels)
	Percent bool     // values are percentages 0–100: value axis fixed to 0..100, labels with a % sign
	Lang    string   // "fr" (or "fr-…") or "en", anything else is English: number formatting of axis labels
}

// Label lengths, in characters, beyond which a category label is cut with "…": a label wider
// than its slot would hide its neighbours. The full labels belong in the page's data table.
const (
	maxLabelRunes     = 18 // x axis (Line, Bar, StackedBar)
	maxHBarLabelRunes = 24 // y axis of HBar
	maxNameRunes      = 32 // series names in the legend
)

// SVG renders c as one <svg> element ready to inline in HTML: role="img", labelled by its
// <title> and <desc>, sized by CSS through its viewBox, with no style attribute or element.
// Empty data renders an empty chart; NaN and ±Inf count as 0. The error is for caller
// mistakes (an ID unusable in aria-labelledby, a series whose length differs from Labels).
func SVG(c Chart) (template.HTML, error) {
	if err := c.check(); err != nil {
		return "", err
	}
	c = c.clean()
	key, keyed := memoKey(c)
	if keyed {
		if svg, ok := remembered(key); ok {
			return svg, nil
		}
	}
	var body []byte
	var w, h int
	var err error
	if c.empty() {
		w, h = emptySize()
	} else {
		body, w, h, err = draw(c)
		if err != nil {
			return "", fmt.Errorf("chart %s: %w", c.ID, err)
		}
	}
	out, err := wrap(c, body, w, h)
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", c.ID, err)
	}
	svg := template.HTML(out) //nolint:gosec // built from escaped text and the library's escaped SVG
	if keyed {
		remember(key, svg)
	}
	return svg, nil
}

// check rejects what only a programming mistake produces.
func (c Chart) check() error {
	if c.ID == "" || strings.ContainsFunc(c.ID, func(r rune) bool {
		return r <= ' ' || r == '"' || r == '<' || r == '>' || r == '&' || r == '\''
	}) {
		return fmt.Errorf("chart: ID %q must be non-empty, without spaces or markup", c.ID)
	}
	if c.Kind < Line || c.Kind > StackedBar {
		return fmt.Errorf("chart %s: unknown kind %d", c.ID, c.Kind)
	}
	for _, s := range c.Series {
		if len(s.Values) != len(c.Labels) {
			return fmt.Errorf("chart %s: series %q has %d values for %d labels",
				c.ID, s.Name, len(s.Values), len(c.Labels))
		}
	}
	return nil
}

// clean returns a copy of c the library can draw: finite values, short labels and names.
func (c Chart) clean() Chart {
	limit := maxLabelRunes
	if c.Kind == HBar {
		limit = maxHBarLabelRunes
	}
	labels := make([]string, len(c.Labels))
	for i, l := range c.Labels {
		labels[i] = shorten(strings.TrimSpace(l), limit)
	}
	series := make([]Series, len(c.Series))
	for i, s := range c.Series {
		values := make([]float64, len(s.Values))
		for j, v := range s.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				values[j] = v
			}
		}
		series[i] = Series{Name: shorten(strings.TrimSpace(s.Name), maxNameRunes), Values: values}
	}
	c.Labels, c.Series = labels, series
	return c
}

// empty reports whether there is nothing to draw: no labels or no series.
func (c Chart) empty() bool {
	return len(c.Labels) == 0 || len(c.Series) == 0
}

// shorten cuts s to at most n characters, the last one an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimSpace(string(runes[:n-1])) + "…"
}
