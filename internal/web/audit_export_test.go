package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/guichet/guichet/internal/audit"
)

// Every CSV export is in the audit log before it is sent: who, which file, how many rows, with
// which filters; a customer's names its tenant, so the referent's Journal shows it.
func TestAuditRecordsEveryExport(t *testing.T) {
	d := newDesk(t)
	clearAuditLog(t, d)
	marie, alice := d.user(t, "Marie.Dupont"), d.user(t, "Alice.Agent")
	t1 := d.tenant(t, "OCB0000001")

	c := d.client(t)
	c.Login("Marie.Dupont")
	for _, path := range []string{"/incidents/export?status=new", "/changes/export.csv", "/reports/export.csv"} {
		wantStatus(t, path, c.Get(path), http.StatusOK)
	}
	staff := d.client(t)
	staff.Login("Alice.Agent")
	wantStatus(t, "queue", staff.Get("/staff/incidents/export?tenant=OCB0000001"), http.StatusOK)

	var es []audit.Entry
	if err := d.DB.NewSelect().Model(&es).Where("action = ?", audit.Exported).OrderExpr("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(es) != 4 {
		t.Fatalf("%d export entries, want 4: %+v", len(es), es)
	}
	want := []struct {
		object string
		actor  int64
		tenant int64
	}{
		{"/incidents/export", marie.ID, t1.ID},
		{"/changes/export.csv", marie.ID, t1.ID},
		{"/reports/export.csv", marie.ID, 0},
		{"/staff/incidents/export", alice.ID, 0},
	}
	for i, w := range want {
		e := es[i]
		tenant := int64(0)
		if e.TenantID != nil {
			tenant = *e.TenantID
		}
		if e.Object != w.object || e.ActorID == nil || *e.ActorID != w.actor || tenant != w.tenant {
			t.Errorf("export %d: %s by %v on tenant %d, want %s by %d on %d", i, e.Object, e.ActorID, tenant, w.object, w.actor, w.tenant)
		}
	}
	if es[0].After != `{"filters":"status=new","rows":0}` {
		t.Errorf("first export recorded %s", es[0].After)
	}
}
