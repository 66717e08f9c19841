package chart

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var months = []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

func twelve(scale float64) []float64 {
	v := make([]float64, 12)
	for i := range v {
		v[i] = scale * float64((i*7)%12+1)
	}
	return v
}

// node is an element of the parsed SVG.
type node struct {
	name     string
	attrs    map[string]string
	text     string
	children []*node
}

// parse reads s to its end with encoding/xml, failing the test on any error.
func parse(t *testing.T, s string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var root *node
	var stack []*node
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("output is not XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				name := a.Name.Local
				if a.Name.Space != "" && a.Name.Space != "xmlns" {
					name = a.Name.Space + ":" + name
				}
				n.attrs[name] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					t.Fatalf("more than one root element")
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if strings.TrimSpace(string(tok)) != "" {
					t.Fatalf("text outside the root element: %q", tok)
				}
				continue
			}
			stack[len(stack)-1].text += string(tok)
		case xml.ProcInst, xml.Directive:
			t.Fatalf("unexpected prolog or directive %T in output", tok)
		}
	}
	if root == nil {
		t.Fatalf("no root element")
	}
	return root
}

func (n *node) walk(fn func(*node)) {
	fn(n)
	for _, c := range n.children {
		c.walk(fn)
	}
}

// texts returns the content of every <text> element.
func (n *node) texts() []string {
	var out []string
	n.walk(func(e *node) {
		if e.name == "text" {
			out = append(out, e.text)
		}
	})
	return out
}

func render(t *testing.T, c Chart) (string, *node) {
	t.Helper()
	out, err := SVG(c)
	if err != nil {
		t.Fatalf("SVG: %v", err)
	}
	return string(out), parse(t, string(out))
}

// checkAccessible checks what every chart must be: one labelled <svg>, sized by its viewBox,
// with nothing the CSP blocks.
func checkAccessible(t *testing.T, c Chart, out string, root *node) {
	t.Helper()
	if root.name != "svg" || !strings.HasPrefix(out, "<svg ") || !strings.HasSuffix(out, "</svg>") {
		t.Fatalf("output is not one <svg> element: %.80q…", out)
	}
	if got := root.attrs["role"]; got != "img" {
		t.Errorf("role = %q, want img", got)
	}
	if got, want := root.attrs["aria-labelledby"], c.ID+"-title "+c.ID+"-desc"; got != want {
		t.Errorf("aria-labelledby = %q, want %q", got, want)
	}
	if f := strings.Fields(root.attrs["viewBox"]); len(f) != 4 {
		t.Errorf("viewBox = %q", root.attrs["viewBox"])
	}
	for _, a := range []string{"width", "height"} {
		if v, ok := root.attrs[a]; ok {
			t.Errorf("root has a fixed %s=%q", a, v)
		}
	}
	if len(root.children) < 2 {
		t.Fatalf("root has %d children", len(root.children))
	}
	title, desc := root.children[0], root.children[1]
	if title.name != "title" || title.attrs["id"] != c.ID+"-title" || title.text != c.Title {
		t.Errorf("first child = <%s id=%q>%q, want <title id=%q>%q", title.name, title.attrs["id"], title.text, c.ID+"-title", c.Title)
	}
	if desc.name != "desc" || desc.attrs["id"] != c.ID+"-desc" || desc.text != c.Desc {
		t.Errorf("second child = <%s id=%q>%q, want <desc id=%q>%q", desc.name, desc.attrs["id"], desc.text, c.ID+"-desc", c.Desc)
	}
	root.walk(func(e *node) {
		switch e.name {
		case "style", "script", "image", "use", "a", "foreignObject":
			t.Errorf("forbidden element <%s>", e.name)
		}
		for a, v := range e.attrs {
			if a == "style" || a == "class" && e != root || strings.HasPrefix(a, "on") ||
				strings.Contains(a, "href") || strings.Contains(v, "url(") {
				t.Errorf("forbidden attribute on <%s>: %s=%q", e.name, a, v)
			}
			if a == "font-family" && v != fontFamily {
				t.Errorf("<%s font-family=%q>, want %q", e.name, v, fontFamily)
			}
		}
	})
	for _, s := range []string{"style=", "<style", "<script", "@font-face", "<?xml", "<!DOCTYPE"} {
		if strings.Contains(out, s) {
			t.Errorf("output contains %q", s)
		}
	}
}

