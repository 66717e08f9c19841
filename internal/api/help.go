package api

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/help"
)

// HelpArticleSummary is a help article as lists give it: its title in the language it is shown
// in to the caller (theirs unless it is not written in it), with an excerpt.
type HelpArticleSummary struct {
	ID       int64  `json:"id" example:"12"`
	Category string `json:"category" enum:"general,access,account,administrative,cloud"`
	Lang     string `json:"lang" enum:"fr,en" doc:"The language of title and excerpt."`
	Title    string `json:"title"`
	Excerpt  string `json:"excerpt"`
	URL      string `json:"url" doc:"The article's page in the help center."`
}

// HelpArticle is a published help article in both languages: its Markdown and the sanitized
// HTML the help center shows. A language it is not written in has empty texts.
type HelpArticle struct {
	ID          int64      `json:"id" example:"12"`
	Category    string     `json:"category" enum:"general,access,account,administrative,cloud"`
	Visibility  string     `json:"visibility" enum:"public,customers,staff"`
	State       string     `json:"state" enum:"draft,published" doc:"Always published, but for agents and admins, who also read drafts."`
	Title       Texts      `json:"title"`
	Markdown    Texts      `json:"markdown"`
	HTML        Texts      `json:"html" doc:"The Markdown rendered and sanitized, as the help center shows it."`
	URL         string     `json:"url"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

type helpListInput struct {
	Q        string `query:"q" maxLength:"200" doc:"Words to search for: whole words, in any case, with or without accents; the best matches first, in lang first."`
	Category string `query:"category" enum:"general,access,account,administrative,cloud" doc:"Only this category's articles, by title."`
	Lang     string `query:"lang" enum:"fr,en" doc:"The reader's language; the token's user's when absent."`
	Limit    int    `query:"limit" minimum:"1" maximum:"100" default:"50"`
}

type helpListOutput struct {
	Body struct {
		Items []HelpArticleSummary `json:"items"`
	}
}

type helpSuggestInput struct {
	Text string `query:"text" required:"true" maxLength:"200" doc:"What the customer is typing: an incident's title, a change item's name."`
	Lang string `query:"lang" enum:"fr,en" doc:"The reader's language; the token's user's when absent."`
}

// HelpArticleRef names a help article.
type HelpArticleRef struct {
	ID int64 `path:"id" minimum:"1" example:"12"`
}

type helpArticleOutput struct {
	Body HelpArticle
}

func init() { registrars = append(registrars, (*server).registerHelp) }

func (s *server) registerHelp(api huma.API) {
	huma.Register(api, op(http.MethodGet, "/help/articles", "list-help-articles", "Help center",
		"The published help articles the caller may read: those matching q (best first), those of a category, or all, by title"),
		s.listHelp)
	huma.Register(api, op(http.MethodGet, "/help/suggestions", "suggest-help-articles", "Help center",
		"The help articles that best answer what a customer is typing, at most 5, as the declaration form suggests them"),
		s.suggestHelp)
	huma.Register(api, op(http.MethodGet, "/help/articles/{id}", "get-help-article", "Help center",
		"A help article in both languages (one the caller may read)"),
		s.getHelp)
}

// readerLang is the language asked for, else the caller's.
func readerLang(ctx context.Context, lang string) string {
	if lang == "fr" || lang == "en" {
		return lang
	}
	if l := callerOf(ctx).Lang; l == "en" {
		return l
	}
	return "fr"
}

func (s *server) helpURL(id int64) string {
	return s.Config.BaseURL + "/help/articles/" + strconv.FormatInt(id, 10)
}

func (s *server) summaries(hits []help.Hit, limit int) []HelpArticleSummary {
	out := make([]HelpArticleSummary, 0, min(len(hits), limit))
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		out = append(out, HelpArticleSummary{ID: h.ID, Category: string(h.Category), Lang: h.Lang, Title: h.Title,
			Excerpt: h.Excerpt, URL: s.helpURL(h.ID)})
	}
	return out
}

func (s *server) listHelp(ctx context.Context, in *helpListInput) (*helpListOutput, error) {
	actor, lang := actorOf(ctx), readerLang(ctx, in.Lang)
	limit := in.Limit
	if limit <= 0 {
		limit = 50
	}
	var hits []help.Hit
	var err error
	switch {
	case in.Q != "":
		// With a category, the best matches of that category: rank every match, keep the category's.
		n := limit
		if in.Category != "" {
			n = math.MaxInt32
		}
		hits, err = s.Help.Search(ctx, actor, lang, in.Q, n)
		if err == nil && in.Category != "" {
			kept := hits[:0]
			for _, h := range hits {
				if string(h.Category) == in.Category {
					kept = append(kept, h)
				}
			}
			hits = kept
		}
	case in.Category != "":
		hits, err = s.Help.Category(ctx, actor, lang, help.Category(in.Category))
	default:
		hits, err = s.Help.List(ctx, actor, lang)
	}
	if err != nil {
		return nil, err
	}
	out := &helpListOutput{}
	out.Body.Items = s.summaries(hits, limit)
	return out, nil
}

func (s *server) suggestHelp(ctx context.Context, in *helpSuggestInput) (*helpListOutput, error) {
	hits, err := s.Help.Suggest(ctx, actorOf(ctx), readerLang(ctx, in.Lang), in.Text)
	if err != nil {
		return nil, err
	}
	out := &helpListOutput{}
	out.Body.Items = s.summaries(hits, help.SuggestLimit)
	return out, nil
}

func (s *server) getHelp(ctx context.Context, in *HelpArticleRef) (*helpArticleOutput, error) {
	a, err := s.Help.Get(ctx, actorOf(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &helpArticleOutput{Body: HelpArticle{ID: a.ID, Category: string(a.Category), Visibility: string(a.Visibility),
		State: string(a.State), Title: Texts{FR: a.TitleFR, EN: a.TitleEN}, Markdown: Texts{FR: a.BodyFR, EN: a.BodyEN},
		HTML: Texts{FR: string(help.Render(a.BodyFR, "")), EN: string(help.Render(a.BodyEN, ""))}, URL: s.helpURL(a.ID),
		UpdatedAt: a.UpdatedAt.UTC(), PublishedAt: utcPtr(a.PublishedAt)}}, nil
}
