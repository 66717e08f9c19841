package report

import (
	"reflect"
	"sync"
	"testing"
	"time"
)

// TestDashboardMemo: the figures computed once are given again for the same rows, filter and
// second, and never for another filter: no tenant list (every tenant) and an empty one (a sales
// rep without tenants) are two filters, as are two tenants, two seconds and two refreshes.
func TestDashboardMemo(t *testing.T) {
	c := &Cache{}
	v := view{table: tableOf(rowsOf(engineFacts...)), seq: 7, cache: c}
	all := engineFilter()
	none := all
	none.Tenants = []int64{}
	one := all
	one.Tenants = []int64{1}
	for _, f := range []Filter{all, none, one, all, none, one} {
		if got, want := v.incidents(f), v.table.incidents(f); !reflect.DeepEqual(got, want) {
			t.Errorf("tenants %v: memo %+v, computed %+v", f.Tenants, got.Created, want.Created)
		}
	}
	if v.incidents(none).Created != 0 || v.incidents(all).Created == 0 {
		t.Errorf("every tenant counts %d, none counts %d", v.incidents(all).Created, v.incidents(none).Created)
	}
	later := all
	later.Now = all.Now.Add(time.Second)
	v.incidents(later)
	v.seq = 8
	v.incidents(all)
	if len(c.memo) != 5 {
		t.Errorf("%d dashboards kept, want 5 (3 filters, another second, another refresh)", len(c.memo))
	}
	// Those asking at once get the one computation's figures.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := v.incidents(one); got.Created != v.table.incidents(one).Created {
				t.Errorf("concurrent: %d", got.Created)
			}
		})
	}
	wg.Wait()
}
