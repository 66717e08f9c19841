package chart

import (
	"fmt"
	"math"
	"slices"

	charts "github.com/go-analyze/charts"
)

// Canvas size in viewBox units. CSS scales the whole drawing: 480 wide keeps 14-unit text
// readable (about 9 px) in the ~300 px a phone leaves a card, and sharp on an A4 page.
const (
	width      = 480
	height     = 300
	fontPoints = 10.5 // the library counts points at 96 dpi: 14 viewBox units
)

// Colours. Every series colour reaches 3:1 against white (WCAG 1.4.11), in the same order on
// every chart; the first two (blue, orange) stay apart for the common colour-vision deficiencies.
var palette = []string{
	"#0b4f8a", // blue (the desk's brand)
	"#c2410c", // orange
	"#15803d", // green
	"#7e22ce", // purple
	"#0e7490", // teal
	"#be185d", // pink
	"#a16207", // ochre
	"#4b5563", // grey
}

const (
	textColor  = "#1f2937"
	axisColor  = "#6b7280"
	gridColor  = "#e5e7eb"
	background = "#ffffff"
)

var theme = charts.MakeTheme(charts.ThemeOption{
	AxisStrokeColor:    charts.ColorFromHex(axisColor),
	AxisSplitLineColor: charts.ColorFromHex(gridColor),
	BackgroundColor:    charts.ColorFromHex(background),
	TextColor:          charts.ColorFromHex(textColor),
	SeriesColors:       paletteColors(),
})

func paletteColors() []charts.Color {
	colors := make([]charts.Color, len(palette))
	for i, hex := range palette {
		colors[i] = charts.ColorFromHex(hex)
	}
	return colors
}

// Line symbols, one per series, so series differ by shape as well as colour while the
// points are few enough to mark.
var symbols = []charts.SymbolShape{charts.SymbolCircle, charts.SymbolSquare, charts.SymbolDiamond}

const maxMarkedPoints = 31

// draw renders c (cleaned, not empty) with the library and returns its SVG and canvas size.
func draw(c Chart) (svg []byte, w, h int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart library panicked: %v", r)
		}
	}()
	w, h = width, height
	if c.Kind == HBar {
		h = hbarHeight(c)
		c = topDown(c)
	}
	p := charts.NewPainter(charts.PainterOptions{
		OutputFormat: charts.ChartOutputSVG,
		Width:        w,
		Height:       h,
		Theme:        theme,
	})
	if c.Kind == Line {
		err = p.LineChart(lineOption(c))
	} else {
		err = p.BarChart(barOption(c))
	}
	if err != nil {
		return nil, 0, 0, err
	}
	svg, err = p.Bytes()
	return svg, w, h, err
}

// hbarHeight gives each category a row tall enough for its bars and its label.
func hbarHeight(c Chart) int {
	perRow := 14*len(c.Series) + 12
	if len(c.Series) > 1 {
		perRow += 4 // a gap between groups of bars
	}
	legend := 0
	if len(c.Series) > 1 {
		legend = 30
	}
	return max(160, 70+legend+perRow*len(c.Labels))
}

// topDown reverses the categories of c: the library draws the first one at the bottom of
// the y axis, a reader expects it at the top.
func topDown(c Chart) Chart {
	c.Labels = slices.Clone(c.Labels)
	slices.Reverse(c.Labels)
	series := make([]Series, len(c.Series))
	for i, s := range c.Series {
		series[i] = Series{Name: s.Name, Values: slices.Clone(s.Values)}
		slices.Reverse(series[i].Values)
	}
	c.Series = series
	return c
}

func values(c Chart) [][]float64 {
	v := make([][]float64, len(c.Series))
	for i, s := range c.Series {
		v[i] = s.Values
	}
	return v
}

func lineOption(c Chart) charts.LineChartOption {
	opt := charts.NewLineChartOptionWithData(values(c))
	opt.Theme = theme
	opt.Padding = padding()
	opt.XAxis.Labels = c.Labels
	opt.XAxis.LabelFontStyle = font()
	opt.XAxis.BoundaryGap = charts.Ptr(false)
	opt.YAxis = []charts.YAxisOption{valueAxis(c)}
	opt.Legend = legend(c)
	opt.LineStrokeWidth = 2
	opt.Symbol.Shape = charts.SymbolNone
	if len(c.Labels) <= maxMarkedPoints {
		opt.Symbol = charts.Symbol{Shape: charts.SymbolCircle, Size: 3}
		for i := range opt.SeriesList {
			opt.SeriesList[i].Symbol.Shape = symbols[i%len(symbols)]
		}
	}
	opt.ValueFormatter = formatter(c)
	return opt
}

