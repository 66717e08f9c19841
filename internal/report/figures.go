package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/guichet/guichet/internal/sla"
)

// Filter is what a dashboard counts: incidents of some tenants, a level, a service, over the
// Paris days From to To, both included, as they stand at Now.
type Filter struct {
	From, To Day
	// Tenants are the tenants counted; nil counts every tenant.
	Tenants []int64
	Level   sla.Level // "": every level
	Service string    // "": every service
	Now     time.Time
}

// Duration is a count of durations with their mean and median.
type Duration struct {
	N            int
	Mean, Median time.Duration
}

// Point is one day, or one week, of the created-versus-resolved series.
type Point struct {
	From              Day // the day, or the first day of the week inside the period
	Created, Resolved int
}

// SLAMonth is the targets of one support level that ended in one month: met or breached.
type SLAMonth struct {
	Month                   Month
	Level                   sla.Level
	FRMet, FRBreached       int
	ResMet, ResBreached     int
	FirstResponse, Resolved Duration // answered, resolved in the month (customer report)
	Declared                int      // incidents declared in the month (customer report)
}

// Percent is met as a share of met and breached, and whether there was any.
func Percent(met, breached int) (float64, bool) {
	if met+breached == 0 {
		return 0, false
	}
	return 100 * float64(met) / float64(met+breached), true
}

// Breach is one target breached in the period.
type Breach struct {
	IncidentID int64
	TenantID   int64
	Level      sla.Level
	Priority   sla.Priority
	// Target is "first_response" or "resolution".
	Target string
	Due    time.Time
}

// The targets a Breach names.
const (
	FirstResponse = "first_response"
	Resolution    = "resolution"
)

// Count is how many incidents one value of a dimension has.
type Count struct {
	Key      string // a service's or a region's code
	TenantID int64  // for counts by tenant
	N        int
}

// MaxBreaches is how many breaches a dashboard lists, the newest first; the CSV lists them all.
const MaxBreaches = 50

// Incidents is what a dashboard shows of incidents.
type Incidents struct {
	// Backlog counts the open incidents now, by priority and state (OpenStatuses).
	Backlog [4][3]int
	// Weekly: the series counts weeks (periods over WeeklyAfter days), else days.
	Weekly bool
	Series []Point
	// SLA counts the targets met and breached, by month and support level.
	SLA []SLAMonth
	// Breaches are the newest breaches of the period (all of them with AllBreaches).
	Breaches    []Breach
	BreachCount int
	// TTR is the time to resolve, by priority, of the incidents resolved in the period;
	// Resolve the same for every priority, FirstResponse the time to the first answer.
	TTR                    [4]Duration
	Resolve, FirstResponse Duration
	Created, Resolved      int
	ByService, ByRegion    []Count
	ByTenant               []Count
}

// WeeklyAfter is the longest period whose series counts days.
const WeeklyAfter = 62

// match is a filter made ready for a pass.
type match struct {
	from, to uint16
	tenants  []bool // nil: every tenant
	level    uint8  // 0xFF: every level
	service  uint8  // 0xFF: every service
	now      uint32
}

func (f Filter) prepare() match {
	m := match{from: uint16(max(f.From, 0)), to: uint16(min(f.To, noDay-1)), level: 0xFF, service: 0xFF}
	if f.Tenants != nil {
		top := int64(0)
		for _, t := range f.Tenants {
			top = max(top, t)
		}
		m.tenants = make([]bool, top+1)
		for _, t := range f.Tenants {
			if t >= 0 {
				m.tenants[t] = true
			}
		}
	}
	if f.Level != "" {
		m.level = code(Levels, f.Level)
	}
	if f.Service != "" {
		m.service = code(services, f.Service)
	}
	now := f.Now
	m.now = secs(&now)
	return m
}

func (m *match) keeps(r *row) bool {
	if !r.live || (m.level != 0xFF && r.level != m.level) || (m.service != 0xFF && r.service != m.service) {
		return false
	}
	if m.tenants != nil && (int(r.tenant) >= len(m.tenants) || !m.tenants[r.tenant]) {
		return false
	}
	return true
}

func (m *match) in(d uint16) bool { return d != noDay && d >= m.from && d <= m.to }

