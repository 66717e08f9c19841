package retention

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// JobName names the job in the jobs runner and, as "job attachments.retention", in the audit log.
const JobName = "attachments.retention"

// Batch is how many tickets the job lists at a time; each is purged in its own transaction.
const Batch = 100

// Event is the timeline event a purge leaves on its ticket: From is how many files it lists, To
// their names. It is an event (everyone reads it) naming the public files purged; when only
// files of internal notes were purged, it is an internal note (staff only) naming those.
const Event = "timeline.attachments_purged"

// kind is a kind of ticket whose files the job purges, and what its closure is: one of its
// final states, reached at its last state event into one (or, for a ticket without such an
// event, at its updated_at).
type kind struct {
	subject string   // the timeline's subject kind
	table   string   // the tickets' table
	state   string   // its state column
	final   []string // the final states: none leads anywhere else
	event   string   // the timeline event of a state change, To the new state's key
	keys    []string // the final states' keys, as that event's To
	number  func(int64) string
}

var kinds = []kind{
	{incident.SubjectKind, "incidents", "status", []string{string(incident.Closed), string(incident.Cancelled)},
		incident.EventStatus, []string{incident.StatusKey(incident.Closed), incident.StatusKey(incident.Cancelled)}, incident.Number},
	{change.SubjectKind, "change_requests", "state", []string{string(change.Closed), string(change.Rejected), string(change.Cancelled)},
		change.EventState, []string{change.Closed.Key(), change.Rejected.Key(), change.Cancelled.Key()}, change.Number},
	{contract.TimelineKind, "contract_requests", "state", []string{string(contract.Accepted), string(contract.Rejected)},
		"contract.event.state", []string{contract.Accepted.Key(), contract.Rejected.Key()}, contract.FormatNumber},
}

// Job is the jobs runner's task: Purge with months, Batch tickets at a time.
func Job(db *bun.DB, months int) func(ctx context.Context, now time.Time) (int, error) {
	return func(ctx context.Context, now time.Time) (int, error) { return Purge(ctx, db, months, now, Batch) }
}

// Purge empties the files due at now (see Due) of the tickets closed months ago or more, and
// returns how many it purged. Each ticket is purged in its own transaction: its files' data
// emptied and purged_at set, by an update conditional on purged_at being unset, one timeline
// entry naming the files and one audit entry; a ticket whose update found nothing left (another
// instance purged it) gets neither. It is idempotent, and two instances running it at once purge
// each file once. When ctx ends it stops between two tickets. months < 1 purges nothing.
func Purge(ctx context.Context, db *bun.DB, months int, now time.Time, batch int) (int, error) {
	if months < 1 {
		return 0, nil
	}
	batch = max(batch, 1)
	now = now.UTC()
	cutoff := Cutoff(months, now)
	purged := 0
	for _, k := range kinds {
		after := int64(0)
		for {
			ts, err := due(ctx, db, k, cutoff, after, batch)
			if err != nil {
				return purged, err
			}
			for _, t := range ts {
				if ctx.Err() != nil {
					return purged, nil
				}
				n := 0
				err := db.RunInTx(context.WithoutCancel(ctx), nil, func(ctx context.Context, tx bun.Tx) error {
					var err error
					n, err = purge(ctx, tx, k, t, cutoff, now)
					return err
				})
				if err != nil {
					return purged, fmt.Errorf("retention: purge the files of %s: %w", k.number(t.ID), err)
				}
				purged += n
				after = t.ID
			}
			if len(ts) < batch {
				break
			}
		}
	}
	return purged, nil
}

// ticket is a ticket with files due.
type ticket struct {
	ID       int64 `bun:"id"`
	TenantID int64 `bun:"tenant_id"`
}

