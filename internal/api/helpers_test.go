package api_test

import (
	"context"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
)

// desk is a test desk with its HTTP application.
type desk struct {
	*app.App
	web *fiber.App
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	a := testutil.NewApp(t)
	w, err := a.Web(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &desk{App: a, web: w}
}

// as returns an API client with a read-write token of login.
func (d *desk) as(t *testing.T, login string) *testutil.APIClient {
	return testutil.NewAPIClient(t, d.web, testutil.APIToken(t, d.App, login, identity.ScopeWrite))
}

// readOnly returns an API client with a read-only token of login.
func (d *desk) readOnly(t *testing.T, login string) *testutil.APIClient {
	return testutil.NewAPIClient(t, d.web, testutil.APIToken(t, d.App, login, identity.ScopeRead))
}
