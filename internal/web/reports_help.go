package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/chart"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/report"
)

// The dashboard's help center section: the views, votes and deflections of the period's help
// articles, for the tenants the dashboard counts (the level and service filters do not apply to
// articles).

// helpTop is how many articles the help section's chart draws; its table lists them all.
const helpTop = 10

// periodSpan is the period's instants: from the start of its first Paris day to the start of
// the day after its last.
func periodSpan(p report.Period) (time.Time, time.Time) {
	start := func(d calendar.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, calendar.Paris) }
	return start(p.From), start(p.To.AddDays(1))
}

// helpFigures are the help center's figures of dashboard d.
func (w reportWriter) helpFigures(c *fiber.Ctx, d *report.Dashboard) (*help.Figures, error) {
	from, to := periodSpan(d.Query.Period)
	return w.h.Help.PeriodFigures(c.UserContext(), actorOf(c), w.lang, from, to, d.TenantIDs())
}

// helpGrid is the help section's table: an article a row, linked to its page on the page.
func (w reportWriter) helpGrid(f *help.Figures, links bool) grid {
	g := grid{Head: []string{w.t("help.field.title"), w.t("help.staff.views"), w.t("help.report.helpful"),
		w.t("help.report.unhelpful"), w.t("help.staff.deflections")}}
	for _, a := range f.Articles {
		title := text(a.Title)
		if links {
			title = link(a.Title, "/help/articles/"+itoa(a.ID))
		}
		g.Rows = append(g.Rows, []cell{title, count(a.Views), count(a.Helpful), count(a.Unhelpful), count(a.Deflections)})
	}
	return g
}

// helpSection is the help section with its chart: the most useful articles' deflections and
// helpful votes.
func (w reportWriter) helpSection(f *help.Figures, period, csv string) (reportSection, error) {
	c := &chart.Chart{Kind: chart.HBar, Desc: w.t("help.report.desc", "Period", period, "Top", helpTop)}
	defl := chart.Series{Name: w.t("help.staff.deflections")}
	yes := chart.Series{Name: w.t("help.report.helpful")}
	for i, a := range f.Articles {
		if i == helpTop {
			break
		}
		c.Labels = append(c.Labels, a.Title)
		defl.Values = append(defl.Values, float64(a.Deflections))
		yes.Values = append(yes.Values, float64(a.Helpful))
	}
	c.Series = []chart.Series{defl, yes}
	s, err := w.section("help", "help.report.title", c, w.helpGrid(f, true), csv)
	if err != nil {
		return s, err
	}
	s.Intro = w.t("help.report.intro", "Period", period, "Views", f.Views, "Helpful", f.Helpful, "Unhelpful", f.Unhelpful,
		"Deflections", f.Deflections)
	return s, nil
}
