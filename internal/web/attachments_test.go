package web_test

import "testing"

func init() {
	// Replaced by a real foreign incident attachment in the incidents tests.
	foreignParams["attachment"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string { return "999999" }
}