func TestSVGKinds(t *testing.T) {
	tests := []struct {
		name   string
		kind   Kind
		series []Series
	}{
		{"line, one series", Line, []Series{{"Ouverts", twelve(1)}}},
		{"line, two series", Line, []Series{{"Ouverts", twelve(1)}, {"Résolus", twelve(0.5)}}},
		{"line, three series", Line, []Series{{"P1", twelve(1)}, {"P2", twelve(2)}, {"P3", twelve(3)}}},
		{"bar, one series", Bar, []Series{{"Incidents", twelve(10)}}},
		{"bar, two series", Bar, []Series{{"Incidents", twelve(10)}, {"Changes", twelve(3)}}},
		{"hbar, one series", HBar, []Series{{"Incidents", twelve(1)}}},
		{"hbar, two series", HBar, []Series{{"Incidents", twelve(1)}, {"Changes", twelve(2)}}},
		{"stacked bar, one series", StackedBar, []Series{{"P1", twelve(1)}}},
		{"stacked bar, four series", StackedBar, []Series{{"P1", twelve(1)}, {"P2", twelve(1)}, {"P3", twelve(1)}, {"P4", twelve(1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Chart{ID: "c1", Kind: tt.kind, Title: "Incidents par mois", Desc: "Incidents ouverts chaque mois de 2025.",
				Labels: months, Series: tt.series, Lang: "fr"}
			out, root := render(t, c)
			checkAccessible(t, c, out, root)
			texts := root.texts()
			for _, s := range tt.series {
				want := 0
				if len(tt.series) > 1 {
					want = 1 // the legend names each series once, only when there are two or more
				}
				if got := count(texts, s.Name); got != want {
					t.Errorf("series name %q appears in %d texts, want %d", s.Name, got, want)
				}
			}
			if !slices.Contains(texts, "janv.") {
				t.Errorf("no category label in %q", texts)
			}
			if paths := countElements(root, "path"); paths < 10 {
				t.Errorf("only %d paths drawn", paths)
			}
		})
	}
}

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

func countElements(root *node, name string) int {
	n := 0
	root.walk(func(e *node) {
		if e.name == name {
			n++
		}
	})
	return n
}

func TestSVGEscapesText(t *testing.T) {
	nasty := `R&D <b>"quoted"</b> 'été' ✓ 🚀`
	tests := []struct {
		name string
		kind Kind
	}{
		{"line", Line}, {"bar", Bar}, {"hbar", HBar}, {"stacked bar", StackedBar},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Chart{
				ID: "esc", Kind: tt.kind,
				Title:  "Title " + nasty,
				Desc:   "Desc " + nasty + "\x00\x1b",
				Labels: []string{"a&b", "<c>", `"d"`},
				Series: []Series{{"s&1 <x>", []float64{1, 2, 3}}, {`s"2" ☕`, []float64{3, 2, 1}}},
			}
			out, root := render(t, c)
			c.Desc = strings.ReplaceAll(c.Desc, "\x00\x1b", "\uFFFD\uFFFD") // forbidden in XML
			checkAccessible(t, c, out, root)
			texts := root.texts()
			for _, want := range []string{"a&b", "<c>", `"d"`, "s&1 <x>", `s"2" ☕`} {
				if !slices.Contains(texts, want) {
					t.Errorf("text %q not drawn; texts: %q", want, texts)
				}
			}
			if strings.Contains(out, "<b>") || strings.Contains(out, "<x>") || strings.Contains(out, "<c>") {
				t.Errorf("caller markup leaked into the SVG")
			}
		})
	}
}

