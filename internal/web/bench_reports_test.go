package web_test

// Benchmarks of the dashboard and the customer report, on the database of GUICHET_BENCH_DB (see
// bench_incidents_test.go):
//
//	GUICHET_BENCH_DB=/path/big.db go test ./internal/web -run '^$' -bench 'Report' -benchtime 3s

import "testing"

func BenchmarkReportDashboard(b *testing.B) { benchGet(b, "Alice.Agent", "/staff/reports") }

func BenchmarkReportDashboardQuarter(b *testing.B) {
	benchGet(b, "Alice.Agent", "/staff/reports?period=quarter")
}

func BenchmarkReportCustomer(b *testing.B) { benchGet(b, "Marie.Dupont", "/reports") }
