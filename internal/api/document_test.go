package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/testutil"
)

// outsideDocument are the API's routes that are not operations: the document itself, the
// reference page and the 404 for anything else.
func outsideDocument(path string) bool {
	return strings.HasPrefix(path, "/api/v1/openapi") || path == "/api/v1/reference" || path == "/api/v1/*" || path == "/api/v1"
}

// TestDocumentAndRouterAgree: every operation of the OpenAPI document is a route of the server,
// and every route under /api/v1 is in the document.
func TestDocumentAndRouterAgree(t *testing.T) {
	d := newDesk(t)
	doc := testutil.APIDocument(t, d.web)
	inDoc := map[string]bool{}
	for p, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			route := "/api/v1" + strings.NewReplacer("{", ":", "}", "").Replace(p)
			inDoc[method+" "+route] = true
		}
	}
	inRouter := map[string]bool{}
	for _, r := range d.web.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1") || r.Method == http.MethodHead || r.Method == "USE" || outsideDocument(r.Path) {
			continue
		}
		inRouter[r.Method+" "+r.Path] = true
	}
	var missing, undocumented []string
	for k := range inDoc {
		if !inRouter[k] {
			missing = append(missing, k)
		}
	}
	for k := range inRouter {
		if !inDoc[k] {
			undocumented = append(undocumented, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(undocumented)
	if len(missing) > 0 {
		t.Errorf("in the document, not served: %v", missing)
	}
	if len(undocumented) > 0 {
		t.Errorf("served, not in the document: %v", undocumented)
	}
	if len(inDoc) < 10 {
		t.Errorf("only %d operations", len(inDoc))
	}
	// Every operation says what it does, answers problem+json on error, and is secured.
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Summary == "" || op.OperationID == "" {
				t.Errorf("%s %s: no summary or id", method, p)
			}
			if def := op.Responses.Default(); def == nil || def.Value.Content.Get("application/problem+json") == nil {
				t.Errorf("%s %s: errors are not documented as problem+json", method, p)
			}
		}
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("OpenAPI %s", doc.OpenAPI)
	}
}
