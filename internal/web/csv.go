package web

import (
	"bytes"
	"encoding/csv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/identity"
)

// csvExport is one spreadsheet download, written by sendCSV: every export of the desk goes
// through it, so that every one has the same separator rule, the same neutralized cells and a
// file name in the reader's language. Lists, dashboards and reports are sent by sendExport,
// which records the export in the audit log first; the audit log's own export is recorded by its
// service (audit.exported), so it calls sendCSV directly.
type csvExport struct {
	Lang string
	// Name is the file's word in the reader's language ("incidents", "demandes-de-changement"),
	// followed by Parts (a tenant code) and the day of the export in Paris.
	Name   string
	Parts  []string
	Header []string
	Rows   [][]string
}

// csvSeparator is the list separator of the reader's Excel: a semicolon in French (where the
// comma is the decimal separator: "fr", "fr-FR", "fr-CA"…), a comma in English and otherwise.
func csvSeparator(lang string) rune {
	if l := strings.ToLower(lang); l == "fr" || strings.HasPrefix(l, "fr-") || strings.HasPrefix(l, "fr_") {
		return ';'
	}
	return ','
}

// csvCell neutralizes a cell that a spreadsheet would read as a formula, as OWASP recommends
// (CSV Injection): a cell beginning with =, +, -, @, a tab or a carriage return gets a single
// quote before it, which spreadsheets read as "text" and do not show. Separators and quotes
// inside a cell are quoted by encoding/csv (RFC 4180), so no cell can start a new one.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvFileName is name, its parts and the day, joined by dashes: incidents-OCB0000001-2026-11-30.csv.
func csvFileName(name string, parts []string, now time.Time) string {
	words := append([]string{name}, parts...)
	words = append(words, now.In(calendar.Paris).Format("2006-01-02"))
	return strings.Join(words, "-") + ".csv"
}

// encodeCSV writes the export as CSV that Excel opens as is: UTF-8 with a byte-order mark (so
// that it reads the accents), the reader's separator, every cell neutralized, header included.
func encodeCSV(e csvExport) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = csvSeparator(e.Lang)
	w.UseCRLF = true // RFC 4180
	for _, row := range append([][]string{e.Header}, e.Rows...) {
		cells := make([]string, len(row))
		for i, s := range row {
			cells[i] = csvCell(s)
		}
		if err := w.Write(cells); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// sendExport records in the audit log that the reader exported this file (tenantID: the
// customer's tenant it is about, 0 otherwise), then sends it (sendCSV). A file that cannot be
// recorded is not sent.
func (h *handler) sendExport(c *fiber.Ctx, e csvExport, tenantID int64) error {
	query := string(c.Request().URI().QueryString()) // a copy: fasthttp reuses the request
	if actorOf(c).Kind != identity.Customer {
		tenantID = 0 // staff's exports are not the tenant's journal's business
	}
	if err := h.Audit.RecordExport(c.UserContext(), actorOf(c).Actor, tenantID, strings.Clone(c.Path()), len(e.Rows), query); err != nil {
		return err
	}
	return sendCSV(c, e)
}

// sendCSV sends the export as a download that is never cached.
func sendCSV(c *fiber.Ctx, e csvExport) error {
	body, err := encodeCSV(e)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, attachmentDisposition(csvFileName(e.Name, e.Parts, time.Now())))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}
