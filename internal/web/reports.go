package web

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/chart"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/sla"
)

// The dashboards and reports: each figure is a section with a chart drawn on the server (SVG),
// the same numbers as a table under a disclosure, and a CSV of that table.

// cellKind says how a table cell is written: on the page for people, in the CSV for a
// spreadsheet (a duration in hours, a share as a number).
type cellKind int

const (
	textCell cellKind = iota
	countCell
	percentCell
	durationCell
)

// cell is one value of a report table.
type cell struct {
	Kind cellKind
	Text string  // textCell
	Href string  // a link, for textCell
	N    float64 // countCell, percentCell; seconds for durationCell
	None bool    // no value: no target counted, nothing resolved
	User bool    // what a person typed (an incident's title), in its own language
}

func text(s string) cell       { return cell{Kind: textCell, Text: s} }
func count(n int) cell         { return cell{Kind: countCell, N: float64(n)} }
func link(s, href string) cell { return cell{Kind: textCell, Text: s, Href: href} }
func mean(d report.Duration) cell {
	return cell{Kind: durationCell, N: d.Mean.Seconds(), None: d.N == 0}
}
func median(d report.Duration) cell {
	return cell{Kind: durationCell, N: d.Median.Seconds(), None: d.N == 0}
}
func share(met, breached int) cell {
	p, ok := report.Percent(met, breached)
	return cell{Kind: percentCell, N: p, None: !ok}
}
func shareOf(n, total int) cell {
	return cell{Kind: percentCell, N: 100 * float64(n) / math.Max(1, float64(total)), None: total == 0}
}

// grid is a report table: its header and its rows.
type grid struct {
	Head []string
	Rows [][]cell
}

// shown is a cell written for the page.
type shown struct {
	Text, Href string
	Num, User  bool
}

// reportSection is one figure of a dashboard or report.
type reportSection struct {
	ID    string
	Title string // translated
	Intro string // translated, may be empty
	// Figures are the section's charts: one, or one per measure with its caption.
	Figures []reportFigure
	Head    []string
	Rows    [][]shown
	Empty   bool
	CSV     string
	Caption string
}

// reportFigure is one chart, with a caption when its section has several.
type reportFigure struct {
	Caption string
	SVG     template.HTML
}

// reportWriter writes figures in the reader's language.
type reportWriter struct {
	h    *handler
	lang string
}

func (w reportWriter) t(key string, pairs ...any) string {
	return w.h.Bundle.T(w.lang, key, i18n.Pairs(pairs...))
}

