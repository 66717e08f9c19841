package timeline

import (
	"context"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Files serves attachment downloads to the readers of their tickets.
type Files struct {
	DB *bun.DB
}

// ReadCheck says whether actor may read ticket s: nil, or apperr.ErrNotFound, exactly as for a
// ticket that does not exist. The capability owning the kind of ticket answers it.
type ReadCheck func(ctx context.Context, actor tenancy.Actor, s Subject) error

// Attachment returns attachment id, with its content, to actor when may lets actor read its
// ticket and, for a file of an internal note, actor is staff. Anything else is
// apperr.ErrNotFound, exactly as for a file that does not exist.
func (f *Files) Attachment(ctx context.Context, actor tenancy.Actor, id int64, may ReadCheck) (*Attachment, error) {
	a, err := AttachmentByID(ctx, f.DB, id)
	if err != nil {
		return nil, err
	}
	if a.Internal && !actor.Staff() {
		return nil, apperr.ErrNotFound
	}
	if err := may(ctx, actor, a.Subject()); err != nil {
		return nil, err
	}
	return a, nil
}
