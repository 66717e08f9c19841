package report

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/sla"
	"github.com/uptrace/bun"
)

// row is a Fact as the cache keeps it, in about 44 bytes: a million incidents take some 45 MB.
// Instants are seconds from 1 January 2000 UTC (0: none); days are Paris days (noDay: none).
type row struct {
	tenant                             int32
	created, answered, resolved        uint32
	frDue, resDue                      uint32
	cDay, aDay, rDay, frDay, resDay    uint16
	level, prio, service, region, stat uint8
	fr, res                            uint8
	live                               bool
}

const (
	noDay     = 0xFFFF
	epochUnix = 946684800 // 1 January 2000 00:00 UTC
)

// The states of a target in a row.
const (
	tNone uint8 = iota
	tMet
	tBreached
	tOpen
	tPaused
)

var targets = []string{TargetNone, TargetMet, TargetBreached, TargetOpen, TargetPaused}

func secs(t *time.Time) uint32 {
	if t == nil {
		return 0
	}
	s := t.Unix() - epochUnix
	if s < 1 {
		return 1 // before 2000: counted as its first second
	}
	return uint32(min(s, 1<<32-1))
}

func dayOf(t *time.Time) uint16 {
	if t == nil {
		return noDay
	}
	d := DayOf(*t)
	if d < 0 || d >= noDay {
		return noDay
	}
	return uint16(d)
}

func rowOf(f *Fact) row {
	r := row{tenant: int32(f.TenantID), created: secs(&f.CreatedAt), answered: secs(f.AnsweredAt), resolved: secs(f.ResolvedAt),
		frDue: secs(f.FRDue), resDue: secs(f.ResDue),
		cDay: dayOf(&f.CreatedAt), aDay: dayOf(f.AnsweredAt), rDay: dayOf(f.ResolvedAt), frDay: dayOf(f.FRDue), resDay: dayOf(f.ResDue),
		level: code(Levels, f.Level), prio: code(Priorities, f.Priority), service: code(services, f.Service),
		region: regionCode(f.Region), stat: code(statuses, f.Status),
		fr: code(targets, f.FRState), res: code(targets, f.ResState), live: true}
	return r
}

// Cache keeps every Fact in memory, by incident id, for one instance: a dashboard is one pass
// over it. It reads the rows the job numbered since it last read, at most every Fresh, so a
// dashboard is at most Fresh behind the job.
type Cache struct {
	DB *bun.DB
	// Fresh is how long the cache trusts what it read (1 s by default).
	Fresh time.Duration

	mu      sync.RWMutex
	rows    []row
	blocks  []block // the rows' blocks (see table)
	seq     int64
	checked time.Time
	loaded  bool
	read    sync.Mutex // one reader of the database at a time

	// memo keeps the dashboards' figures computed on the rows as they are, by what they count
	// and the second they count at: identical dashboards asked within a second (those of a
	// team looking at the same period) are computed once.
	memoMu sync.Mutex
	memo   map[string]*memoCall
}

// memoCall is one dashboard's figures: computed by the first to ask, waited for by the others
// asking meanwhile.
type memoCall struct {
	done chan struct{}
	in   Incidents
}

// memoSize is how many dashboards' figures the memo keeps; past it, it starts afresh.
const memoSize = 64

// view is the rows for one computation, read-locked until release.
type view struct {
	table
	asOf  time.Time
	seq   int64 // the refresh the rows are at
	cache *Cache
}

func (v view) release() { v.cache.mu.RUnlock() }

// view brings the cache up to date and read-locks it.
func (c *Cache) view(ctx context.Context) (view, error) {
	if err := c.update(ctx); err != nil {
		return view{}, err
	}
	c.mu.RLock()
	return view{table: table{rows: c.rows, blocks: c.blocks}, asOf: c.checked, seq: c.seq, cache: c}, nil
}

// incidents is v.incidents(f), computed once for the same rows, filter and second: those who
// ask while it is computed wait for it rather than compute it again.
func (v view) incidents(f Filter) Incidents {
	f.Now = f.Now.Truncate(time.Second)
	tenants := "all" // nil counts every tenant; an empty list, none
	if f.Tenants != nil {
		tenants = fmt.Sprint(f.Tenants)
	}
	key := fmt.Sprint(v.seq, " ", f.From, " ", f.To, " ", f.Level, " ", f.Service, " ", f.Now.Unix(), " ", tenants)
	c := v.cache
	c.memoMu.Lock()
	if call, ok := c.memo[key]; ok {
		c.memoMu.Unlock()
		<-call.done
		return call.in
	}
	if len(c.memo) >= memoSize || c.memo == nil {
		c.memo = make(map[string]*memoCall, memoSize)
	}
	call := &memoCall{done: make(chan struct{})}
	c.memo[key] = call
	c.memoMu.Unlock()
	computed := false
	defer func() {
		if !computed { // the pass panicked: no waiter stays stuck, and nobody is given its nothing
			c.memoMu.Lock()
			if c.memo[key] == call {
				delete(c.memo, key)
			}
			c.memoMu.Unlock()
		}
		close(call.done)
	}()
	call.in = v.table.incidents(f)
	computed = true
	return call.in
}

