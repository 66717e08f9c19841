package report

import "iter"

// The cache's rows are in the order of incident ids, which is about the order of declaration: a
// period's rows lie in a few stretches of them. Each block of blockSize rows keeps the earliest
// and latest day its rows name and how many are open, so that a pass reads only the blocks a
// period or the backlog reaches (a month's dashboard reads a few percent of the rows).

const blockSize = 4096

// block sums up blockSize rows.
type block struct {
	lo, hi uint16 // the earliest and the latest day any of its rows names (lo = noDay: none)
	open   int32  // its rows open now (new, in progress, waiting for the customer)
}

func summarize(rows []row) block {
	b := block{lo: noDay}
	for i := range rows {
		r := &rows[i]
		if !r.live {
			continue
		}
		for _, d := range [...]uint16{r.cDay, r.aDay, r.rDay, r.frDay, r.resDay} {
			if d == noDay {
				continue
			}
			b.lo, b.hi = min(b.lo, d), max(b.hi, d)
		}
		if r.stat < 3 {
			b.open++
		}
	}
	return b
}

// table is the rows with their blocks.
type table struct {
	rows   []row
	blocks []block
}

// tableOf sums up rows in blocks.
func tableOf(rows []row) table {
	t := table{rows: rows, blocks: make([]block, (len(rows)+blockSize-1)/blockSize)}
	for i := range t.blocks {
		t.blocks[i] = summarize(rows[i*blockSize : min((i+1)*blockSize, len(rows))])
	}
	return t
}

// indexes are the rows a pass over the days of m must read, with those of the blocks holding
// open rows when backlog is true.
func (t table) indexes(m *match, backlog bool) iter.Seq[int] {
	return func(yield func(int) bool) {
		for b, sum := range t.blocks {
			days := sum.lo != noDay && sum.hi >= m.from && sum.lo <= m.to
			if !days && !(backlog && sum.open > 0) {
				continue
			}
			for i := b * blockSize; i < min((b+1)*blockSize, len(t.rows)); i++ {
				if !yield(i) {
					return
				}
			}
		}
	}
}