func TestSVGDegenerateData(t *testing.T) {
	long := strings.Repeat("Catégorie très longue ", 2)[:40]
	tests := []struct {
		name   string
		kind   Kind
		labels []string
		series []Series
	}{
		{"no labels, no series", Line, nil, nil},
		{"no labels, empty series", Bar, nil, []Series{{"a", nil}, {"b", []float64{}}}},
		{"labels, no series", HBar, months, nil},
		{"all zeros line", Line, months, []Series{{"a", make([]float64, 12)}}},
		{"all zeros bar", Bar, months, []Series{{"a", make([]float64, 12)}, {"b", make([]float64, 12)}}},
		{"all zeros hbar", HBar, months[:3], []Series{{"a", make([]float64, 3)}}},
		{"all zeros stacked", StackedBar, months, []Series{{"a", make([]float64, 12)}, {"b", make([]float64, 12)}}},
		{"NaN and Inf line", Line, months[:4], []Series{{"a", []float64{math.NaN(), math.Inf(1), math.Inf(-1), 2}}}},
		{"NaN and Inf bar", Bar, months[:4], []Series{{"a", []float64{math.NaN(), math.Inf(1), math.Inf(-1), 2}}}},
		{"all NaN stacked", StackedBar, months[:2], []Series{{"a", []float64{math.NaN(), math.NaN()}}, {"b", []float64{math.NaN(), math.NaN()}}}},
		{"one point line", Line, months[:1], []Series{{"a", []float64{3}}}},
		{"one bar", Bar, months[:1], []Series{{"a", []float64{3}}}},
		{"negative values", Bar, months[:3], []Series{{"a", []float64{-3, 2, -1}}}},
		{"stack beyond float64", StackedBar, months[:2], []Series{{"a", []float64{math.MaxFloat64 / 2, 1}}, {"b", []float64{math.MaxFloat64 / 2, 1}}, {"c", []float64{math.MaxFloat64 / 2, 1}}}},
		{"huge values", Line, months[:3], []Series{{"a", []float64{1e15, 2e15, math.MaxFloat64 / 4}}}},
		{"fractions", Line, months[:3], []Series{{"a", []float64{0.1, 0.25, 0.05}}}},
		{"long labels bar", Bar, []string{long, long + "x", long + "y"}, []Series{{"a", []float64{1, 2, 3}}}},
		{"long labels hbar", HBar, []string{long, long + "x", long + "y"}, []Series{{"a", []float64{1, 2, 3}}, {long, []float64{3, 2, 1}}}},
		{"long labels line", Line, []string{long, long + "x", long + "y"}, []Series{{long, []float64{1, 2, 3}}, {"b", []float64{3, 2, 1}}}},
		{"empty labels and names", StackedBar, []string{"", "", ""}, []Series{{"", []float64{1, 2, 3}}, {"", []float64{1, 2, 3}}}},
		{"twenty series", Line, months[:2], slices.Repeat([]Series{{"s", []float64{1, 2}}}, 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Chart{ID: "deg", Kind: tt.kind, Title: "t", Desc: "d", Labels: tt.labels, Series: tt.series, Lang: "en"}
			if tt.name == "no labels, empty series" {
				c.Labels = []string{} // values and labels both empty: valid
			}
			out, root := render(t, c)
			checkAccessible(t, c, out, root)
		})
	}
}

func TestSVGRejectsCallerMistakes(t *testing.T) {
	ok := Chart{ID: "ok", Labels: []string{"a", "b"}, Series: []Series{{"s", []float64{1, 2}}}}
	tests := []struct {
		name   string
		change func(*Chart)
	}{
		{"empty ID", func(c *Chart) { c.ID = "" }},
		{"ID with a space", func(c *Chart) { c.ID = "a b" }},
		{"ID with markup", func(c *Chart) { c.ID = `a"><script>` }},
		{"unknown kind", func(c *Chart) { c.Kind = 42 }},
		{"too few values", func(c *Chart) { c.Series = []Series{{"s", []float64{1}}} }},
		{"too many values", func(c *Chart) { c.Series = []Series{{"s", []float64{1, 2, 3}}} }},
	}
	if _, err := SVG(ok); err != nil {
		t.Fatalf("valid chart: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.change(&c)
			if out, err := SVG(c); err == nil {
				t.Errorf("no error; output %.60q…", out)
			}
		})
	}
}