// number writes n with the reader's decimal separator and digits after it.
func (w reportWriter) number(n float64, digits int) string {
	s := strconv.FormatFloat(n, 'f', digits, 64)
	if w.lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// span writes a duration as people read it (report.SpanOf).
func (w reportWriter) span(d time.Duration) string {
	sp := report.SpanOf(d)
	return w.t(sp.Key, "D", sp.D, "H", sp.H, "M", sp.M)
}

// show writes a cell for the page.
func (w reportWriter) show(c cell) shown {
	if c.None {
		return shown{Text: "—"}
	}
	switch c.Kind {
	case countCell:
		return shown{Text: w.count(int(c.N)), Num: true}
	case percentCell:
		return shown{Text: w.t("report.percent", "N", w.number(c.N, 1)), Num: true}
	case durationCell:
		return shown{Text: w.span(time.Duration(c.N) * time.Second), Num: true}
	}
	return shown{Text: c.Text, Href: c.Href, User: c.User}
}

// count writes a whole number with the reader's thousands separator.
func (w reportWriter) count(n int) string {
	s := strconv.Itoa(n)
	sep := ","
	if w.lang == "fr" {
		sep = "\u202f" // a narrow no-break space, as French typography groups digits
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// csvValue writes a cell for a spreadsheet: numbers without grouping, durations in hours.
func (w reportWriter) csvValue(c cell) string {
	if c.None {
		return ""
	}
	switch c.Kind {
	case countCell:
		return strconv.Itoa(int(c.N))
	case percentCell:
		return w.number(c.N, 1)
	case durationCell:
		return w.number(c.N/3600, 2)
	}
	return c.Text
}

// csvHead writes a column's name for a spreadsheet: a duration's unit is said.
func (w reportWriter) csvHead(g grid) []string {
	out := make([]string, len(g.Head))
	for i, h := range g.Head {
		out[i] = h
		if len(g.Rows) > 0 && i < len(g.Rows[0]) && g.Rows[0][i].Kind == durationCell {
			out[i] = w.t("report.csv.hours", "Column", h)
		}
	}
	return out
}

// section turns a grid and its chart into a section of the page.
func (w reportWriter) section(id, titleKey string, c *chart.Chart, g grid, csv string) (reportSection, error) {
	s := reportSection{ID: id, Title: w.t(titleKey), Head: g.Head, CSV: csv, Empty: len(g.Rows) == 0}
	s.Caption = s.Title
	for _, r := range g.Rows {
		row := make([]shown, len(r))
		for i, x := range r {
			row[i] = w.show(x)
		}
		s.Rows = append(s.Rows, row)
	}
	if c != nil && !s.Empty {
		c.ID, c.Title, c.Lang = "chart-"+id, s.Title, w.lang
		svg, err := chart.SVG(*c)
		if err != nil {
			return s, fmt.Errorf("report chart %s: %w", id, err)
		}
		s.Figures = []reportFigure{{SVG: svg}}
	}
	return s, nil
}

// Names of what reports count, for the reader.
func (w reportWriter) levelName(l sla.Level) string { return w.t(contract.Level(l).Key()) }
func (w reportWriter) serviceName(code string) string {
	return w.t(cloud.Service{Code: code}.Key())
}
func (w reportWriter) regionName(code string) string { return w.t(majorRegionKey(code)) }

// dayLabel is a short day for an axis: 3 nov. / Nov 3.
func (w reportWriter) dayLabel(d calendar.Date) string {
	return w.t("report.day_short", "Day", d.Day, "Month", w.t(fmt.Sprintf("report.month_short.%d", int(d.Month))))
}

// monthLabel is a month for an axis and a table: nov. 2026 / Nov 2026.
func (w reportWriter) monthLabel(m report.Month) string {
	d := m.Date()
	return w.t("report.month_label", "Year", d.Year, "Month", w.t(fmt.Sprintf("report.month_short.%d", int(d.Month))))
}

// periodText is the period in words: du 1 novembre 2026 au 30 novembre 2026.
func (w reportWriter) periodText(p report.Period) string {
	return w.t("report.period_text", "From", w.h.Bundle.FormatDate(w.lang, p.From), "To", w.h.Bundle.FormatDate(w.lang, p.To))
}

// staffReportForm is the dashboard's form fields.
var staffReportForm = []string{"period", "from", "to", "tenant", "level", "service"}

// staffQuery reads the dashboard's query from the URL, and the form as typed.
func (h *handler) staffQuery(c *fiber.Ctx) (report.Query, map[string]string, error) {
	form := make(map[string]string, len(staffReportForm))
	for _, n := range staffReportForm {
		form[n] = strings.TrimSpace(c.Query(n))
	}
	var es i18n.Errors
	p, err := report.ParsePeriod(form["period"], form["from"], form["to"], h.Reports.Today())
	if err != nil {
		ves, _ := asValidation(err)
		es = append(es, ves...)
	}
	if form["period"] == "" {
		form["period"] = report.Period30Days
	}
	if p.Kind != report.PeriodCustom && err == nil {
		form["from"], form["to"] = p.From.String(), p.To.String()
	}
	form["tenant"] = strings.ToUpper(form["tenant"])
	q := report.Query{Period: p, Tenant: form["tenant"], Level: form["level"], Service: form["service"]}
	if err := q.Check(); err != nil {
		ves, _ := asValidation(err)
		es = append(es, ves...)
	}
	return q, form, es.Err()
}

// staffQueryString is the dashboard's query, for the CSV links.
func staffQueryString(q report.Query) string {
	v := url.Values{}
	v.Set("period", q.Period.Kind)
	if q.Period.Kind == report.PeriodCustom {
		v.Set("from", q.Period.From.String())
		v.Set("to", q.Period.To.String())
	}
	for k, x := range map[string]string{"tenant": q.Tenant, "level": q.Level, "service": q.Service} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

// showDashboard is the staff dashboard: agents and admins see every tenant, a sales rep the
// tenants they are the rep of.
func (h *handler) showDashboard(c *fiber.Ctx) error {
	p := h.page(c, "report.dashboard.title")
	q, form, err := h.staffQuery(c)
	p.Form = form
	ts, _, terr := h.Reports.StaffTenants(c.UserContext(), actorOf(c))
	if terr != nil {
		return terr
	}
	p.V["TenantChoices"] = ts
	reportChoices(p)
	if err != nil {
		h.fieldErrors(p, err)
		return h.renderStatus(c, fiber.StatusUnprocessableEntity, "staff/dashboard", p)
	}
	d, err := h.Reports.Dashboard(c.UserContext(), actorOf(c), q)
	if err != nil {
		return err
	}
	w := reportWriter{h: h, lang: p.Lang}
	secs, err := w.dashboard(d, staffQueryString(q))
	if err != nil {
		return err
	}
	hf, err := w.helpFigures(c, d)
	if err != nil {
		return err
	}
	hs, err := w.helpSection(hf, w.periodText(q.Period), "/staff/reports/export.csv?section=help&"+staffQueryString(q))
	if err != nil {
		return err
	}
	secs = append(secs, hs)
	p.V["Sections"], p.V["AsOf"], p.V["PeriodText"] = secs, d.AsOf, w.periodText(q.Period)
	p.V["Weekly"] = d.Incidents.Weekly
	return h.show(c, "staff/dashboard", p)
}

// reportChoices puts on p the levels and services the filters offer.
func reportChoices(p *page) {
	var levels, services []majorChoice
	for _, l := range report.Levels {
		levels = append(levels, majorChoice{Code: string(l), Key: contract.Level(l).Key(), Checked: p.Form["level"] == string(l)})
	}
	for _, s := range cloud.Services() {
		services = append(services, majorChoice{Code: s.Code, Key: s.Key(), Checked: p.Form["service"] == s.Code})
	}
	p.V["LevelChoices"], p.V["ServiceChoices"], p.V["PeriodChoices"] = levels, services, report.PeriodKinds
}

// dashboardGrids are the dashboard's tables, by section, in the page's order. Breaches link to
// their incidents (links) and give their titles for a reader of incidents only (the service
// reads no title for a sales rep).
func (w reportWriter) dashboardGrids(d *report.Dashboard, links bool) map[string]grid {
	readsIncidents := d.Titles != nil
	links = links && readsIncidents
	in := d.Incidents
	out := map[string]grid{}
	// Backlog: priorities by state.
	g := grid{Head: []string{w.t("incident.field.priority")}}
	for _, st := range report.OpenStatuses {
		g.Head = append(g.Head, w.t(incident.StatusKeyFor(st, true)))
	}
	g.Head = append(g.Head, w.t("report.total"))
	backlog := 0
	for i, pr := range report.Priorities {
		row := []cell{text(string(pr))}
		n := 0
		for j := range report.OpenStatuses {
			row = append(row, count(in.Backlog[i][j]))
			n += in.Backlog[i][j]
		}
		backlog += n
		g.Rows = append(g.Rows, append(row, count(n)))
	}
	if backlog == 0 {
		g.Rows = nil
	}
	out["backlog"] = g
	// Created and resolved, by day or week.
	g = grid{Head: []string{w.t("report.flow.day"), w.t("report.flow.created"), w.t("report.flow.resolved")}}
	if in.Weekly {
		g.Head[0] = w.t("report.flow.week")
	}
	for _, pt := range in.Series {
		g.Rows = append(g.Rows, []cell{text(w.h.Bundle.FormatDate(w.lang, pt.From.Date())), count(pt.Created), count(pt.Resolved)})
	}
	if in.Created+in.Resolved == 0 {
		g.Rows = nil
	}
	out["flow"] = g
	// SLA met, by month and level.
	g = grid{Head: []string{w.t("report.month"), w.t("report.level"), w.t("report.sla.fr_met"), w.t("report.sla.fr_breached"),
		w.t("report.sla.fr_percent"), w.t("report.sla.res_met"), w.t("report.sla.res_breached"), w.t("report.sla.res_percent")}}
	for _, m := range in.SLA {
		g.Rows = append(g.Rows, []cell{text(w.monthLabel(m.Month)), text(w.levelName(m.Level)), count(m.FRMet), count(m.FRBreached),
			share(m.FRMet, m.FRBreached), count(m.ResMet), count(m.ResBreached), share(m.ResMet, m.ResBreached)})
	}
	out["sla"] = g
	// Breaches, the newest first.
	g = grid{Head: []string{w.t("incident.field.number"), w.t("report.tenant"), w.t("report.level"),
		w.t("incident.field.priority"), w.t("report.breach.target"), w.t("report.breach.at")}}
	if readsIncidents {
		g.Head = slices.Insert(g.Head, 2, w.t("incident.field.title"))
	}
	for _, b := range in.Breaches {
		number := incident.Number(b.IncidentID)
		num := text(number)
		if links {
			num = link(number, "/staff/incidents/"+number)
		}
		target := w.t("sla.first_response")
		if b.Target == report.Resolution {
			target = w.t("sla.resolution")
		}
		row := []cell{num, text(d.Codes[b.TenantID]), text(w.levelName(b.Level)),
			text(string(b.Priority)), text(target), text(w.h.Bundle.FormatDateTime(w.lang, b.Due))}
		if readsIncidents {
			title := text(d.Titles[b.IncidentID])
			title.User = true
			row = slices.Insert(row, 2, title)
		}
		g.Rows = append(g.Rows, row)
	}
	out["breaches"] = g
	// Time to resolve, by priority.
	g = grid{Head: []string{w.t("incident.field.priority"), w.t("report.ttr.resolved"), w.t("report.ttr.mean"), w.t("report.ttr.median")}}
	for i, pr := range report.Priorities {
		g.Rows = append(g.Rows, []cell{text(string(pr)), count(in.TTR[i].N), mean(in.TTR[i]), median(in.TTR[i])})
	}
	g.Rows = append(g.Rows, []cell{text(w.t("report.all_priorities")), count(in.Resolve.N), mean(in.Resolve), median(in.Resolve)})
	if in.Resolve.N == 0 {
		g.Rows = nil
	}
	out["ttr"] = g
	g = grid{Head: []string{w.t("report.fr.measure"), w.t("report.fr.answered"), w.t("report.ttr.mean"), w.t("report.ttr.median")}}
	if in.FirstResponse.N > 0 {
		g.Rows = [][]cell{{text(w.t("report.fr.all")), count(in.FirstResponse.N), mean(in.FirstResponse), median(in.FirstResponse)}}
	}
	out["first_response"] = g
	// Volumes.
	vol := func(head string, cs []report.Count, name func(report.Count) cell) grid {
		g := grid{Head: []string{head, w.t("report.volume.incidents"), w.t("report.volume.share")}}
		for _, c := range cs {
			g.Rows = append(g.Rows, []cell{name(c), count(c.N), shareOf(c.N, in.Created)})
		}
		return g
	}
	out["service"] = vol(w.t("incident.field.service"), in.ByService, func(c report.Count) cell { return text(w.serviceName(c.Key)) })
	out["region"] = vol(w.t("incident.field.region"), in.ByRegion, func(c report.Count) cell { return text(w.regionName(c.Key)) })
	out["tenant"] = vol(w.t("report.tenant"), in.ByTenant, func(c report.Count) cell { return text(d.Codes[c.TenantID]) })
	// Change requests, by state.
	g = grid{Head: []string{w.t("report.changes.state"), w.t("report.changes.requests")}}
	for _, c := range d.Changes.ByState {
		g.Rows = append(g.Rows, []cell{text(w.t(change.State(c.Key).Key())), count(c.N)})
	}
	out["changes"] = g
	g = grid{Head: []string{w.t("report.fr.measure"), w.t("report.changes.approved"), w.t("report.ttr.mean"), w.t("report.ttr.median")}}
	if d.Changes.Approval.N > 0 {
		g.Rows = [][]cell{{text(w.t("report.changes.approval")), count(d.Changes.Approval.N), mean(d.Changes.Approval), median(d.Changes.Approval)}}
	}
	out["approval"] = g
	// Sales desk requests, by kind.
	g = grid{Head: []string{w.t("report.sales.kind"), w.t("contract.state.pending"), w.t("contract.state.accepted"),
		w.t("contract.state.rejected"), w.t("report.total")}}
	for _, k := range d.Sales.ByKind {
		g.Rows = append(g.Rows, []cell{text(w.t(k.Kind.Key())), count(k.Pending), count(k.Accepted), count(k.Rejected), count(k.N)})
	}
	out["sales"] = g
	g = grid{Head: []string{w.t("report.fr.measure"), w.t("report.sales.decided"), w.t("report.ttr.mean"), w.t("report.ttr.median")}}
	if d.Sales.Decision.N > 0 {
		g.Rows = [][]cell{{text(w.t("report.sales.decision")), count(d.Sales.Decision.N), mean(d.Sales.Decision), median(d.Sales.Decision)}}
	}
	out["decision"] = g
	return out
}

// dashboardSections are the dashboard's figures, in the page's order: each with its chart.
func (w reportWriter) dashboard(d *report.Dashboard, query string) ([]reportSection, error) {
	in := d.Incidents
	gs := w.dashboardGrids(d, true)
	period := w.periodText(d.Query.Period)
	csv := func(id string) string { return "/staff/reports/export.csv?section=" + id + "&" + query }
	var out []reportSection
	add := func(id, key string, c *chart.Chart, intro string) error {
		s, err := w.section(id, key, c, gs[id], csv(id))
		if err != nil {
			return err
		}
		s.Intro = intro
		if c != nil {
			c.Desc = intro
		}
		out = append(out, s)
		return nil
	}
	// Backlog: a stacked bar of priorities, a series per state.
	backlog := &chart.Chart{Kind: chart.StackedBar, Desc: w.t("report.backlog.desc")}
	for _, pr := range report.Priorities {
		backlog.Labels = append(backlog.Labels, string(pr))
	}
	for j, st := range report.OpenStatuses {
		s := chart.Series{Name: w.t(incident.StatusKeyFor(st, true))}
		for i := range report.Priorities {
			s.Values = append(s.Values, float64(in.Backlog[i][j]))
		}
		backlog.Series = append(backlog.Series, s)
	}
	flow := &chart.Chart{Kind: chart.Line, Desc: w.t("report.flow.desc", "Period", period)}
	created, resolved := chart.Series{Name: w.t("report.flow.created")}, chart.Series{Name: w.t("report.flow.resolved")}
	for _, pt := range in.Series {
		flow.Labels = append(flow.Labels, w.dayLabel(pt.From.Date()))
		created.Values = append(created.Values, float64(pt.Created))
		resolved.Values = append(resolved.Values, float64(pt.Resolved))
	}
	flow.Series = []chart.Series{created, resolved}
	// SLA: the share met by month, a bar per level, for each target.
	slaChart := func(res bool) *chart.Chart {
		key := "report.sla.fr_desc"
		if res {
			key = "report.sla.res_desc"
		}
		c := &chart.Chart{Kind: chart.Bar, Percent: true, Desc: w.t(key, "Period", period)}
		var months []report.Month
		seen := map[report.Month]bool{}
		levels := map[sla.Level]bool{}
		for _, m := range in.SLA {
			if !seen[m.Month] {
				seen[m.Month] = true
				months = append(months, m.Month)
			}
			if (!res && m.FRMet+m.FRBreached > 0) || (res && m.ResMet+m.ResBreached > 0) {
				levels[m.Level] = true
			}
		}
		for _, m := range months {
			c.Labels = append(c.Labels, w.monthLabel(m))
		}
		for _, l := range report.Levels {
			if !levels[l] {
				continue
			}
			s := chart.Series{Name: w.levelName(l), Values: make([]float64, len(months))}
			for _, m := range in.SLA {
				if m.Level != l {
					continue
				}
				for i, mm := range months {
					if mm == m.Month {
						if res {
							s.Values[i], _ = report.Percent(m.ResMet, m.ResBreached)
						} else {
							s.Values[i], _ = report.Percent(m.FRMet, m.FRBreached)
						}
					}
				}
			}
			c.Series = append(c.Series, s)
		}
		if len(c.Series) == 0 {
			return nil
		}
		return c
	}
	ttr := &chart.Chart{Kind: chart.Bar, Desc: w.t("report.ttr.desc", "Period", period)}
	mean, med := chart.Series{Name: w.t("report.ttr.mean_hours")}, chart.Series{Name: w.t("report.ttr.median_hours")}
	for i, pr := range report.Priorities {
		ttr.Labels = append(ttr.Labels, string(pr))
		mean.Values = append(mean.Values, in.TTR[i].Mean.Hours())
		med.Values = append(med.Values, in.TTR[i].Median.Hours())
	}
	ttr.Series = []chart.Series{mean, med}
	bars := func(kind chart.Kind, desc string, cs []report.Count, name func(report.Count) string, top int) *chart.Chart {
		c := &chart.Chart{Kind: kind, Desc: desc}
		s := chart.Series{Name: w.t("report.volume.incidents")}
		for i, x := range cs {
			if i == top {
				break
			}
			c.Labels = append(c.Labels, name(x))
			s.Values = append(s.Values, float64(x.N))
		}
		c.Series = []chart.Series{s}
		return c
	}
	changes := &chart.Chart{Kind: chart.Bar, Desc: w.t("report.changes.desc", "Period", period)}
	cs := chart.Series{Name: w.t("report.changes.requests")}
	for _, x := range d.Changes.ByState {
		changes.Labels = append(changes.Labels, w.t(change.State(x.Key).Key()))
		cs.Values = append(cs.Values, float64(x.N))
	}
	changes.Series = []chart.Series{cs}
	sales := &chart.Chart{Kind: chart.StackedBar, Desc: w.t("report.sales.desc", "Period", period)}
	pending, accepted, rejected := chart.Series{Name: w.t("contract.state.pending")}, chart.Series{Name: w.t("contract.state.accepted")},
		chart.Series{Name: w.t("contract.state.rejected")}
	for _, k := range d.Sales.ByKind {
		sales.Labels = append(sales.Labels, w.t(k.Kind.Key()))
		pending.Values = append(pending.Values, float64(k.Pending))
		accepted.Values = append(accepted.Values, float64(k.Accepted))
		rejected.Values = append(rejected.Values, float64(k.Rejected))
	}
	sales.Series = []chart.Series{pending, accepted, rejected}
	steps := []struct {
		id, key string
		chart   *chart.Chart
		intro   string
	}{
		{"backlog", "report.backlog.title", backlog, w.t("report.backlog.desc")},
		{"flow", "report.flow.title", flow, flow.Desc},
		{"sla", "report.sla.title", nil, w.t("report.sla.intro", "Period", period)},
		{"breaches", "report.breaches.title", nil, w.t("report.breaches.intro", "N", w.count(in.BreachCount), "Shown", report.MaxBreaches, "Period", period)},
		{"ttr", "report.ttr.title", ttr, ttr.Desc},
		{"first_response", "report.fr.title", nil, w.t("report.fr.intro", "Period", period)},
		{"service", "report.volume.service", bars(chart.HBar, w.t("report.volume.service_desc", "Period", period), in.ByService,
			func(c report.Count) string { return w.serviceName(c.Key) }, 0), w.t("report.volume.service_desc", "Period", period)},
		{"region", "report.volume.region", bars(chart.HBar, w.t("report.volume.region_desc", "Period", period), in.ByRegion,
			func(c report.Count) string { return w.regionName(c.Key) }, 0), w.t("report.volume.region_desc", "Period", period)},
		{"tenant", "report.volume.tenant", bars(chart.HBar, w.t("report.volume.tenant_desc", "Period", period, "Top", tenantTop), in.ByTenant,
			func(c report.Count) string { return d.Codes[c.TenantID] }, tenantTop), w.t("report.volume.tenant_desc", "Period", period, "Top", tenantTop)},
		{"changes", "report.changes.title", changes, changes.Desc},
		{"approval", "report.changes.approval_title", nil, ""},
		{"sales", "report.sales.title", sales, sales.Desc},
		{"decision", "report.sales.decision_title", nil, ""},
	}
	for _, st := range steps {
		if st.chart != nil && len(st.chart.Series) > 0 {
			st.chart.Desc = st.intro
		}
		if err := add(st.id, st.key, st.chart, st.intro); err != nil {
			return nil, err
		}
		if st.id == "sla" {
			// Two charts, one per target, over one table.
			s := &out[len(out)-1]
			for _, res := range []bool{false, true} {
				c := slaChart(res)
				if c == nil {
					continue
				}
				id, title := "chart-sla-fr", w.t("report.sla.fr_chart")
				if res {
					id, title = "chart-sla-res", w.t("report.sla.res_chart")
				}
				c.ID, c.Title, c.Lang = id, title, w.lang
				svg, err := chart.SVG(*c)
				if err != nil {
					return nil, err
				}
				s.Figures = append(s.Figures, reportFigure{Caption: title, SVG: svg})
			}
		}
	}
	return out, nil
}

// dashboardSections are the ids of the dashboard's sections, each with its CSV.
var dashboardSections = []string{"backlog", "flow", "sla", "breaches", "ttr", "first_response", "service", "region", "tenant",
	"changes", "approval", "sales", "decision", "help"}

// tenantTop is how many tenants the volume chart draws; its table lists them all.
const tenantTop = 15

// exportDashboard sends one section of the dashboard as CSV (every breach for "breaches").
func (h *handler) exportDashboard(c *fiber.Ctx) error {
	q, _, err := h.staffQuery(c)
	if err != nil {
		return err
	}
	section := c.Query("section")
	if !slices.Contains(dashboardSections, section) {
		return i18n.FieldError("section", "report.error.section")
	}
	lang := langOf(c)
	w := reportWriter{h: h, lang: lang}
	var d *report.Dashboard
	var g grid
	if section == "breaches" {
		if _, d, err = h.Reports.AllBreaches(c.UserContext(), actorOf(c), q); err != nil {
			return err
		}
	} else if d, err = h.Reports.Dashboard(c.UserContext(), actorOf(c), q); err != nil {
		return err
	}
	gs := w.dashboardGrids(d, false)
	if section == "help" {
		hf, err := w.helpFigures(c, d)
		if err != nil {
			return err
		}
		gs["help"] = w.helpGrid(hf, false)
	}
	g, ok := gs[section]
	if !ok {
		return i18n.FieldError("section", "report.error.section")
	}
	return h.sendExport(c, w.csv(g, w.t("report.csv.name")+"-"+section, q.Tenant), 0)
}

// csv is a report table as an export named name (and the tenant's code, when one is chosen).
func (w reportWriter) csv(g grid, name, tenant string) csvExport {
	e := csvExport{Lang: w.lang, Name: name, Header: w.csvHead(g)}
	if tenant != "" {
		e.Parts = []string{tenant}
	}
	for _, r := range g.Rows {
		row := make([]string, len(r))
		for i, x := range r {
			row[i] = w.csvValue(x)
		}
		e.Rows = append(e.Rows, row)
	}
	return e
}
