package account

// Actor is who is asking: every service use case takes one and authorizes it.
type Actor struct {
	UserID int64
	Login  string
	Name   string
	Email  string
	Lang   string
	Kind   Kind
}

// ActorOf returns the Actor for u.
func ActorOf(u *User) Actor {
	return Actor{UserID: u.ID, Login: u.Login, Name: u.DisplayName, Email: u.Email, Lang: u.Lang, Kind: u.Kind}
}

// Staff reports whether the actor works for the provider.
func (a Actor) Staff() bool { return a.Kind.Staff() }

// Access is what an actor may do on one tenant.
type Access struct {
	Tenant   *Tenant
	Rights   Rights
	Member   bool // has a membership row
	Referent bool
	Owner    bool
}
