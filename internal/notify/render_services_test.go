package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/notify"
)

// The mails of the Services tab render in each language, text and HTML, with the quote's amount
// written as its reader reads euros and the subscription's words translated.
func TestServiceMailsRenderInEachLanguage(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	offer := &change.Field{Code: "offer", Type: change.TypeSelect, Label: change.Text{FR: "Service", EN: "Service"},
		Options: []change.Option{{Code: "dss", Label: change.Text{FR: "Stockage dédié (DSS)", EN: "Dedicated storage (DSS)"}}}}
	order := func() map[string]any {
		return map[string]any{"Number": "CHG0000042", "Item": change.Text{FR: "Cloud dédié", EN: "Dedicated cloud"},
			"Rows":   []change.Row{{Field: offer, Value: change.Value{Type: change.TypeSelect, Text: "dss"}}},
			"Tenant": "OCB0000001", "Link": "http://desk.example/changes/42"}
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	july := calendar.NewDate(2026, time.July, 1)
	sub := func(left int) map[string]any {
		return map[string]any{"Tenant": "OCB0000001", "Kind": "subscription.kind.workspace", "Template": "workspace-graphics",
			"Region": "cloud.region.eu-west-0", "Instances": 2, "Left": left, "Date": july, "Link": "http://desk.example/subscriptions"}
	}
	tests := []struct {
		kind, lang, subject string
		data                map[string]any
		text                []string
	}{
		{"service_quote_needed", "fr", "[CHG0000042] Devis à établir\u00a0: Cloud dédié", order(),
			[]string{"Le tenant OCB0000001 a commandé un service sur devis", "Service\u00a0: Cloud dédié", "- Service\u00a0: Stockage dédié (DSS)", "http://desk.example/changes/42"}},
		{"service_quote_needed", "en", "[CHG0000042] Quote to send: Dedicated cloud", order(),
			[]string{"Tenant OCB0000001 ordered a service on quote", "- Service: Dedicated storage (DSS)"}},
		{"service_quoted", "fr", "[CHG0000042] Devis pour votre commande\u00a0: Cloud dédié", with(order(), "Amount", "1234.50", "ValidUntil", july),
			[]string{"Montant\u00a0: 1\u00a0234,50\u00a0€ HT", "Valable jusqu’au 1er juillet 2026 inclus."}},
		{"service_quoted", "en", "[CHG0000042] Quote for your order: Dedicated cloud", with(order(), "Amount", "1234.50", "ValidUntil", july),
			[]string{"Amount: €1,234.50 excl. tax", "Valid until 1 July 2026 inclusive."}},
		{"service_quote_answered", "fr", "[CHG0000042] Réponse à votre devis\u00a0: Cloud dédié", with(order(), "Accepted", true),
			[]string{"Le tenant OCB0000001 a accepté votre devis"}},
		{"service_quote_answered", "en", "[CHG0000042] Answer to your quote: Dedicated cloud", with(order(), "Accepted", false),
			[]string{"Tenant OCB0000001 declined your quote", "the order is rejected"}},
		{"subscription_cancelled", "fr", "[OCB0000001] Résiliation d’abonnement enregistrée", sub(1),
			[]string{"Abonnement\u00a0: Workspace", "Modèle\u00a0: workspace-graphics", "Région\u00a0: Paris", "Instances résiliées\u00a0: 2",
				"La résiliation prend effet le 1er juillet 2026.", "il reste 1 instance de cet abonnement"}},
		{"subscription_cancelled", "en", "[OCB0000001] Subscription cancellation recorded", sub(3),
			[]string{"Instances cancelled: 2", "takes effect on 1 July 2026", "3 instances of this subscription are left"}},
		{"subscription_cancelled", "en", "[OCB0000001] Subscription cancellation recorded", sub(0),
			[]string{"no instance of this subscription is left: the subscription ends"}},
		{"change_submitted", "en", "[CHG0000042] Change request received: Dedicated cloud", with(order(), "PreApproved", false, "Service", true),
			[]string{"Service: Dedicated cloud", "Your sales representative will send you a quote"}},
		{"change_submitted", "fr", "[CHG0000042] Demande de changement reçue\u00a0: Cloud dédié", with(order(), "PreApproved", true),
			[]string{"Article de changement\u00a0: Cloud dédié", "dans les limites de pré-approbation"}},
		{"change_implemented", "en", "[CHG0000042] Change request implemented: Dedicated cloud", with(order(), "Value", "", "Service", true),
			[]string{"Service: Dedicated cloud"}},
	}
	for _, tc := range tests {
		t.Run(tc.kind+"/"+tc.lang, func(t *testing.T) {
			if _, err := a.DB.NewDelete().Model((*notify.Message)(nil)).Where("1 = 1").Exec(ctx); err != nil {
				t.Fatal(err)
			}
			err := a.Notifier.Enqueue(ctx, a.DB, notify.Notice{Kind: tc.kind, Thread: "t", Data: tc.data},
				notify.Recipient{Email: "r@example.com", Name: "R", Lang: tc.lang})
			if err != nil {
				t.Fatal(err)
			}
			m := oneRow(t, a)
			if m.Subject != tc.subject {
				t.Errorf("subject %q, want %q", m.Subject, tc.subject)
			}
			for _, s := range tc.text {
				if !strings.Contains(m.BodyText, s) {
					t.Errorf("text lacks %q:\n%s", s, m.BodyText)
				}
			}
			if strings.Contains(m.BodyText, "Value applied") || !strings.Contains(m.BodyHTML, `<html lang="`+tc.lang+`">`) {
				t.Errorf("text or HTML reads wrong:\n%s", m.BodyText)
			}
		})
	}
}
