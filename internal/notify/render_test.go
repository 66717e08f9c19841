package notify_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/notify"
	"github.com/uptrace/bun"
)

// 8 (second half). A key missing in one language fails Enqueue for that language only; a subject
// missing in one language stops NewNotifier.
func TestMissingKeyInOneLanguage(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	tmpl := fstest.MapFS{
		"email/layout.txt":  {Data: []byte(`{{ template "body" . }}`)},
		"email/layout.html": {Data: []byte(`<p>{{ template "body" . }}</p>`)},
		"email/probe.txt":   {Data: []byte(`{{ define "body" }}{{ t "email.probe.line" }}{{ end }}`)},
		"email/probe.html":  {Data: []byte(`{{ define "body" }}{{ t "email.probe.line" }}{{ end }}`)},
	}
	bundle := func(fr, en string) *i18n.Bundle {
		b, err := i18n.Load(fstest.MapFS{"fr.toml": {Data: []byte(fr)}, "en.toml": {Data: []byte(en)}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	full := `"email.probe.subject" = "Sonde"` + "\n" + `"email.probe.line" = "Ligne"` + "\n"
	for _, c := range []struct{ name, fr, en, good, bad string }{
		{"missing in en", full, `"email.probe.subject" = "Probe"` + "\n", "fr", "en"},
		{"missing in fr", `"email.probe.subject" = "Sonde"` + "\n", `"email.probe.subject" = "Probe"` + "\n" + `"email.probe.line" = "Line"` + "\n", "en", "fr"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := notify.NewNotifier(tmpl, bundle(c.fr, c.en), "http://desk.example")
			if err != nil {
				t.Fatal(err)
			}
			enqueue := func(lang string) error {
				return a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					if err := n.Enqueue(ctx, tx, notify.Notice{Kind: "probe", Thread: "probe"},
						notify.Recipient{Email: "p@example.com", Name: "P", Lang: lang}); err != nil {
						return err
					}
					return errBoom // keep the outbox clean
				})
			}
			if err := enqueue(c.good); err != errBoom {
				t.Errorf("Enqueue in %s: %v, want it rendered", c.good, err)
			}
			if err := enqueue(c.bad); err == nil || err == errBoom {
				t.Errorf("Enqueue in %s, which lacks email.probe.line: %v, want a render error", c.bad, err)
			}
		})
	}
	if _, err := notify.NewNotifier(tmpl, bundle(full, `"email.probe.line" = "Line"`+"\n"), "http://desk.example"); err == nil {
		t.Error("NewNotifier accepted a kind without an English subject")
	}
}
