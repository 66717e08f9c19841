package tenancy

// Access is what an actor may do on one tenant.
type Access struct {
	Tenant   *Tenant
	Rights   Rights
	Member   bool // has a membership row
	Referent bool
	Owner    bool
}
