package demo

import (
	"context"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

//go:embed help_articles.toml
var helpArticlesTOML string

// demoArticle is one article of help_articles.toml.
type demoArticle struct {
	Category   string `toml:"category"`
	Visibility string `toml:"visibility"`
	TitleFR    string `toml:"title_fr"`
	BodyFR     string `toml:"body_fr"`
	TitleEN    string `toml:"title_en"`
	BodyEN     string `toml:"body_en"`
}

// HelpArticles are the demo's help articles, as help_articles.toml writes them.
func HelpArticles() ([]help.Input, error) {
	var f struct {
		Article []demoArticle `toml:"article"`
	}
	if _, err := toml.Decode(helpArticlesTOML, &f); err != nil {
		return nil, fmt.Errorf("demo: help articles: %w", err)
	}
	ins := make([]help.Input, len(f.Article))
	for i, a := range f.Article {
		ins[i] = help.Input{Category: help.Category(a.Category), Visibility: help.Visibility(a.Visibility), State: help.Published,
			TitleFR: a.TitleFR, BodyFR: a.BodyFR, TitleEN: a.TitleEN, BodyEN: a.BodyEN}
	}
	return ins, nil
}

// author is the demo's writer of help articles: the support agent.
func author(ctx context.Context, db *bun.DB) (tenancy.Actor, error) {
	u, err := identity.UserByLogin(ctx, db, "Alice.Agent")
	if err != nil {
		return tenancy.Actor{}, fmt.Errorf("demo: the author of the help articles: %w", err)
	}
	return tenancy.ActorOf(u), nil
}

// LoadHelp publishes the demo's help articles that are missing (by French title), written by
// the support agent. Desks loading the demo at the same time take turns on help_state's row, so
// that each article is written once.
func LoadHelp(ctx context.Context, db *bun.DB) error {
	ins, err := HelpArticles()
	if err != nil {
		return err
	}
	actor, err := author(ctx, db)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := help.TakeTurn(ctx, tx); err != nil {
			return err
		}
		var have []string
		if err := tx.NewSelect().Model((*help.Article)(nil)).Column("title_fr").Scan(ctx, &have); err != nil {
			return fmt.Errorf("demo: read the help articles: %w", err)
		}
		var as []*help.Article
		for _, in := range ins {
			if err := in.Validate(); err != nil {
				return fmt.Errorf("demo: help article %q: %w", in.TitleFR, err)
			}
			if slices.Contains(have, in.TitleFR) {
				continue
			}
			as = append(as, &help.Article{Category: in.Category, Visibility: in.Visibility, State: in.State, TitleFR: in.TitleFR,
				BodyFR: in.BodyFR, TitleEN: in.TitleEN, BodyEN: in.BodyEN, AuthorID: actor.UserID, EditorID: actor.UserID,
				CreatedAt: now, UpdatedAt: now, PublishedAt: &now, Version: 1})
		}
		return help.InsertArticles(ctx, tx, as)
	})
}

// GenerateHelp adds n published articles made of the demo articles' sentences and words, in
// both languages, for measuring the help center's search at scale. They are written directly,
// a thousand to a transaction, numbered as the service numbers its writes.
func GenerateHelp(ctx context.Context, db *bun.DB, n int, now time.Time, progress func(done int)) error {
	ins, err := HelpArticles()
	if err != nil {
		return err
	}
	actor, err := author(ctx, db)
	if err != nil {
		return err
	}
	var sentences, words [2][]string
	for _, in := range ins {
		for l, body := range []string{in.BodyFR, in.BodyEN} {
			for _, s := range strings.FieldsFunc(help.Plain(body), func(r rune) bool { return r == '.' || r == '\n' }) {
				if s = strings.TrimSpace(s); len(s) > 20 {
					sentences[l] = append(sentences[l], s+".")
					words[l] = append(words[l], strings.Fields(s)...)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(uint64(n), 14))
	title := func(l int) string {
		var b strings.Builder
		for i := range 4 + rng.IntN(6) {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strings.Trim(words[l][rng.IntN(len(words[l]))], "«»:;,?!()\"“”"))
		}
		return b.String()
	}
	body := func(l int) string {
		var b strings.Builder
		for p := range 2 + rng.IntN(4) {
			if p > 0 {
				b.WriteString("\n\n")
			}
			for range 2 + rng.IntN(4) {
				b.WriteString(sentences[l][rng.IntN(len(sentences[l]))])
				b.WriteByte(' ')
			}
		}
		return strings.TrimSpace(b.String())
	}
	const batch = 1000
	for done := 0; done < n; {
		size := min(batch, n-done)
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			as := make([]*help.Article, size)
			for i := range as {
				cat := help.Categories[rng.IntN(len(help.Categories))]
				vis := []help.Visibility{help.Public, help.Customers, help.Customers, help.Staff}[rng.IntN(4)]
				t := now.Add(-time.Duration(rng.IntN(365*24)) * time.Hour).UTC()
				as[i] = &help.Article{Category: cat, Visibility: vis, State: help.Published, TitleFR: title(0), BodyFR: body(0),
					TitleEN: title(1), BodyEN: body(1), AuthorID: actor.UserID, EditorID: actor.UserID, CreatedAt: t, UpdatedAt: t,
					PublishedAt: &t, Version: 1}
			}
			return help.InsertArticles(ctx, tx, as)
		})
		if err != nil {
			return fmt.Errorf("demo: generate help articles: %w", err)
		}
		done += size
		progress(done)
	}
	return nil
}