// outcome is where a target stands at now: an open target past its due instant is breached.
func (m *match) outcome(state uint8, due uint32) uint8 {
	if state == tOpen && due != 0 && due <= m.now {
		return tBreached
	}
	return state
}

// ending is how one SLA target of a row ended in the filter's days: met (on the day of the
// first answer or of the resolution) or breached (on the day of its due instant).
type ending struct {
	res   bool  // the resolution target; else the first response
	state uint8 // tMet or tBreached
	day   uint16
	due   uint32 // the breach's instant
}

// target names the ending's target as a Breach does.
func (e ending) target() string {
	if e.res {
		return Resolution
	}
	return FirstResponse
}

// end is how a target (its state, due instant, day met and day due) ended in the filter's days:
// tNone when it did not.
func (m *match) end(state uint8, due uint32, met, breach uint16) (uint8, uint16) {
	switch st := m.outcome(state, due); {
	case st == tMet && m.in(met):
		return st, met
	case st == tBreached && m.in(breach):
		return st, breach
	}
	return tNone, 0
}

// endings are the targets of r that ended in the filter's days, at now: the first n of out (an
// array, not a slice: the pass allocates nothing per row).
func (m *match) endings(r *row) (out [2]ending, n int) {
	if st, d := m.end(r.fr, r.frDue, r.aDay, r.frDay); st != tNone {
		out[n] = ending{false, st, d, r.frDue}
		n++
	}
	if st, d := m.end(r.res, r.resDue, r.rDay, r.resDay); st != tNone {
		out[n] = ending{true, st, d, r.resDue}
		n++
	}
	return out, n
}

// add counts an ending in its month's cell.
func (c *SLAMonth) add(e ending) {
	switch {
	case !e.res && e.state == tMet:
		c.FRMet++
	case !e.res:
		c.FRBreached++
	case e.state == tMet:
		c.ResMet++
	default:
		c.ResBreached++
	}
}

// durations gathers durations for a mean and a median.
type durations struct {
	sum int64
	xs  []uint32
}

func (d *durations) add(x uint32) { d.sum += int64(x); d.xs = append(d.xs, x) }

func (d *durations) result() Duration {
	n := len(d.xs)
	if n == 0 {
		return Duration{}
	}
	out := Duration{N: n, Mean: time.Duration(d.sum/int64(n)) * time.Second}
	// The median of an even count is the mean of the two middle values.
	hi := selectNth(d.xs, n/2)
	if n%2 == 1 {
		out.Median = time.Duration(hi) * time.Second
		return out
	}
	lo := slices.Max(d.xs[:n/2])
	out.Median = time.Duration((int64(lo)+int64(hi))/2) * time.Second
	return out
}

// selectNth reorders xs so that xs[k] is the k-th smallest, those before it no greater and
// those after it no smaller, and returns it (Hoare's selection, in linear time on average).
func selectNth(xs []uint32, k int) uint32 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		pivot := xs[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}

// computeIncidents makes a dashboard's incident figures in one pass over the rows.
func computeIncidents(rows []row, f Filter) Incidents { return tableOf(rows).incidents(f) }

