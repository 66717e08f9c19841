package major

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/guichet/guichet/internal/tenancy"
)

// ActiveTTL is how long an instance keeps the list of active major incidents it shows in
// banners, on the declaration form and in the agents' link controls: the busiest pages of the
// desk read no statement for it. A change made through this instance is seen at once (it
// forgets the list); one made through another instance of the same database, within ActiveTTL.
// What a change decides (linking, declaring "the same problem") reads the database itself.
const ActiveTTL = 5 * time.Second

// activeCache is the list of every active major incident, read at most once per ActiveTTL.
type activeCache struct {
	mu   sync.Mutex
	at   time.Time // when it was read (the real clock: a test's stopped clock must not keep it)
	list []*Major
}

// forget drops the list: the next reader reads it again.
func (s *Service) forget() {
	c := s.activeCache()
	c.mu.Lock()
	c.list, c.at = nil, time.Time{}
	c.mu.Unlock()
}

func (s *Service) activeCache() *activeCache {
	s.cacheOnce.Do(func() { s.cache = &activeCache{} })
	return s.cache
}

// allActive is every active major incident, newest first, from the instance's list when fresh.
// The slice and the major incidents are shared: callers read them and copy what they keep.
func (s *Service) allActive(ctx context.Context) ([]*Major, error) {
	c := s.activeCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.list != nil && time.Since(c.at) < ActiveTTL {
		return c.list, nil
	}
	read := time.Now()
	ms, err := list(ctx, s.DB, true, nil, s.now().Add(time.Hour)) // resolved ones are all older than that
	if err != nil {
		return nil, err
	}
	ms = slices.DeleteFunc(ms, func(m *Major) bool { return !m.Active() })
	if ms == nil {
		ms = []*Major{}
	}
	c.list, c.at = ms, read
	return ms, nil
}

// ActiveForStaff lists every active major incident, newest first, for agents and admins (the
// queue's bulk link control, an incident's "link to a major incident"); nobody else gets any.
func (s *Service) ActiveForStaff(ctx context.Context, actor tenancy.Actor) ([]*Major, error) {
	if !MayManage(actor.Kind) {
		return nil, nil
	}
	return s.allActive(ctx)
}

// concernsAny reports whether m concerns one of tenantIDs.
func (m *Major) concernsAny(tenantIDs []int64) bool {
	return slices.ContainsFunc(tenantIDs, m.Concerns)
}
