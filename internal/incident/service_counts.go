package incident

import (
	"context"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// DeskCounts is what waits for an agent, as their menu and home show it.
type DeskCounts struct {
	Mine       int // open incidents assigned to the agent, not waiting for the customer
	Unassigned int // new and in-progress incidents nobody has taken
}

// DeskCounts counts, up to max each, the incidents waiting for the agent: theirs, and those
// nobody has taken. Bounded, so that a menu costs the same on the millionth incident; a count
// equal to max means "max or more". Agents and admins only.
func (s *Service) DeskCounts(ctx context.Context, actor tenancy.Actor, max int) (DeskCounts, error) {
	if actor.Kind != identity.Agent && actor.Kind != identity.Admin {
		return DeskCounts{}, apperr.ErrForbidden
	}
	var dc DeskCounts
	active := []Status{New, InProgress}
	mine := s.DB.NewSelect().TableExpr("incidents").ColumnExpr("1").
		Where("assignee_id = ?", actor.UserID).Where("status IN (?)", bun.In(active)).Limit(int64(max))
	if err := s.DB.NewSelect().TableExpr("(?) AS sub", mine).ColumnExpr("count(*)").Scan(ctx, &dc.Mine); err != nil {
		return dc, err
	}
	free := s.DB.NewSelect().TableExpr("incidents").ColumnExpr("1").
		Where("assignee_id IS NULL").Where("status IN (?)", bun.In(active)).Limit(int64(max))
	if err := s.DB.NewSelect().TableExpr("(?) AS sub", free).ColumnExpr("count(*)").Scan(ctx, &dc.Unassigned); err != nil {
		return dc, err
	}
	return dc, nil
}
