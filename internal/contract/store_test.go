package contract_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// A store error says what the store was doing and keeps its cause; a missing request is still
// apperr.ErrNotFound.
func TestStoreErrorsSayWhatFailed(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	for _, table := range []string{"contract_requests", "support_levels"} {
		if _, err := a.DB.ExecContext(ctx, "ALTER TABLE "+table+" RENAME TO "+table+"_gone"); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	day := calendar.ParisDate(now)
	r := &contract.Request{ID: 5, TenantID: 1, Kind: contract.Cancellation, RequesterID: 1}
	_, readErr := contract.RequestByID(ctx, a.DB, 5)
	_, listErr := contract.Requests(ctx, a.DB, contract.RequestFilter{})
	_, dueErr := contract.DueRequests(ctx, a.DB, contract.SupportLevel, day)
	_, claimErr := contract.ClaimApplied(ctx, a.DB, 5, now)
	_, historyErr := contract.History(ctx, a.DB, 3)
	_, levelsErr := contract.CurrentLevels(ctx, a.DB, []int64{3}, day)
	for _, tc := range []struct {
		op   string
		err  error
		want string
	}{
		{"insert", contract.InsertRequest(ctx, a.DB, r, now), "contract: insert cancellation request: "},
		{"read", readErr, "contract: read request 5: "},
		{"decide", contract.UpdateDecision(ctx, a.DB, r, 1, now), "contract: record decision on request 5: "},
		{"list", listErr, "contract: list requests: "},
		{"due", dueErr, "contract: list support_level requests due on " + day.String() + ": "},
		{"claim", claimErr, "contract: claim the effect of request 5: "},
		{"insert period", contract.InsertPeriod(ctx, a.DB, 3, contract.Period{Level: contract.Premium, EffectiveFrom: day}),
			"contract: insert support level of tenant 3: "},
		{"history", historyErr, "contract: read support-level history of tenant 3: "},
		{"levels", levelsErr, "contract: read current support levels: "},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) || !strings.Contains(tc.err.Error(), testutil.NoSuchTable()) {
			t.Errorf("%s: %v, want %q and its cause", tc.op, tc.err, tc.want)
		}
		if errors.Is(tc.err, apperr.ErrNotFound) {
			t.Errorf("%s: a failure taken for not found: %v", tc.op, tc.err)
		}
	}
}

// failing makes the queries whose SQL contains every one of its words fail, as a database that
// breaks in the middle of a transaction does.
type failing []string

func (f failing) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	for _, w := range f {
		if !strings.Contains(e.Query, w) {
			return ctx
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	return ctx
}

func (failing) AfterQuery(context.Context, *bun.QueryEvent) {}

// The level a support-level request starts from is read in the request's transaction: when that
// read fails, filing fails and writes nothing, instead of recording a request from no level.
func TestFilingFailsWhenTheCurrentLevelCannotBeRead(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	t3 := tenant(t, a, "OCB0000003")
	before := count(t, a, "SELECT count(*) FROM contract_requests")
	a.DB.AddQueryHook(failing{"support_levels", "tenant_id IN ("})
	r, err := service(a, time.Now().UTC()).File(ctx, actor(t, a, "Marie.Dupont"), t3.ID,
		contract.Form{Kind: contract.SupportLevel, Level: "premium"})
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "contract: ") {
		t.Fatalf("filed %+v, %v; want the read's failure", r, err)
	}
	if n := count(t, a, "SELECT count(*) FROM contract_requests"); n != before {
		t.Fatalf("%d requests written", n-before)
	}
}