func TestSVGAxisLabelsFollowLangAndPercent(t *testing.T) {
	big := []float64{1200, 300, 1450}
	tests := []struct {
		name    string
		lang    string
		percent bool
		values  []float64
		want    []string
		notWant []string
	}{
		{"French thousands", "fr", false, big, []string{"1\u00a0500", "0"}, []string{"1,500", "1.5k"}},
		{"English thousands", "en", false, big, []string{"1,500", "0"}, []string{"1\u00a0500"}},
		{"other language is English", "de", false, big, []string{"1,500"}, nil},
		{"regional French", "fr-CA", false, big, []string{"1\u00a0500"}, nil},
		{"French percent", "fr", true, []float64{99.5, 80, 95}, []string{"0\u00a0%", "100\u00a0%"}, []string{"100%"}},
		{"English percent", "en", true, []float64{99.5, 80, 95}, []string{"0%", "100%"}, []string{"100\u00a0%"}},
		{"percent overshoot extends the axis", "en", true, []float64{120, 80, 95}, []string{"120%"}, nil},
		{"small counts have whole steps", "fr", false, []float64{1, 3, 2}, []string{"0", "1", "2", "3"}, []string{"0,5", "1,5"}},
		{"fractions keep decimals", "fr", false, []float64{0.2, 0.75, 0.4}, []string{"0,2", "0,8"}, []string{"0.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Chart{ID: "ax", Kind: Bar, Title: "t", Desc: "d", Labels: []string{"x", "y", "z"},
				Series: []Series{{"s", tt.values}}, Lang: tt.lang, Percent: tt.percent}
			_, root := render(t, c)
			texts := root.texts()
			for _, w := range tt.want {
				if !slices.Contains(texts, w) {
					t.Errorf("axis label %q missing; texts: %q", w, texts)
				}
			}
			for _, w := range tt.notWant {
				if slices.Contains(texts, w) {
					t.Errorf("unexpected axis label %q; texts: %q", w, texts)
				}
			}
		})
	}
}

func TestHBarListsCategoriesTopDown(t *testing.T) {
	c := Chart{ID: "h", Kind: HBar, Title: "t", Desc: "d", Labels: []string{"First", "Second", "Third"},
		Series: []Series{{"s", []float64{3, 2, 1}}}}
	_, root := render(t, c)
	y := map[string]int{}
	root.walk(func(e *node) {
		if e.name == "text" {
			y[e.text], _ = strconv.Atoi(e.attrs["y"])
		}
	})
	if !(y["First"] < y["Second"] && y["Second"] < y["Third"]) {
		t.Errorf("categories not top-down: y = %v", y)
	}
	if c.Labels[0] != "First" || c.Series[0].Values[0] != 3 {
		t.Errorf("SVG changed the caller's data: %v %v", c.Labels, c.Series)
	}
}