// Warm loads the cache, as the first dashboard would: `serve` calls it at start.
func (c *Cache) Warm(ctx context.Context) error { return c.update(ctx) }

func (c *Cache) fresh() time.Duration {
	if c.Fresh > 0 {
		return c.Fresh
	}
	return time.Second
}

// update reads the rows numbered after the last read, unless the last read is recent.
func (c *Cache) update(ctx context.Context) error {
	c.mu.RLock()
	recent := c.loaded && time.Since(c.checked) < c.fresh()
	c.mu.RUnlock()
	if recent {
		return nil
	}
	c.read.Lock()
	defer c.read.Unlock()
	c.mu.RLock()
	recent, seq := c.loaded && time.Since(c.checked) < c.fresh(), c.seq
	c.mu.RUnlock()
	if recent {
		return nil
	}
	started := time.Now()
	var now int64
	if err := c.DB.NewRaw("SELECT COALESCE(MAX(seq), 0) FROM report_state").Scan(ctx, &now); err != nil {
		return fmt.Errorf("report: read the refresh number: %w", err)
	}
	if now == seq && c.loaded {
		c.mu.Lock()
		c.checked = started
		c.mu.Unlock()
		return nil
	}
	// Rows numbered up to now are committed (each number's transaction held report_state's row
	// until it committed); rows numbered later may be missing yet, and are read next time.
	if seq == 0 {
		// The first read takes every row, in the order of the table, a page at a time (a row
		// numbered after now is read again next time).
		const page = 50000
		for last := int64(-1); ; {
			n, next, err := c.readRows(ctx, "incident_id > ? ORDER BY incident_id LIMIT ?", last, page)
			if err != nil {
				return err
			}
			if n < page {
				break
			}
			last = next
		}
	} else if _, _, err := c.readRows(ctx, "seq > ? AND seq <= ?", seq, now); err != nil {
		return err
	}
	c.mu.Lock()
	c.seq, c.checked, c.loaded = now, started, true
	c.mu.Unlock()
	return nil
}

// readRows reads the rows where (a condition, with its arguments) into the cache, and returns
// how many it read and the last id. Instants are read as Unix seconds:
// a million rows load in seconds, where scanning times and structs took many more.
func (c *Cache) readRows(ctx context.Context, where string, args ...any) (int, int64, error) {
	// SQLite keeps instants as text, read as such and parsed here (its strftime took a third
	// of the time); PostgreSQL gives the seconds.
	pg := db.IsPG(c.DB)
	epoch := func(col string) string { return "CAST(" + col + " AS TEXT)" }
	if pg {
		epoch = func(col string) string { return "CAST(FLOOR(EXTRACT(EPOCH FROM " + col + ")) AS BIGINT)" }
	}
	q := "SELECT incident_id, tenant_id, level, priority, service, region, status, " + epoch("created_at") + ", " +
		epoch("answered_at") + ", " + epoch("resolved_at") + ", fr_state, " + epoch("fr_due") + ", res_state, " + epoch("res_due") +
		" FROM report_incidents WHERE " + where
	rows, err := c.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("report: read the rows: %w", err)
	}
	defer rows.Close()
	var ids []int64
	var rs []row
	var rd reader
	for rows.Next() {
		var id, tenant int64
		var level, prio, service, region, status, fr, res string
		var at [5]sql.NullInt64 // created, answered, resolved, fr due, res due
		var text [5]sql.NullString
		dest := []any{&id, &tenant, &level, &prio, &service, &region, &status, nil, nil, nil, &fr, nil, &res, nil}
		for i, col := range []int{7, 8, 9, 11, 13} {
			if pg {
				dest[col] = &at[i]
			} else {
				dest[col] = &text[i]
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return 0, 0, fmt.Errorf("report: read a row: %w", err)
		}
		if !pg {
			for i := range text {
				at[i].Int64, at[i].Valid = rd.parseText(text[i])
			}
		}
		created, answered, resolved, frDue, resDue := at[0].Int64, at[1], at[2], at[3], at[4]
		ids = append(ids, id)
		rs = append(rs, row{tenant: int32(tenant), created: unixSecs(created, true), answered: unixSecs(answered.Int64, answered.Valid),
			resolved: unixSecs(resolved.Int64, resolved.Valid), frDue: unixSecs(frDue.Int64, frDue.Valid), resDue: unixSecs(resDue.Int64, resDue.Valid),
			cDay: rd.day(created, true), aDay: rd.day(answered.Int64, answered.Valid), rDay: rd.day(resolved.Int64, resolved.Valid),
			frDay: rd.day(frDue.Int64, frDue.Valid), resDay: rd.day(resDue.Int64, resDue.Valid),
			level: code(Levels, sla.Level(level)), prio: code(Priorities, sla.Priority(prio)), service: code(services, service),
			region: regionCode(region), stat: code(statuses, sla.Status(status)), fr: code(targets, fr), res: code(targets, res), live: true})
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("report: read the rows: %w", err)
	}
	c.put(ids, rs)
	if len(ids) == 0 {
		return 0, 0, nil
	}
	return len(ids), ids[len(ids)-1], nil
}