func barOption(c Chart) charts.BarChartOption {
	opt := charts.NewBarChartOptionWithData(values(c))
	opt.Theme = theme
	opt.Padding = padding()
	opt.Horizontal = c.Kind == HBar
	opt.StackSeries = charts.Ptr(c.Kind == StackedBar)
	opt.CategoryAxis.Labels = c.Labels
	opt.CategoryAxis.LabelFontStyle = font()
	opt.ValueAxis = []charts.ValueAxisOption{valueAxis(c)}
	opt.Legend = legend(c)
	opt.ValueFormatter = formatter(c)
	return opt
}

func padding() charts.Box {
	return charts.Box{Top: 12, Right: 16, Bottom: 8, Left: 8, IsSet: true}
}

func font() charts.FontStyle {
	return charts.FontStyle{FontSize: fontPoints, FontColor: charts.ColorFromHex(textColor)}
}

// legend names the series when there are two or more; one series is named by the title.
func legend(c Chart) charts.LegendOption {
	names := make([]string, len(c.Series))
	for i, s := range c.Series {
		names[i] = s.Name
	}
	return charts.LegendOption{
		Show:        charts.Ptr(len(c.Series) > 1),
		SeriesNames: names,
		FontStyle:   font(),
		Offset:      charts.OffsetStr{Left: charts.PositionLeft},
	}
}

// valueAxis starts at 0 for data that never goes below it (counts, durations, percentages),
// so bar lengths and line heights stay proportional; Percent fixes the axis to 0..100.
func valueAxis(c Chart) charts.ValueAxisOption {
	a := charts.ValueAxisOption{
		LabelFontStyle: font(),
		ValueFormatter: formatter(c),
	}
	lo, hi := extent(c)
	switch {
	case math.IsInf(hi, 0):
		// stacked values beyond float64: nothing round to offer, the library picks
	case c.Percent && lo >= 0:
		// 0..100 by 20; a stack or an overshoot above 100 extends it by whole steps
		top := math.Max(100, math.Ceil(hi/20)*20)
		a.Min, a.Max = charts.Ptr(0.0), charts.Ptr(top)
		a.LabelCount = int(top/20) + 1
	case lo >= 0:
		// round steps (1, 2 or 5 × 10ⁿ; whole ones for counts, never "0.5 incidents")
		// from 0 to the first step at or above the highest value; all zeros give 0..1
		step := niceStep(hi/5, integral(c))
		top := math.Max(step, math.Ceil(hi/step)*step)
		a.Min, a.Max = charts.Ptr(0.0), charts.Ptr(top)
		a.LabelCount = int(math.Round(top/step)) + 1
	}
	return a
}

// extent returns the lowest and highest value drawn, stacked when the bars are.
func extent(c Chart) (lo, hi float64) {
	if c.Kind == StackedBar {
		for j := range c.Labels {
			var pos, neg float64
			for _, s := range c.Series {
				if v := s.Values[j]; v > 0 {
					pos += v
				} else {
					neg += v
				}
			}
			lo, hi = math.Min(lo, neg), math.Max(hi, pos)
		}
		return lo, hi
	}
	for _, s := range c.Series {
		for _, v := range s.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo, hi
}

// niceStep returns the smallest of 1, 2, 5 × 10ⁿ at or above x; at least 1 when whole is set.
func niceStep(x float64, whole bool) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	unit := math.Pow(10, math.Floor(math.Log10(x)))
	step := 10 * unit
	for _, f := range []float64{1, 2, 5} {
		if f*unit >= x*(1-1e-9) {
			step = f * unit
			break
		}
	}
	if whole && step < 1 {
		return 1
	}
	return step
}

// integral reports whether every value is a whole number (counts).
func integral(c Chart) bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != math.Trunc(v) {
				return false
			}
		}
	}
	return true
}