func TestLongLabelsAreShortened(t *testing.T) {
	long := "Une catégorie dont le nom fait bien plus de quarante caractères"
	tests := []struct {
		kind  Kind
		limit int
	}{
		{Bar, maxLabelRunes}, {HBar, maxHBarLabelRunes}, {Line, maxNameRunes},
	}
	for _, tt := range tests {
		c := Chart{ID: "l", Kind: tt.kind, Title: "t", Desc: "d", Labels: []string{long, "b"},
			Series: []Series{{"s", []float64{1, 2}}, {"t", []float64{2, 1}}}}
		if tt.kind == Line { // the long text is a series name, in the legend
			c.Labels, c.Series[0].Name = []string{"a", "b"}, long
		}
		_, root := render(t, c)
		var found bool
		for _, s := range root.texts() {
			if strings.HasPrefix(s, "Une catégorie") {
				found = true
				if n := len([]rune(s)); n > tt.limit || n < tt.limit-1 || !strings.HasSuffix(s, "…") {
					t.Errorf("kind %d: label %q (%d characters), want at most %d ending in …", tt.kind, s, n, tt.limit)
				}
			}
		}
		if !found {
			t.Errorf("kind %d: long label not drawn", tt.kind)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v       float64
		lang    string
		percent bool
		want    string
	}{
		{0, "fr", false, "0"},
		{0, "en", true, "0%"},
		{12, "fr", false, "12"},
		{1234, "fr", false, "1\u00a0234"},
		{1234, "en", false, "1,234"},
		{1234567.5, "fr", false, "1\u00a0234\u00a0567,5"},
		{1234567.5, "en", false, "1,234,567.5"},
		{2.5, "fr", false, "2,5"},
		{0.126, "en", false, "0.13"},
		{99.999, "en", false, "100"},
		{-1500, "fr", false, "-1\u00a0500"},
		{-0.001, "en", false, "0"},
		{40, "fr", true, "40\u00a0%"},
		{40, "en", true, "40%"},
		{12.5, "fr", true, "12,5\u00a0%"},
		{math.NaN(), "fr", false, "0"},
		{math.Inf(1), "en", false, "0"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.v, tt.lang, tt.percent); got != tt.want {
			t.Errorf("formatNumber(%v, %q, %v) = %q, want %q", tt.v, tt.lang, tt.percent, got, tt.want)
		}
	}
}

func TestNiceStep(t *testing.T) {
	tests := []struct {
		x     float64
		whole bool
		want  float64
	}{
		{0, true, 1}, {0.3, true, 1}, {0.3, false, 0.5}, {0.15, false, 0.2}, {1, true, 1},
		{1.2, true, 2}, {4.4, true, 5}, {6, true, 10}, {20, true, 20}, {246.8, true, 500}, {math.NaN(), false, 1},
	}
	for _, tt := range tests {
		if got := niceStep(tt.x, tt.whole); got != tt.want {
			t.Errorf("niceStep(%v, %v) = %v, want %v", tt.x, tt.whole, got, tt.want)
		}
	}
}

// TestPaletteContrast checks WCAG 1.4.11 (3:1 for graphics) for every series colour and the
// axis, and 1.4.3 (4.5:1) for the text, all against the white background.
func TestPaletteContrast(t *testing.T) {
	check := func(name, hex string, want float64) {
		if got := contrast(hex, background); got < want {
			t.Errorf("%s %s: contrast %.2f:1 on white, want ≥ %.1f:1", name, hex, got, want)
		}
	}
	for i, hex := range palette {
		check("series "+strconv.Itoa(i), hex, 3)
	}
	check("axis", axisColor, 3)
	check("text", textColor, 4.5)
	seen := map[string]bool{}
	for _, hex := range palette {
		if seen[hex] {
			t.Errorf("palette repeats %s", hex)
		}
		seen[hex] = true
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var rgb [3]float64
	for i := range rgb {
		n, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(n) / 255
		if c <= 0.04045 {
			rgb[i] = c / 12.92
		} else {
			rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
}

func BenchmarkSVG(b *testing.B) {
	days := make([]string, 92)
	opened, resolved := make([]float64, 92), make([]float64, 92)
	for i := range days {
		days[i] = strconv.Itoa(i%31+1) + "/" + strconv.Itoa(i/31+10)
		opened[i] = float64(10 + (i*7)%13)
		resolved[i] = float64(5 + (i*3)%11)
	}
	charts := []struct {
		name string
		c    Chart
	}{
		{"line 92 points x 2 series", Chart{ID: "l", Kind: Line, Title: "t", Desc: "d", Labels: days,
			Series: []Series{{"Ouverts", opened}, {"Résolus", resolved}}, Lang: "fr"}},
		{"bar 12 categories", Chart{ID: "b", Kind: Bar, Title: "t", Desc: "d", Labels: months,
			Series: []Series{{"Incidents", twelve(10)}}, Lang: "fr"}},
	}
	for _, bc := range charts {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				c := bc.c
				n++
				c.ID = bc.c.ID + strconv.Itoa(n) // drawn each time, not taken from the memo
				if _, err := SVG(c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+" remembered", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := SVG(bc.c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSVGRemembered: the same chart is drawn once and given again as it was; another value,
// text or language draws another.
func TestSVGRemembered(t *testing.T) {
	c := Chart{ID: "memo", Kind: Bar, Title: "t", Desc: "d", Labels: []string{"a", "b"}, Series: []Series{{"s", []float64{1, 2}}}, Lang: "fr"}
	first, err := SVG(c)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := SVG(c)
	if again != first {
		t.Error("the same chart drawn differently")
	}
	for _, change := range []func(*Chart){
		func(c *Chart) { c.Series = []Series{{"s", []float64{1, 3}}} },
		func(c *Chart) { c.Desc = "autre" },
		func(c *Chart) { c.Lang = "en"; c.Series = []Series{{"s", []float64{1000, 2}}} },
	} {
		other := c
		change(&other)
		svg, err := SVG(other)
		if err != nil {
			t.Fatal(err)
		}
		if svg == first {
			t.Errorf("a chart changed (%+v) given as it was before", other)
		}
	}
}

// TestSVGConcurrent renders from several goroutines, as handlers do (run with -race).
func TestSVGConcurrent(t *testing.T) {
	c := Chart{ID: "cc", Kind: Line, Title: "t", Desc: "d", Labels: months,
		Series: []Series{{"a", twelve(1)}, {"b", twelve(2)}}, Lang: "fr"}
	want, err := SVG(c)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := SVG(c)
			if err == nil && got != want {
				err = errors.New("concurrent rendering differs")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
