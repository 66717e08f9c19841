package identity

// Tests hash many passwords: cheap argon2id settings keep them fast. Hashes record their own
// settings, so CheckPassword is unaffected.
func init() {
	argonParams.memory, argonParams.time = 64, 1
}
