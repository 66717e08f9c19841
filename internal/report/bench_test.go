package report

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/sla"
)

// benchRows are a million incidents of 2,000 tenants, declared over the two years 2025 and
// 2026 in the order of their ids (as a desk numbers them), placed at their ids as in the cache:
// most resolved, those of the last weeks often still open, a few cancelled.
var benchRows = sync.OnceValue(func() []row {
	const n = 1_000_000
	r := rand.New(rand.NewPCG(13, 17))
	start := instant("2025-01-01T00:00:00Z")
	span := int64(2 * 365 * 24 * time.Hour / time.Second)
	rows := make([]row, n+1)
	for id := 1; id <= n; id++ {
		created := start.Add(time.Duration(span*int64(id)/n+r.Int64N(3600)) * time.Second)
		recent := span*int64(id)/n > span-30*24*3600
		f := Fact{IncidentID: int64(id), TenantID: 1 + r.Int64N(2000), Level: Levels[r.IntN(len(Levels))],
			Priority: Priorities[r.IntN(len(Priorities))], Service: services[r.IntN(len(services))], Region: regions[r.IntN(len(regions))],
			CreatedAt: created, FRState: TargetNone, ResState: TargetNone}
		answered := created.Add(time.Duration(r.Int64N(8*3600)) * time.Second)
		resolved := answered.Add(time.Duration(r.Int64N(5*24*3600)) * time.Second)
		frDue, resDue := created.Add(4*time.Hour), created.Add(3*24*time.Hour)
		switch x := r.IntN(100); {
		case x < 85 || (!recent && x < 95):
			f.Status = []sla.Status{"resolved", "closed"}[x%2]
			f.AnsweredAt, f.ResolvedAt = &answered, &resolved
			f.FRState, f.ResState = TargetMet, TargetMet
			if answered.After(frDue) {
				f.FRState, f.FRDue = TargetBreached, &frDue
			}
			if resolved.After(resDue) {
				f.ResState, f.ResDue = TargetBreached, &resDue
			}
		case x < 95:
			f.Status = []sla.Status{"new", "in_progress", "pending_customer"}[x%3]
			f.FRState, f.FRDue, f.ResState, f.ResDue = TargetOpen, &frDue, TargetOpen, &resDue
		default:
			f.Status = "cancelled"
		}
		if f.Level == sla.Basic {
			f.FRState, f.FRDue, f.ResState, f.ResDue = TargetNone, nil, TargetNone, nil
		}
		rows[id] = rowOf(&f)
	}
	return rows
})

var benchNow = instant("2026-12-31T12:00:00Z")

func BenchmarkComputeIncidents(b *testing.B) {
	t := tableOf(benchRows()) // as the cache keeps them: summed up in blocks
	for _, c := range []struct {
		name     string
		from, to string
	}{
		{"30d", "2026-12-02", "2026-12-31"},
		{"quarter", "2026-10-01", "2026-12-31"},
		{"366d", "2025-12-31", "2026-12-31"},
	} {
		f := Filter{From: DayOfDate(date(c.from)), To: DayOfDate(date(c.to)), Now: benchNow}
		b.Run(c.name, func(b *testing.B) {
			var out Incidents
			for b.Loop() {
				out = t.incidents(f)
			}
			b.ReportMetric(float64(out.Created), "created")
		})
	}
	// A sales rep's 100 tenants, over a quarter.
	var tenants []int64
	for t := int64(1); t <= 2000; t += 20 {
		tenants = append(tenants, t)
	}
	f := Filter{From: DayOfDate(date("2026-10-01")), To: DayOfDate(date("2026-12-31")), Tenants: tenants, Now: benchNow}
	b.Run("quarter-100-tenants", func(b *testing.B) {
		for b.Loop() {
			t.incidents(f)
		}
	})
}

func BenchmarkComputeMonths(b *testing.B) {
	t := tableOf(benchRows())
	f := Filter{From: DayOfDate(date("2026-01-01")), To: DayOfDate(date("2026-12-31")), Tenants: []int64{42}, Now: benchNow}
	b.Run("one-tenant-12-months", func(b *testing.B) {
		var out []SLAMonth
		for b.Loop() {
			out = t.months(f)
		}
		n := 0
		for _, m := range out {
			n += m.Declared
		}
		b.ReportMetric(float64(n), "declared")
	})
}

// TestBenchRowsAreCounted checks the benchmark's data is what it claims, on a small part.
func TestBenchRowsAreCounted(t *testing.T) {
	if testing.Short() {
		t.Skip("a million rows")
	}
	rows := benchRows()
	f := Filter{From: DayOfDate(date("2025-01-01")), To: DayOfDate(date("2025-12-31")), Now: benchNow}
	a := computeIncidents(rows, f)
	f.From, f.To = DayOfDate(date("2026-01-01")), DayOfDate(date("2027-01-01")) // the last hour of 2026 UTC is 2027 in Paris
	b := computeIncidents(rows, f)
	if a.Created+b.Created != len(rows)-1 {
		t.Errorf("2025 %d + 2026 %d declared, want %d", a.Created, b.Created, len(rows)-1)
	}
}
