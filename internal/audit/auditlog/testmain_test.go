package auditlog_test

import (
	"testing"

	"github.com/guichet/guichet/internal/testutil"
)

// TestMain runs the tests on SQLite, then on PostgreSQL when GUICHET_TEST_POSTGRES is set.
func TestMain(m *testing.M) { testutil.Main(m) }
