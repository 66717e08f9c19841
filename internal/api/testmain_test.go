package api_test

import (
	"testing"

	"github.com/guichet/guichet/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }
