package notify

import (
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/guichet/guichet/internal/i18n"
)

// NewNotifier parses every mail template of fsys (templates.FS) in every language; a broken
// template or a missing subject stops the program at start.
func NewNotifier(fsys fs.FS, b *i18n.Bundle, baseURL string) (*Notifier, error) {
	r, err := newRenderer(fsys, b)
	if err != nil {
		return nil, err
	}
	host := "guichet.localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	n := &Notifier{r: r, baseURL: baseURL, host: host, Now: time.Now}
	for kind := range r.html[i18n.Langs[0]] {
		for _, lang := range i18n.Langs {
			if _, err := b.Lookup(lang, "email."+kind+".subject", map[string]any{}); err != nil {
				return nil, fmt.Errorf("notify: subject of %s in %s: %w", kind, lang, err)
			}
		}
	}
	return n, nil
}