// incidents makes a dashboard's incident figures in one pass over the rows the period and the
// backlog reach.
func (t table) incidents(f Filter) Incidents {
	rows := t.rows
	m := f.prepare()
	var out Incidents
	if m.to < m.from {
		return out // an empty span: ParsePeriod never makes one
	}
	out.Weekly = int(f.To-f.From)+1 > WeeklyAfter
	first := Day(m.from)
	bucket := func(d uint16) int { return int(d - m.from) }
	if out.Weekly {
		bucket = func(d uint16) int { return int((Day(d).Monday() - first.Monday()) / 7) }
	}
	n := bucket(m.to) + 1
	series := make([]Point, n)
	for i := range series {
		if out.Weekly {
			series[i].From = max(first.Monday()+Day(7*i), first)
		} else {
			series[i].From = first + Day(i)
		}
	}
	months := monthOfDay()
	firstMonth, lastMonth := months[m.from], months[m.to]
	slaCells := make([]SLAMonth, int(lastMonth-firstMonth+1)*len(Levels))
	for i := range slaCells {
		slaCells[i].Month, slaCells[i].Level = firstMonth+Month(i/len(Levels)), Levels[i%len(Levels)]
	}
	cell := func(d uint16, level uint8) *SLAMonth {
		if int(level) >= len(Levels) {
			return nil
		}
		return &slaCells[int(months[d]-firstMonth)*len(Levels)+int(level)]
	}
	var ttr [4]durations
	var all, fr durations
	byService := make([]int, len(services)+1)
	byRegion := make([]int, len(regions)+1)
	var byTenant []int
	var breaches breachHeap
	for i := range t.indexes(&m, true) {
		r := &rows[i]
		if !m.keeps(r) {
			continue
		}
		if r.stat < 3 && r.prio < 4 { // new, in progress, waiting for the customer
			out.Backlog[r.prio][r.stat]++
		}
		if m.in(r.cDay) {
			out.Created++
			series[bucket(r.cDay)].Created++
			byService[r.service]++
			byRegion[r.region]++
			if int(r.tenant) >= len(byTenant) {
				byTenant = slices.Grow(byTenant, int(r.tenant)+1-len(byTenant))[:int(r.tenant)+1]
			}
			byTenant[r.tenant]++
		}
		if m.in(r.rDay) && r.resolved >= r.created {
			out.Resolved++
			series[bucket(r.rDay)].Resolved++
			d := r.resolved - r.created
			all.add(d)
			if r.prio < 4 {
				ttr[r.prio].add(d)
			}
		}
		if m.in(r.aDay) && r.answered >= r.created {
			fr.add(r.answered - r.created)
		}
		es, n := m.endings(r)
		for _, e := range es[:n] {
			if c := cell(e.day, r.level); c != nil {
				c.add(e)
			}
			if e.state == tBreached {
				out.BreachCount++
				breaches.offer(i, e.target(), e.due)
			}
		}
	}
	out.Series = series
	for _, c := range slaCells {
		if c.FRMet+c.FRBreached+c.ResMet+c.ResBreached > 0 {
			out.SLA = append(out.SLA, c)
		}
	}
	for p := range ttr {
		out.TTR[p] = ttr[p].result()
	}
	out.Resolve, out.FirstResponse = all.result(), fr.result()
	for i, n := range byService {
		if n > 0 && i < len(services) {
			out.ByService = append(out.ByService, Count{Key: services[i], N: n})
		}
	}
	for i, n := range byRegion {
		if n > 0 && i < len(regions) {
			out.ByRegion = append(out.ByRegion, Count{Key: regions[i], N: n})
		}
	}
	for t, n := range byTenant {
		if n > 0 {
			out.ByTenant = append(out.ByTenant, Count{TenantID: int64(t), N: n})
		}
	}
	byCount := func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key), cmp.Compare(a.TenantID, b.TenantID))
	}
	slices.SortStableFunc(out.ByService, byCount)
	slices.SortStableFunc(out.ByRegion, byCount)
	slices.SortStableFunc(out.ByTenant, byCount)
	for _, b := range breaches.sorted() {
		r := &rows[b.slot]
		out.Breaches = append(out.Breaches, Breach{IncidentID: int64(b.slot), TenantID: int64(r.tenant), Level: Levels[min(int(r.level), len(Levels)-1)],
			Priority: Priorities[min(int(r.prio), len(Priorities)-1)], Target: b.target, Due: time.Unix(int64(b.due)+epochUnix, 0).UTC()})
	}
	return out
}

// computeMonths makes a customer report's figures by month in one pass over the rows: the
// incidents declared, the targets met and breached (each incident at its own level), and the
// times to the first answer and to resolve, of the months of the filter's days.
func computeMonths(rows []row, f Filter) []SLAMonth { return tableOf(rows).months(f) }

