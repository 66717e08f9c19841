package chart

import (
	"encoding/json"
	"html/template"
	"sync"
)

// Drawing a chart costs about half a millisecond and a megabyte of garbage; a dashboard draws a
// dozen, and most readers look at the same figures (the default period, refreshed every few
// seconds). The last charts drawn are kept, by everything that makes them, and given again.

// memoSize is how many charts are kept; past it, the memo starts afresh.
const memoSize = 512

var memo = struct {
	sync.Mutex
	m map[string]template.HTML
}{m: map[string]template.HTML{}}

// memoKey is everything that makes c's SVG.
func memoKey(c Chart) (string, bool) {
	b, err := json.Marshal(c)
	return string(b), err == nil
}

func remembered(key string) (template.HTML, bool) {
	memo.Lock()
	defer memo.Unlock()
	svg, ok := memo.m[key]
	return svg, ok
}

func remember(key string, svg template.HTML) {
	memo.Lock()
	defer memo.Unlock()
	if len(memo.m) >= memoSize {
		memo.m = make(map[string]template.HTML, memoSize)
	}
	memo.m[key] = svg
}
