package identity

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
