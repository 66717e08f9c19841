package webhook_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/guichet/guichet/internal/testutil"
)

// TestMain runs the tests on SQLite, then on PostgreSQL when GUICHET_TEST_POSTGRES is set, and
// removes the program the kill test built.
func TestMain(m *testing.M) {
	testutil.Main(m, func() {
		if binPath != "" {
			os.RemoveAll(filepath.Dir(binPath))
		}
	})
}
