package dbcopy_test

import (
	"testing"

	"github.com/guichet/guichet/internal/testutil"
)

// TestMain runs the tests on SQLite, then on PostgreSQL when GUICHET_TEST_POSTGRES is set; the
// copies between the two run on the first pass only.
func TestMain(m *testing.M) { testutil.Main(m) }
