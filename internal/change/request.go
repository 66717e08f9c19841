package change

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// State is where a change request stands.
type State string

// The states of a change request.
const (
	Submitted   State = "submitted"
	Quoted      State = "quoted" // a service on quote: the sales rep quoted, the customer decides
	Approved    State = "approved"
	Rejected    State = "rejected"
	Scheduled   State = "scheduled"
	Implemented State = "implemented"
	Closed      State = "closed"
	Cancelled   State = "cancelled"
)

// States lists the states in the order of a request's life.
var States = []State{Submitted, Quoted, Approved, Rejected, Scheduled, Implemented, Closed, Cancelled}

// Key is the translation key of the state.
func (s State) Key() string { return "change.state." + string(s) }

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	for _, x := range States {
		if s == x {
			return true
		}
	}
	return false
}

// Request is a change request CHG0000001: what a customer ordered from the catalogue, with the
// snapshot of the item and values it was made with.
type Request struct {
	bun.BaseModel `bun:"table:change_requests,alias:cr"`

	ID          int64  `bun:"id,pk,autoincrement"`
	TenantID    int64  `bun:"tenant_id"`
	RequesterID int64  `bun:"requester_id"`
	ItemCode    string `bun:"item_code"`
	// Catalogue is CatalogueStandard for a change request, CatalogueServices for a service order.
	Catalogue   string        `bun:"catalogue"`
	SnapshotRaw string        `bun:"snapshot"`
	SearchText  string        `bun:"search_text"`
	State       State         `bun:"state"`
	ScheduledOn calendar.Date `bun:"scheduled_on,nullzero"`
	// AppliedValue is what the agent applied, recorded when implementing.
	AppliedValue string `bun:"applied_value"`
	// Reason is why a sales rep rejected the request.
	Reason string `bun:"reason"`
	// QuoteCents and QuoteValidUntil are the sales rep's quote of a service on quote: the
	// amount, excluding tax, and the last day (in Paris) the customer may accept it.
	QuoteCents      *int64        `bun:"quote_cents"`
	QuoteValidUntil calendar.Date `bun:"quote_valid_until,nullzero"`
	Version         int           `bun:"version"`
	CreatedAt       time.Time     `bun:"created_at"`
	UpdatedAt       time.Time     `bun:"updated_at"`
	ApprovedAt      *time.Time    `bun:"approved_at"`
	ImplementedAt   *time.Time    `bun:"implemented_at"`

	// Read with the request for lists and pages.
	TenantCode    string `bun:"tenant_code,scanonly"`
	TenantName    string `bun:"tenant_name,scanonly"`
	RequesterName string `bun:"requester_name,scanonly"`

	snap *Snapshot
}

// Number is the request's number, CHG and seven digits: CHG0000001.
func (r *Request) Number() string { return Number(r.ID) }

// Number formats a request id as its number.
func Number(id int64) string { return fmt.Sprintf("CHG%07d", id) }

// ParseNumber reads "CHG0000012", "chg12" or "12" as an id.
func ParseNumber(s string) (int64, bool) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimPrefix(s, "CHG")
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// Subject is the request's timeline subject.
func (r *Request) Subject() timeline.Subject { return Subject(r.ID) }

// Subject is the timeline subject of the request id.
func Subject(id int64) timeline.Subject { return timeline.Subject{Kind: SubjectKind, ID: id} }

// SubjectKind names change requests on timelines and attachments.
const SubjectKind = "change"

// Snapshot returns what the request was made with, decoded from its stored JSON.
func (r *Request) Snapshot() *Snapshot {
	if r.snap == nil {
		s := new(Snapshot)
		if err := json.Unmarshal([]byte(r.SnapshotRaw), s); err != nil {
			s = &Snapshot{Item: Item{Code: r.ItemCode, Label: Text{FR: r.ItemCode, EN: r.ItemCode}}}
		}
		r.snap = s
	}
	return r.snap
}

// setSnapshot stores s as the request's snapshot.
func (r *Request) setSnapshot(s Snapshot) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	r.SnapshotRaw, r.snap = string(b), &s
	return nil
}

// Open reports whether the requester may still cancel the request.
func (r *Request) Open() bool {
	return r.State == Submitted || r.State == Quoted || r.State == Approved || r.State == Scheduled
}

// IsService reports whether the request is a service order (the Services tab).
func (r *Request) IsService() bool { return r.Catalogue == CatalogueServices }

// Right is the right a customer needs on the tenant to read the request: services for a
// service order, changes otherwise.
func (r *Request) Right() tenancy.Right {
	if r.IsService() {
		return tenancy.RightServices
	}
	return tenancy.RightChanges
}

// Row is one value of a request, beside the field it answers, for display.
type Row struct {
	Field *Field
	Value Value
}

// Option returns the label of the chosen option of a select field.
func (r Row) Option() Text {
	o, _ := r.Field.Option(r.Value.Text)
	return o.Label
}

// Rows lists the snapshot's values in the order of the item's fields; absent optional values
// are left out.
func (s *Snapshot) Rows() []Row {
	var rows []Row
	for _, f := range s.Item.Fields {
		if v, ok := s.Values[f.Code]; ok {
			rows = append(rows, Row{Field: f, Value: v})
		}
	}
	return rows
}

// Rows lists the values of an item not yet requested, for the summary page.
func (it *Item) Rows(vs Values) []Row {
	s := Snapshot{Item: *it, Values: vs}
	return s.Rows()
}

// Requested returns the requested quota of a quota request, and whether it has one.
func (s *Snapshot) Requested() (int64, bool) { return s.Values.Int(FieldRequested) }

// searchText is what the list's text filter reads: the number, the item in both languages and
// the text values, lower-cased.
func searchText(id int64, s *Snapshot) string {
	parts := []string{Number(id), s.Item.Code, s.Item.Label.FR, s.Item.Label.EN}
	for _, row := range s.Rows() {
		parts = append(parts, row.Value.String())
	}
	return strings.ToLower(strings.Join(parts, " "))
}