// due lists, by id after after, up to limit tickets of kind k closed before cutoff that have a
// file kept, uploaded before cutoff. A ticket's files are reached through its timeline entries
// (indexed by subject, the files by entry), never by reading the attachments table through.
func due(ctx context.Context, idb bun.IDB, k kind, cutoff time.Time, after int64, limit int) ([]ticket, error) {
	var ts []ticket
	err := idb.NewRaw(`SELECT t.id, t.tenant_id FROM ? AS t
WHERE t.? IN (?) AND t.id > ?
AND COALESCE((SELECT MAX(s.created_at) FROM timeline_entries AS s
	WHERE s.subject_kind = ? AND s.subject_id = t.id AND s.kind = ? AND s.event = ? AND s.to_value IN (?)), t.updated_at) < ?
AND EXISTS (SELECT 1 FROM timeline_entries AS e JOIN attachments AS a ON a.entry_id = e.id
	WHERE e.subject_kind = ? AND e.subject_id = t.id AND a.purged_at IS NULL AND a.created_at < ?)
ORDER BY t.id LIMIT ?`,
		bun.Ident(k.table), bun.Ident(k.state), bun.In(k.final), after,
		k.subject, timeline.Event, k.event, bun.In(k.keys), cutoff,
		k.subject, cutoff, limit).Scan(ctx, &ts)
	if err != nil {
		return nil, fmt.Errorf("retention: list the %s tickets with files due: %w", k.subject, err)
	}
	return ts, nil
}

// file is a file the purge emptied.
type file struct {
	ID       int64  `bun:"id"`
	Name     string `bun:"name"`
	Internal bool   `bun:"internal"`
}

// purge empties ticket t's due files in tx, and records what it did on the ticket's timeline and
// in the audit log. The update is the transaction's first statement (it takes SQLite's write
// lock at once) and is conditional on purged_at being unset: a concurrent run's files are not
// counted twice. The ticket is in a final state, which nothing leaves: its closure stands.
func purge(ctx context.Context, tx bun.Tx, k kind, t ticket, cutoff, now time.Time) (int, error) {
	var fs []file
	err := tx.NewRaw(`UPDATE attachments SET data = ?, purged_at = ?
WHERE entry_id IN (SELECT e.id FROM timeline_entries AS e WHERE e.subject_kind = ? AND e.subject_id = ?)
AND subject_kind = ? AND subject_id = ? AND purged_at IS NULL AND created_at < ?
AND EXISTS (SELECT 1 FROM ? AS t WHERE t.id = ? AND t.? IN (?))
RETURNING id, name, internal`,
		[]byte{}, now, k.subject, t.ID, k.subject, t.ID, cutoff,
		bun.Ident(k.table), t.ID, bun.Ident(k.state), bun.In(k.final)).Scan(ctx, &fs)
	if err != nil {
		return 0, fmt.Errorf("empty the files: %w", err)
	}
	if len(fs) == 0 {
		return 0, nil
	}
	slices.SortFunc(fs, func(a, b file) int { return cmp.Compare(a.ID, b.ID) })
	var public, internal []string
	for _, f := range fs {
		if f.Internal {
			internal = append(internal, f.Name)
		} else {
			public = append(public, f.Name)
		}
	}
	// The names a customer may read, or for staff alone those of internal notes.
	names, entryKind := public, timeline.Event
	if len(public) == 0 {
		names, entryKind = internal, timeline.Note
	}
	e := timeline.NewEvent(timeline.Subject{Kind: k.subject, ID: t.ID}, tenancy.System, now, Event, timeline.Text,
		strconv.Itoa(len(names)), strings.Join(names, ", "))
	e.Kind = entryKind
	if err := timeline.Record(ctx, tx, e); err != nil {
		return 0, err
	}
	if err := audit.Write(ctx, tx, audit.Change{Action: audit.AttachmentsPurged, ActorLabel: "job " + JobName,
		TenantID: t.TenantID, Object: k.number(t.ID), After: map[string]any{"attachments": len(fs)}}); err != nil {
		return 0, err
	}
	return len(fs), nil
}
