package web_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/tenancy"
)

// What "foreign" means for the help center's ids: an article for staff only (a customer or a
// visitor must get the 404 of an article that does not exist), a category that does not exist,
// and a version the article does not have.
func init() {
	foreignParams["article"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		a, err := d.Help.Create(context.Background(), tenancy.ActorOf(d.user(t, "Alice.Agent")), help.Input{
			Category: help.General, Visibility: help.Staff, State: help.Published,
			TitleFR: "Guide de tri interne", BodyFR: "Réservé à l’équipe."}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(a.ID, 10)
	}
	foreignParams["category"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string { return "billing" }
	foreignParams["version"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string { return "999999" }
}
