package web

import (
	"context"
	"io"
	"mime/multipart"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
)

// subjectReader says whether the current user may read a ticket of one kind: nil when they may,
// apperr.ErrNotFound when they may not (exactly as for a ticket that does not exist). Each
// capability registers its own in its route function, for attachment downloads.
type subjectReader func(c *fiber.Ctx, subjectID int64) error

// readable registers how to authorize reading the tickets of kind.
func (h *handler) readable(kind string, read subjectReader) {
	if h.readers == nil {
		h.readers = map[string]subjectReader{}
	}
	h.readers[kind] = read
}

// downloadAttachment serves an attachment to a reader of its ticket, always as a download and
// never sniffed: a file cannot run as a page of the desk. An internal note's file is for staff.
func (h *handler) downloadAttachment(c *fiber.Ctx) error {
	id, err := idParam(c, "attachment")
	if err != nil {
		return err
	}
	a, err := h.Files.Attachment(c.UserContext(), actorOf(c), id, func(_ context.Context, _ tenancy.Actor, s timeline.Subject) error {
		read, ok := h.readers[s.Kind]
		if !ok {
			return apperr.ErrNotFound
		}
		return read(c, s.ID)
	})
	if err != nil {
		return err
	}
	if a.PurgedAt != nil {
		return h.purgedAttachment(c, a)
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	// Cleaned again: files stored before names were cleaned at upload keep theirs in the database.
	c.Set(fiber.HeaderContentDisposition, attachmentDisposition(timeline.CleanName(a.Name)))
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentLength, strconv.FormatInt(a.Size, 10))
	return c.Send(a.Data)
}

// purgedAttachment tells a reader of the ticket that the file was deleted under the retention
// policy, and on which day (410 Gone): the file is known, and gone for good.
func (h *handler) purgedAttachment(c *fiber.Ctx, a *timeline.Attachment) error {
	p := h.page(c, "attachment.purged.title")
	p.V["Name"], p.V["On"] = timeline.CleanName(a.Name), a.PurgedOn()
	return h.renderStatus(c, fiber.StatusGone, "errors/purged", p)
}

// replyInput is what a reply box sends: its text, whether staff asked for an internal note, its
// files, and the text and visibility as typed, kept to show the page again after a refusal.
type replyInput struct {
	Body     string
	Internal bool
	Files    []timeline.Upload
	Form     map[string]string
}

// readReply reads a reply box, the same on every ticket's page. Only the staff side offers an
// internal note (staffSide). The files are checked: a refusal is beside "files", with the text
// read all the same.
func (h *handler) readReply(c *fiber.Ctx, staffSide bool) (replyInput, error) {
	in := replyInput{Body: c.FormValue("body"), Form: formOf(c, "body", "visibility")}
	in.Internal = staffSide && in.Form["visibility"] == "internal"
	var err error
	in.Files, err = h.uploads(c, "files")
	return in, err
}

// keep puts the reply's text and visibility back in the page's form.
func (in replyInput) keep(p *page) {
	for k, v := range in.Form {
		p.Form[k] = v
	}
}

// uploads reads and checks the files sent in field of a multipart form (none when the form is
// not multipart or no file was chosen). Each refusal is a message beside field.
func (h *handler) uploads(c *fiber.Ctx, field string) ([]timeline.Upload, error) {
	form, err := c.MultipartForm()
	if err != nil || form == nil {
		return nil, nil
	}
	var files []*multipart.FileHeader
	for _, fh := range form.File[field] {
		if fh.Filename != "" || fh.Size > 0 {
			files = append(files, fh)
		}
	}
	var es i18n.Errors
	if len(files) > timeline.MaxAttachments {
		es.Add(i18n.FieldError(field, "attachment.error.too_many", "Max", timeline.MaxAttachments))
		return nil, es.Err()
	}
	max := h.attachmentMax()
	var ups []timeline.Upload
	for _, fh := range files {
		if fh.Size > max {
			es.Add(i18n.FieldError(field, "attachment.error.too_large", "Name", timeline.CleanName(fh.Filename), "Max", max>>20))
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, max+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		u, e := timeline.CheckUpload(field, fh.Filename, data, max)
		if e != nil {
			es.Add(e)
			continue
		}
		ups = append(ups, u)
	}
	return ups, es.Err()
}

// attachmentMax is the configured limit for one file.
func (h *handler) attachmentMax() int64 {
	if h.Config.AttachmentMax > 0 {
		return h.Config.AttachmentMax
	}
	return timeline.DefaultMaxAttachment
}
