package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/timeline"
)

// keptFilesField is the form field naming a file kept from an earlier try of the same form: a
// checked box per file, which the user unchecks to drop the file.
const keptFilesField = "kept"

// formFiles are the files a form sends: those chosen now (checked; a bad one is refused by its
// name, the others read all the same) and those kept from an earlier try that came back with an
// error (see keepFiles).
type formFiles struct {
	Fresh []timeline.Upload
	Kept  []timeline.Pending // without their content
}

// pendingOwner is the session that uploads: kept files are its own.
func pendingOwner(c *fiber.Ctx) timeline.Owner {
	s := currentSession(c)
	if s == nil {
		return timeline.Owner{}
	}
	return timeline.Owner{SessionHash: s.IDHash, UserID: actorOf(c).UserID}
}

// readFormFiles reads field's new files and the kept ones the form still names. The error
// refuses files beside field; ff holds what was good all the same.
func (h *handler) readFormFiles(c *fiber.Ctx, field string) (formFiles, error) {
	var ff formFiles
	fresh, err := h.uploads(c, field)
	ff.Fresh = fresh
	var ids []int64
	if form, ferr := c.MultipartForm(); ferr == nil && form != nil {
		for _, v := range form.Value[keptFilesField] {
			if id, perr := strconv.ParseInt(v, 10, 64); perr == nil && id > 0 {
				ids = append(ids, id)
			}
		}
	}
	kept, kerr := h.Files.Kept(c.UserContext(), pendingOwner(c), ids, time.Now(), false)
	if kerr != nil {
		return ff, kerr
	}
	ff.Kept = kept
	if len(ff.Kept)+len(ff.Fresh) > timeline.MaxAttachments {
		// Too many in all: the files kept stay, the new ones up to the limit.
		ff.Fresh = ff.Fresh[:max(timeline.MaxAttachments-len(ff.Kept), 0)]
		var es i18n.Errors
		if prev, ok := asValidation(err); ok {
			es = prev
		}
		es.Add(i18n.FieldError(field, "attachment.error.too_many", "Max", timeline.MaxAttachments))
		return ff, es.Err()
	}
	return ff, err
}

// all is every file to attach: the kept ones, read with their content, then the new ones.
func (h *handler) attachable(c *fiber.Ctx, ff formFiles) ([]timeline.Upload, error) {
	if len(ff.Kept) == 0 {
		return ff.Fresh, nil
	}
	ids := make([]int64, len(ff.Kept))
	for i, p := range ff.Kept {
		ids[i] = p.ID
	}
	kept, err := h.Files.Kept(c.UserContext(), pendingOwner(c), ids, time.Now(), true)
	if err != nil {
		return nil, err
	}
	ups := make([]timeline.Upload, 0, len(kept)+len(ff.Fresh))
	for _, p := range kept {
		ups = append(ups, p.Upload())
	}
	return append(ups, ff.Fresh...), nil
}

// attached forgets the kept files once the form that carried them succeeded.
func (h *handler) attached(c *fiber.Ctx, ff formFiles) {
	if len(ff.Kept) == 0 {
		return
	}
	ids := make([]int64, len(ff.Kept))
	for i, p := range ff.Kept {
		ids[i] = p.ID
	}
	// They expire soon anyway: a failure here loses nothing the user sent.
	_ = h.Files.Forget(c.UserContext(), pendingOwner(c), ids)
}

// keepFiles keeps the new files of a form that comes back with an error, for the session, and
// lists every kept file on the page: the form shows them and sends them again.
func (h *handler) keepFiles(c *fiber.Ctx, p *page, ff formFiles) error {
	kept, err := h.Files.Keep(c.UserContext(), pendingOwner(c), ff.Fresh, time.Now())
	if err != nil {
		return err
	}
	p.V["Kept"] = append(append([]timeline.Pending{}, ff.Kept...), kept...)
	return nil
}
