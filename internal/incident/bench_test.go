package incident_test

import (
	"testing"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// BenchmarkDeclareService declares an incident through the service alone (no HTTP): rights,
// level, incident, timeline, search index, SLA keys and two mails rendered into the outbox.
func BenchmarkDeclareService(b *testing.B) {
	a := testutil.NewApp(b)
	john, err := identity.UserByLogin(b.Context(), a.DB, "John.Doe")
	if err != nil {
		b.Fatal(err)
	}
	tn, err := tenancy.TenantByCode(b.Context(), a.DB, "OCB0000001")
	if err != nil {
		b.Fatal(err)
	}
	actor := tenancy.ActorOf(john)
	for b.Loop() {
		if _, err := a.Incidents.Declare(b.Context(), actor, tn.ID, draft()); err != nil {
			b.Fatal(err)
		}
	}
}
