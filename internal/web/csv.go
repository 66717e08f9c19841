package web

import (
	"bytes"
	"encoding/csv"

	"github.com/gofiber/fiber/v2"
)

// sendCSV sends header and rows as a CSV download named name: UTF-8 with a byte-order mark, so
// that spreadsheet programs read the accents, fields separated by comma.
func sendCSV(c *fiber.Ctx, name string, comma rune, header []string, rows [][]string) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = comma
	w.Write(header)
	w.WriteAll(rows) // flushes
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
