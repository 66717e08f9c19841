package tenancy_test

import (
	"testing"

	"github.com/guichet/guichet/internal/tenancy"
)

func TestTenantLifecycle(t *testing.T) {
	a, r, c := tenancy.TenantActive, tenancy.TenantCancellationRequested, tenancy.TenantCancelled
	tests := []struct {
		from, to string
		ok       bool
	}{
		{a, r, true}, {a, c, true}, {r, c, true},
		{r, a, false}, {c, a, false}, {c, r, false}, {a, a, false}, {c, c, false}, {"", a, false}, {a, "gone", false},
	}
	for _, tt := range tests {
		if got := tenancy.CanMoveTo(tt.from, tt.to); got != tt.ok {
			t.Errorf("%q → %q: %v, want %v", tt.from, tt.to, got, tt.ok)
		}
	}
}
