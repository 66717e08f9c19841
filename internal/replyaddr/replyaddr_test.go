package replyaddr

import (
	"net/mail"
	"strings"
	"testing"
)

func book(key string) Book {
	return Book{Support: &mail.Address{Name: "Support", Address: "Support@Desk.example.com"}, Key: []byte(key)}
}

func TestReplyAddressesNameTheTicketAndTheRecipient(t *testing.T) {
	b := book("k1")
	for _, tc := range []struct {
		thread string
		user   int64
		want   Ref
	}{
		{"incident-42", 7, Ref{Incident, 42, 7}},
		{"change-1", 1, Ref{Change, 1, 1}},
		{"request-9999999", 123456789, Ref{Request, 9999999, 123456789}},
	} {
		addr := b.For(tc.thread, tc.user)
		if !strings.HasPrefix(addr, "Support+") || !strings.HasSuffix(addr, "@Desk.example.com") || len(addr) > 64+1+253 {
			t.Errorf("For(%q, %d) = %q", tc.thread, tc.user, addr)
		}
		if local, _ := split(addr); len(local) > 64 {
			t.Errorf("%q: local part over 64 characters", addr)
		}
		for _, a := range []string{addr, strings.ToLower(addr), strings.ToUpper(addr)} {
			got, ok, support := b.Read(a)
			if !ok || support || got != tc.want {
				t.Errorf("Read(%q) = %+v %v %v, want %+v", a, got, ok, support, tc.want)
			}
		}
		if got := tc.want.Thread(); got != tc.thread {
			t.Errorf("Thread() = %q, want %q", got, tc.thread)
		}
	}
}

func TestOnlyTicketMailHasAReplyAddress(t *testing.T) {
	b := book("k1")
	for _, thread := range []string{"account-3", "invitation-4", "incident-", "incident-x", "incident-0", "incident--4", ""} {
		if got := b.For(thread, 7); got != "" {
			t.Errorf("For(%q) = %q, want none", thread, got)
		}
	}
	if got := b.For("incident-4", 0); got != "" {
		t.Errorf("an address without an account got %q", got)
	}
	if got := (Book{Key: []byte("k")}).For("incident-4", 7); got != "" {
		t.Errorf("without a support address: %q", got)
	}
}

// A forged, altered or guessed plus part names nothing; the bare support address is the
// support address; other addresses are neither.
func TestReadRefusesWhatItDidNotSign(t *testing.T) {
	b := book("k1")
	good := b.For("incident-42", 7)
	local, domain := split(good)
	plus := local[strings.IndexByte(local, '+')+1:]
	mac := plus[strings.LastIndexByte(plus, '.')+1:]
	other := book("k2").For("incident-42", 7)
	for _, addr := range []string{
		other, // another desk's key
		strings.Replace(good, "i16.7.", "i17.7.", 1), // another incident, same MAC
		strings.Replace(good, ".7.", ".8.", 1),       // another recipient
		strings.Replace(good, "+i", "+c", 1),         // another kind
		"support+" + plus[:len(plus)-1] + "@" + domain,
		"support+i16.7." + strings.Repeat("a", len(mac)) + "@" + domain,
		"support+i16.7@" + domain,
		"support+@" + domain,
		"support+.@" + domain,
		"other+" + plus + "@" + domain,
		"support+" + plus + "@elsewhere.example.com",
		"support+x16.7." + mac + "@" + domain,
		"",
		"@",
	} {
		if ref, ok, support := b.Read(addr); ok || support {
			t.Errorf("Read(%q) = %+v %v %v, want nothing", addr, ref, ok, support)
		}
	}
	if _, ok, support := b.Read("SUPPORT@desk.EXAMPLE.com"); ok || !support {
		t.Errorf("the support address itself: ok %v support %v", ok, support)
	}
	if _, ok, support := (Book{Key: []byte("k")}).Read(good); ok || support {
		t.Error("a book without a support address read an address")
	}
}
