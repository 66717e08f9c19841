package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// InvitationSent mails an invitation link: to the customer who has the address, in their
// language, or to the bare address in the language the inviter chose. The invitations of one
// tenant to one address thread together, renewals included; the thread names a hash of the
// address, not the address.
func (h AccountHooks) InvitationSent(ctx context.Context, tx bun.IDB, inv *tenancy.Invitation, invitee *identity.User, token string) error {
	to := Recipient{Email: inv.Email, Name: inv.Email, Lang: inv.Lang}
	if invitee != nil {
		to = RecipientOf(invitee)
	}
	var rights []string
	for _, r := range []struct {
		ok  bool
		key string
	}{{inv.Incidents, "right.incidents"}, {inv.Changes, "right.changes"}, {inv.Contract, "right.contract"}, {inv.Users, "right.users"}, {inv.Services, "right.services"}} {
		if r.ok {
			rights = append(rights, r.key)
		}
	}
	return h.N.Enqueue(ctx, tx, Notice{Kind: "invitation", Thread: invitationThread(inv), Data: map[string]any{
		"TenantCode": inv.Tenant.Code, "TenantName": inv.Tenant.Name, "Inviter": inv.Inviter.DisplayName,
		"Rights": rights, "Expires": inv.ExpiresAt, "Link": h.N.Link("/invitation/" + token)}}, to)
}

func invitationThread(inv *tenancy.Invitation) string {
	sum := sha256.Sum256([]byte(inv.EmailKey))
	return "invitation-" + strconv.FormatInt(inv.TenantID, 10) + "-" + hex.EncodeToString(sum[:8])
}
