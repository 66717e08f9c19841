package api

import (
	"context"
	"mime"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
)

type attachmentInput struct {
	ID int64 `path:"id" minimum:"1" doc:"The attachment's id, as a timeline entry lists it."`
}

type attachmentOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	NoSniff            string `header:"X-Content-Type-Options"`
	Body               []byte
}

func init() { registrars = append(registrars, (*server).registerAttachments) }

func (s *server) registerAttachments(api huma.API) {
	o := op(http.MethodGet, "/attachments/{id}", "get-attachment", "Attachments",
		"An attachment of a ticket its reader may read (an internal note's files for staff only), as a download")
	o.Description = "A file deleted under the retention policy (its purged_at set on the timeline) answers 410 Gone, the problem saying when."
	o.Responses = map[string]*huma.Response{"200": {Description: "The file, as it was sent",
		Content: map[string]*huma.MediaType{"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}
	huma.Register(api, o, func(ctx context.Context, in *attachmentInput) (*attachmentOutput, error) {
		a, err := s.Files.Attachment(ctx, actorOf(ctx), in.ID, s.mayRead)
		if err != nil {
			return nil, err
		}
		if a.PurgedAt != nil {
			return nil, refuse(http.StatusGone, "attachment.purged.text", "Name", timeline.CleanName(a.Name), "Date", a.PurgedOn())
		}
		name := timeline.CleanName(a.Name)
		return &attachmentOutput{ContentType: a.ContentType, NoSniff: "nosniff", Body: a.Data,
			ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": name})}, nil
	})
}

// mayRead authorizes reading a ticket's files as reading the ticket: another tenant's is not found.
func (s *server) mayRead(ctx context.Context, actor tenancy.Actor, sub timeline.Subject) error {
	switch sub.Kind {
	case incident.SubjectKind:
		_, err := s.Incidents.Get(ctx, actor, sub.ID)
		return err
	case change.SubjectKind:
		return s.Changes.CanRead(ctx, actor, sub.ID)
	case contract.TimelineKind:
		return s.Contracts.CanRead(ctx, actor, sub.ID)
	}
	return notFound()
}
