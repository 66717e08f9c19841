package db

// GoMigrationNames names the migrations registered in Go (AddMigration), as Migrate names them.
func GoMigrationNames() []string {
	names := make([]string, len(goSteps))
	for i, s := range goSteps {
		names[i] = s.Name + "_" + s.Comment
	}
	return names
}