// months is computeMonths over the rows the filter's days reach.
func (t table) months(f Filter) []SLAMonth {
	rows := t.rows
	m := f.prepare()
	if m.to < m.from {
		return nil // an empty span: ParseMonths never makes one
	}
	months := monthOfDay()
	firstMonth, lastMonth := months[m.from], months[m.to]
	out := make([]SLAMonth, int(lastMonth-firstMonth)+1)
	frs := make([]durations, len(out))
	res := make([]durations, len(out))
	for i := range out {
		out[i].Month = firstMonth + Month(i)
	}
	at := func(d uint16) int { return int(months[d] - firstMonth) }
	for i := range t.indexes(&m, false) {
		r := &rows[i]
		if !m.keeps(r) {
			continue
		}
		if m.in(r.cDay) {
			out[at(r.cDay)].Declared++
		}
		if m.in(r.aDay) && r.answered >= r.created {
			frs[at(r.aDay)].add(r.answered - r.created)
		}
		if m.in(r.rDay) && r.resolved >= r.created {
			res[at(r.rDay)].add(r.resolved - r.created)
		}
		es, n := m.endings(r)
		for _, e := range es[:n] {
			out[at(e.day)].add(e)
		}
	}
	for i := range out {
		out[i].FirstResponse, out[i].Resolved = frs[i].result(), res[i].result()
	}
	return out
}

// openCount counts the open incidents of the filter's tenants now.
func openCount(rows []row, f Filter) int { return tableOf(rows).openCount(f) }

// openCount counts the open incidents of the filter's tenants now, in the blocks holding any.
func (t table) openCount(f Filter) int {
	rows := t.rows
	m := f.prepare()
	m.from, m.to = noDay, 0 // no day: only the blocks with open rows
	n := 0
	for i := range t.indexes(&m, true) {
		if r := &rows[i]; m.keeps(r) && r.stat < 3 {
			n++
		}
	}
	return n
}

// breachHeap keeps the MaxBreaches newest breaches offered.
type breachHeap struct{ xs []breachAt }

type breachAt struct {
	slot   int
	target string
	due    uint32
}

func newer(a, b breachAt) bool {
	if a.due != b.due {
		return a.due > b.due
	}
	return a.slot > b.slot
}

// offer keeps b if it is among the newest: a min-heap on due, its root the oldest kept.
func (h *breachHeap) offer(slot int, target string, due uint32) {
	b := breachAt{slot, target, due}
	if len(h.xs) < MaxBreaches {
		h.xs = append(h.xs, b)
		for i := len(h.xs) - 1; i > 0; {
			p := (i - 1) / 2
			if !newer(h.xs[p], h.xs[i]) {
				break
			}
			h.xs[p], h.xs[i] = h.xs[i], h.xs[p]
			i = p
		}
		return
	}
	if !newer(b, h.xs[0]) {
		return
	}
	h.xs[0] = b
	for i := 0; ; {
		l, r, s := 2*i+1, 2*i+2, i
		if l < len(h.xs) && newer(h.xs[s], h.xs[l]) {
			s = l
		}
		if r < len(h.xs) && newer(h.xs[s], h.xs[r]) {
			s = r
		}
		if s == i {
			break
		}
		h.xs[i], h.xs[s] = h.xs[s], h.xs[i]
		i = s
	}
}

// sorted returns the kept breaches, the newest first.
func (h *breachHeap) sorted() []breachAt {
	out := slices.Clone(h.xs)
	slices.SortFunc(out, func(a, b breachAt) int {
		if newer(a, b) {
			return -1
		}
		return 1
	})
	return out
}

// allBreaches lists every breach the filter counts, the newest first.
func allBreaches(rows []row, f Filter) []Breach { return tableOf(rows).breaches(f) }

// breaches is allBreaches over the rows the filter's days reach.
func (t table) breaches(f Filter) []Breach {
	rows := t.rows
	m := f.prepare()
	var out []Breach
	add := func(i int, target string, due uint32) {
		r := &rows[i]
		out = append(out, Breach{IncidentID: int64(i), TenantID: int64(r.tenant), Level: Levels[min(int(r.level), len(Levels)-1)],
			Priority: Priorities[min(int(r.prio), len(Priorities)-1)], Target: target, Due: time.Unix(int64(due)+epochUnix, 0).UTC()})
	}
	for i := range t.indexes(&m, false) {
		r := &rows[i]
		if !m.keeps(r) {
			continue
		}
		es, n := m.endings(r)
		for _, e := range es[:n] {
			if e.state == tBreached {
				add(i, e.target(), e.due)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Breach) int {
		return cmp.Or(b.Due.Compare(a.Due), cmp.Compare(b.IncidentID, a.IncidentID))
	})
	return out
}
