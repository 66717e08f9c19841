package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/timeline"
)

// Lists: a page is at most maxLimit items; the next page is named by an opaque cursor.
const (
	defaultLimit = 50
	maxLimit     = 200
)

// ListParams are the paging parameters of every list.
type ListParams struct {
	Cursor string `query:"cursor" maxLength:"200" doc:"The next page's cursor, from the previous page's next link; absent for the first page."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"How many items a page holds."`
}

// cursor is what an opaque cursor holds: the page number of its size.
type cursor struct {
	Page int `json:"p"`
	Size int `json:"s"`
}

// page reads the paging parameters: a cursor that this API did not write is a 400.
func (lp ListParams) page() (paging.Page, error) {
	size := lp.Limit
	if size <= 0 {
		size = defaultLimit
	}
	size = min(size, maxLimit)
	if lp.Cursor == "" {
		return paging.Page{Number: 1, Size: size}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(lp.Cursor)
	var c cursor
	if err != nil || json.Unmarshal(raw, &c) != nil || c.Page < 2 || c.Page > paging.MaxPage || c.Size < 1 || c.Size > maxLimit {
		return paging.Page{}, refuse(http.StatusBadRequest, "api.problem.cursor")
	}
	return paging.Page{Number: c.Page, Size: c.Size}, nil
}

// nextLinks are the link to the page after p, keeping the request's filters, for the body, and
// the same as a Link header; both "" on the last page.
func nextLinks(path string, query url.Values, p paging.Page, more bool) (next, header string) {
	if next = nextLink(path, query, p, more); next != "" {
		header = "<" + next + `>; rel="next"`
	}
	return next, header
}

// nextLink is the link to the page after p, keeping the request's filters; "" on the last page.
func nextLink(path string, query url.Values, p paging.Page, more bool) string {
	if !more || p.Number >= paging.MaxPage {
		return ""
	}
	raw, _ := json.Marshal(cursor{Page: p.Number + 1, Size: p.Size})
	q := url.Values{}
	for k, vs := range query {
		if k != "cursor" && k != "limit" {
			q[k] = vs
		}
	}
	q.Set("cursor", base64.RawURLEncoding.EncodeToString(raw))
	return Prefix + path + "?" + q.Encode()
}

// etag is the entity tag of a version.
func etag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// ifMatch reads an If-Match header against the current version: absent is 428 (an update
// names the version it was read at), malformed 400, "*" the current version; another version
// is passed on, and the service refuses it as stale (412).
func ifMatch(h string, current int) (int, error) {
	h = strings.TrimSpace(h)
	switch {
	case h == "":
		return 0, refuse(http.StatusPreconditionRequired, "api.problem.if_match_required")
	case h == "*":
		return current, nil
	}
	h = strings.TrimPrefix(h, "W/")
	if len(h) < 4 || !strings.HasPrefix(h, `"v`) || !strings.HasSuffix(h, `"`) {
		return 0, refuse(http.StatusBadRequest, "api.problem.if_match")
	}
	v, err := strconv.Atoi(h[2 : len(h)-1])
	if err != nil || v < 1 {
		return 0, refuse(http.StatusBadRequest, "api.problem.if_match")
	}
	return v, nil
}

// Person is someone named on a ticket.
type Person struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty" enum:"customer,agent,sales,admin" doc:"customer, agent, sales or admin; absent for the desk itself."`
}

// Attachment is a file of a timeline entry.
type Attachment struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	// PurgedAt is when the retention policy deleted the file: its download then answers 410.
	PurgedAt *time.Time `json:"purged_at,omitempty" doc:"When the file was deleted under the retention policy; its download then answers 410 Gone."`
}

// Entry is one line of a ticket's timeline: a reply, an internal note (staff only) or an event.
type Entry struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind" enum:"reply,note,event" doc:"reply (public), note (internal, staff only) or event."`
	// Event is what happened (an event's key, without its prefix), with From and To.
	Event       string       `json:"event,omitempty" doc:"What an event records: its type, a status change for instance."`
	From        string       `json:"from,omitempty"`
	To          string       `json:"to,omitempty"`
	Body        string       `json:"body,omitempty" doc:"A reply's or note's text, or the reason given with an event."`
	Author      *Person      `json:"author,omitempty"`
	Via         string       `json:"via,omitempty" enum:"email" doc:"email when it came in by mail."`
	CreatedAt   time.Time    `json:"created_at"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

func entryOf(e timeline.Entry) Entry {
	out := Entry{ID: e.ID, Kind: string(e.Kind), Event: strings.TrimPrefix(e.Event, "timeline."), From: e.From, To: e.To,
		Body: e.Body, Via: e.Via, CreatedAt: e.CreatedAt.UTC()}
	if e.Kind != timeline.Reply && e.Kind != timeline.Note {
		out.Kind = "event"
	}
	if e.ActorID != nil {
		out.Author = &Person{Name: e.ActorName, Kind: string(e.ActorKind)}
	}
	for _, a := range e.Attachments {
		out.Attachments = append(out.Attachments, Attachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, PurgedAt: utcPtr(a.PurgedAt)})
	}
	return out
}

func entriesOf(es []timeline.Entry) []Entry {
	out := make([]Entry, 0, len(es))
	for _, e := range es {
		out = append(out, entryOf(e))
	}
	return out
}

// File is an attachment sent with a reply or a declaration, its content in base64.
type File struct {
	Name        string `json:"name" minLength:"1" maxLength:"255"`
	ContentType string `json:"content_type,omitempty" maxLength:"100" doc:"Ignored: the type is read from the content, and only images, PDF, text and office documents are kept."`
	Content     []byte `json:"content" doc:"The file's bytes, in base64."`
}

// uploads checks the files of a request as the pages do; each refusal is beside "files".
func (s *server) uploads(files []File) ([]timeline.Upload, error) {
	max := s.Config.AttachmentMax
	if max <= 0 {
		max = timeline.DefaultMaxAttachment
	}
	var es i18n.Errors
	var ups []timeline.Upload
	if len(files) > timeline.MaxAttachments {
		es.Add(i18n.FieldError("files", "attachment.error.too_many", "Max", timeline.MaxAttachments))
		return nil, es.Err()
	}
	for _, f := range files {
		u, e := timeline.CheckUpload("files", f.Name, f.Content, max)
		if e != nil {
			es.Add(e)
			continue
		}
		ups = append(ups, u)
	}
	return ups, es.Err()
}

// maxBodyWithFiles is the body limit of an operation that takes files: base64 makes them a
// third larger.
func (s *server) maxBodyWithFiles() int64 {
	most := s.Config.AttachmentMax
	if most <= 0 {
		most = timeline.DefaultMaxAttachment
	}
	// Within the server's own limit on a body (see web.New).
	return min(int64(timeline.MaxAttachments)*most*4/3+1<<20, max(32<<20, 3*most+1<<20))
}

// kindOf is a user's kind as the API writes it.
func kindOf(k identity.Kind) string { return string(k) }

// notFound is the answer for an object the reader may not see, or that does not exist.
func notFound() error { return apperr.ErrNotFound }

// withCaller is for tests: ctx as seen by a handler of the caller.
func withCaller(ctx context.Context, c *caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}