// reader converts what a page of rows holds, remembering the last date and the last span of
// Paris's offset from UTC: most instants in a row of the table are near the one before.
type reader struct {
	date       [3]int
	midnight   int64
	start, end int64 // the span of offset, in Unix seconds
	offset     int64
}

// day is the Paris day of Unix second s (noDay when it is none or out of range).
func (rd *reader) day(s int64, ok bool) uint16 {
	if !ok {
		return noDay
	}
	if s < rd.start || s >= rd.end || rd.end == 0 {
		t := time.Unix(s, 0).In(calendar.Paris)
		_, off := t.Zone()
		from, to := t.ZoneBounds()
		rd.start, rd.end, rd.offset = math.MinInt64, math.MaxInt64, int64(off)
		if !from.IsZero() {
			rd.start = from.Unix()
		}
		if !to.IsZero() {
			rd.end = to.Unix()
		}
	}
	d := (s+rd.offset)/86400 - epoch2000
	if s+rd.offset < 0 || d < 0 || d >= noDay {
		return noDay
	}
	return uint16(d)
}

// parseText reads an instant as bun writes it on SQLite, 2024-12-01 03:53:28.717452+00:00, into
// Unix seconds; other layouts go through time.Parse.
func (rd *reader) parseText(s sql.NullString) (int64, bool) {
	if !s.Valid {
		return 0, false
	}
	v := s.String
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	if len(v) >= 19 && v[4] == '-' && v[7] == '-' && v[10] == ' ' && v[13] == ':' && v[16] == ':' {
		y, ok1 := num(0, 4)
		mo, ok2 := num(5, 7)
		d, ok3 := num(8, 10)
		h, ok4 := num(11, 13)
		mi, ok5 := num(14, 16)
		sec, ok6 := num(17, 19)
		rest := v[19:]
		if i := strings.IndexAny(rest, "+-Z"); i >= 0 && ok1 && ok2 && ok3 && ok4 && ok5 && ok6 {
			off := 0
			if z := rest[i:]; z != "Z" {
				if len(z) != 6 || z[3] != ':' {
					goto slow
				}
				oh, okH := num(19+i+1, 19+i+3)
				om, okM := num(19+i+4, 19+i+6)
				if !okH || !okM {
					goto slow
				}
				if off = oh*3600 + om*60; z[0] == '-' {
					off = -off
				}
			}
			if date := [3]int{y, mo, d}; date != rd.date {
				rd.date, rd.midnight = date, time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC).Unix()
			}
			return rd.midnight + int64(h*3600+mi*60+sec-off), true
		}
	}
slow:
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}

func unixSecs(s int64, ok bool) uint32 {
	if !ok {
		return 0
	}
	t := time.Unix(s, 0)
	return secs(&t)
}

// put writes rows into the cache, by incident id, and sums up again the blocks they are in.
func (c *Cache) put(ids []int64, rs []row) {
	if len(ids) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	touched := map[int]bool{}
	for i, id64 := range ids {
		id := int(id64)
		if id < 0 {
			continue
		}
		if id >= len(c.rows) {
			grown := make([]row, max(id+1, 2*len(c.rows), blockSize))
			copy(grown, c.rows)
			c.rows = grown
		}
		c.rows[id] = rs[i]
		touched[id/blockSize] = true
	}
	c.sumUp(touched)
}

// sumUp sums up the blocks touched, and gives the rows' new blocks theirs (mu held).
func (c *Cache) sumUp(touched map[int]bool) {
	for n := (len(c.rows) + blockSize - 1) / blockSize; len(c.blocks) < n; {
		touched[len(c.blocks)] = true
		c.blocks = append(c.blocks, block{lo: noDay})
	}
	for b := range touched {
		c.blocks[b] = summarize(c.rows[b*blockSize : min((b+1)*blockSize, len(c.rows))])
	}
}
