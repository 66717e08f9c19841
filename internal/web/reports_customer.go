package web

import (
	"cmp"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/chart"
	"github.com/guichet/guichet/internal/report"
)

// customerReportForm is the customer report's form fields.
var customerReportForm = []string{"tenant", "from", "to"}

// customerQuery reads the customer report's query from the URL, and the form as typed.
func (h *handler) customerQuery(c *fiber.Ctx) (report.CustomerQuery, map[string]string, error) {
	form := make(map[string]string, len(customerReportForm))
	for _, n := range customerReportForm {
		form[n] = strings.TrimSpace(c.Query(n))
	}
	form["tenant"] = strings.ToUpper(form["tenant"])
	ms, err := report.ParseMonths(form["from"], form["to"], h.Reports.Today())
	if err == nil {
		form["from"], form["to"] = ms.From.String(), ms.To.String()
	}
	return report.CustomerQuery{Tenant: form["tenant"], Months: ms}, form, err
}

func customerQueryString(q report.CustomerQuery) string {
	v := url.Values{}
	if q.Tenant != "" {
		v.Set("tenant", q.Tenant)
	}
	v.Set("from", q.Months.From.String())
	v.Set("to", q.Months.To.String())
	return v.Encode()
}

// showCustomerReport is a customer's report: a tenant's, or their tenants' together.
func (h *handler) showCustomerReport(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "report.customer.title")
	if err != nil {
		return err
	}
	tenants, err := h.Reports.ReportTenants(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	q, form, qerr := h.customerQuery(c)
	p.Form = form
	p.V["TenantChoices"] = tenants
	if qerr != nil {
		if len(tenants) == 0 {
			return apperr.ErrForbidden
		}
		h.fieldErrors(p, qerr)
		return h.renderStatus(c, fiber.StatusUnprocessableEntity, "customer/report", p)
	}
	r, err := h.Reports.Customer(c.UserContext(), actorOf(c), q)
	if err != nil {
		return err
	}
	w := reportWriter{h: h, lang: p.Lang}
	secs, err := w.customer(r, customerQueryString(q))
	if err != nil {
		return err
	}
	p.V["Sections"], p.V["AsOf"], p.V["Report"] = secs, r.AsOf, r
	p.V["OpenIncidents"], p.V["OpenChanges"] = w.count(r.OpenIncidents), w.count(r.OpenChanges)
	p.V["PeriodText"] = w.periodText(q.Months.Period(h.Reports.Today()))
	return h.show(c, "customer/report", p)
}

// customerGrid is the report's table: a row per month.
func (w reportWriter) customerGrid(r *report.CustomerReport) grid {
	g := grid{Head: []string{w.t("report.month"), w.t("report.customer.declared"), w.t("report.sla.fr_percent"),
		w.t("report.sla.res_percent"), w.t("report.customer.mean_fr"), w.t("report.customer.mean_ttr"), w.t("report.customer.changes")}}
	for i, m := range r.Months {
		changes := 0
		if i < len(r.Changes) {
			changes = r.Changes[i]
		}
		g.Rows = append(g.Rows, []cell{text(w.monthLabel(m.Month)), count(m.Declared), share(m.FRMet, m.FRBreached),
			share(m.ResMet, m.ResBreached), mean(m.FirstResponse), mean(m.Resolved), count(changes)})
	}
	return g
}

// customer is the report's sections: volumes by month, then the SLA met by month.
func (w reportWriter) customer(r *report.CustomerReport, query string) ([]reportSection, error) {
	g := w.customerGrid(r)
	period := w.periodText(r.Query.Months.Period(w.h.Reports.Today()))
	volume := &chart.Chart{Kind: chart.Bar, Desc: w.t("report.customer.volume_desc", "Period", period)}
	declared, changes := chart.Series{Name: w.t("report.customer.declared")}, chart.Series{Name: w.t("report.customer.changes")}
	slaChart := &chart.Chart{Kind: chart.Bar, Percent: true, Desc: w.t("report.customer.sla_desc", "Period", period)}
	fr, res := chart.Series{Name: w.t("sla.first_response")}, chart.Series{Name: w.t("sla.resolution")}
	for i, m := range r.Months {
		label := w.monthLabel(m.Month)
		volume.Labels = append(volume.Labels, label)
		slaChart.Labels = append(slaChart.Labels, label)
		declared.Values = append(declared.Values, float64(m.Declared))
		n := 0
		if i < len(r.Changes) {
			n = r.Changes[i]
		}
		changes.Values = append(changes.Values, float64(n))
		a, _ := report.Percent(m.FRMet, m.FRBreached)
		b, _ := report.Percent(m.ResMet, m.ResBreached)
		fr.Values, res.Values = append(fr.Values, a), append(res.Values, b)
	}
	volume.Series, slaChart.Series = []chart.Series{declared, changes}, []chart.Series{fr, res}
	csv := "/reports/export.csv?" + query
	var out []reportSection
	s, err := w.section("volume", "report.customer.volume_title", volume, g, csv)
	if err != nil {
		return nil, err
	}
	s.Intro = volume.Desc
	out = append(out, s)
	s, err = w.section("sla", "report.customer.sla_title", slaChart, g, csv)
	if err != nil {
		return nil, err
	}
	s.Intro = w.t("report.customer.sla_intro")
	if len(s.Figures) > 0 {
		s.Figures[0].Caption = ""
	}
	out = append(out, s)
	return out, nil
}

// exportCustomerReport sends the customer report's table as CSV.
func (h *handler) exportCustomerReport(c *fiber.Ctx) error {
	// Who may read no report is told so first, whatever the months say (as the page does).
	if ts, err := h.Reports.ReportTenants(c.UserContext(), actorOf(c)); err != nil || len(ts) == 0 {
		return cmp.Or(err, apperr.ErrForbidden)
	}
	q, _, err := h.customerQuery(c)
	if err != nil {
		return err
	}
	r, err := h.Reports.Customer(c.UserContext(), actorOf(c), q)
	if err != nil {
		return err
	}
	lang := langOf(c)
	w := reportWriter{h: h, lang: lang}
	g := w.customerGrid(r)
	return h.sendExport(c, w.csv(g, w.t("report.csv.customer_name"), q.Tenant), 0)
}
