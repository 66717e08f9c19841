package identity

// CountHashes runs f and returns how many password hashes it checked. Tests that use it must not
// run in parallel.
func CountHashes(f func()) int {
	n, old := 0, verifyPassword
	verifyPassword = func(hash, password string) bool { n++; return old(hash, password) }
	defer func() { verifyPassword = old }()
	f()
	return n
}
