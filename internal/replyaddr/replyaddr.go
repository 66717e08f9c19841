// Package replyaddr makes and reads the reply addresses of outgoing mail: the support address
// with a plus part naming the ticket and the recipient the mail was sent to, signed so that
// nobody can make one for a ticket or a person they were not sent (support+i2s.7.q3…@example.com).
package replyaddr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"net/mail"
	"strconv"
	"strings"
)

// Kinds of tickets a reply address names, by the letter it carries.
const (
	Incident = "incident"
	Change   = "change"
	Request  = "request" // contract requests
)

var letters = map[string]string{Incident: "i", Change: "c", Request: "r"}

// Ref is what a reply address names: a ticket (kind and id, as in the thread "incident-42") and
// the user the mail was sent to.
type Ref struct {
	Kind     string
	TicketID int64
	UserID   int64
}

// Thread is the ticket's mail thread ("incident-42").
func (r Ref) Thread() string { return r.Kind + "-" + strconv.FormatInt(r.TicketID, 10) }

// Book makes and reads reply addresses on the support address.
type Book struct {
	// Support is the support address (GUICHET_MAIL_REPLY_TO): new incidents by mail go to it,
	// and replies to its plus addresses.
	Support *mail.Address
	// Key signs the plus parts; it is kept in the database so that every instance agrees.
	Key []byte
}

// macLen is how many bytes of the HMAC a plus part carries: 64 bits, not guessable.
const macLen = 8

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// For returns the reply address of mail about the ticket of thread sent to userID, or "" when
// the thread is not a ticket's (account mail) or the book has no support address.
func (b Book) For(thread string, userID int64) string {
	if b.Support == nil || userID <= 0 {
		return ""
	}
	kind, idText, ok := strings.Cut(thread, "-")
	letter := letters[kind]
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || letter == "" || err != nil || id <= 0 {
		return ""
	}
	payload := letter + strconv.FormatInt(id, 36) + "." + strconv.FormatInt(userID, 36)
	local, domain := split(b.Support.Address)
	return local + "+" + payload + "." + b.mac(payload) + "@" + domain
}

func (b Book) mac(payload string) string {
	h := hmac.New(sha256.New, b.Key)
	h.Write([]byte(payload))
	return strings.ToLower(b32.EncodeToString(h.Sum(nil)[:macLen]))
}

// Read says what address names: a reply address of this book (ok), or the support address
// itself (support), or neither. A plus part that does not verify is neither: it names nothing.
// Local parts and domains compare in any case, as mail servers do.
func (b Book) Read(address string) (ref Ref, ok, support bool) {
	if b.Support == nil {
		return Ref{}, false, false
	}
	local, domain := split(strings.ToLower(address))
	wantLocal, wantDomain := split(strings.ToLower(b.Support.Address))
	if domain != wantDomain {
		return Ref{}, false, false
	}
	if local == wantLocal {
		return Ref{}, false, true
	}
	base, plus, found := strings.Cut(local, "+")
	if !found || base != wantLocal {
		return Ref{}, false, false
	}
	i := strings.LastIndexByte(plus, '.')
	if i < 0 {
		return Ref{}, false, false
	}
	payload, mac := plus[:i], plus[i+1:]
	if !hmac.Equal([]byte(mac), []byte(b.mac(payload))) {
		return Ref{}, false, false
	}
	idPart, userPart, found := strings.Cut(payload[min(1, len(payload)):], ".")
	if !found || len(payload) < 1 {
		return Ref{}, false, false
	}
	var kind string
	for k, l := range letters {
		if payload[:1] == l {
			kind = k
		}
	}
	id, err1 := strconv.ParseInt(idPart, 36, 64)
	user, err2 := strconv.ParseInt(userPart, 36, 64)
	if kind == "" || err1 != nil || err2 != nil || id <= 0 || user <= 0 {
		return Ref{}, false, false
	}
	return Ref{Kind: kind, TicketID: id, UserID: user}, true, false
}

// split cuts an address at its last "@".
func split(address string) (local, domain string) {
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return address, ""
	}
	return address[:i], address[i+1:]
}
