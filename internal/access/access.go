// Package access keeps what a request's identity and access are made of (its session or token,
// its user, the tenants it reaches with its rights) from one request to the next, for as long
// as the database says nothing of it changed.
//
// The database keeps an access version (table access_version): triggers move it in the
// transaction of every change to users, tenants, memberships, sessions (but their last-seen
// time) and API tokens (but their last-used time), whoever writes it: another instance, the
// command line. A request reads the version first (Read), and the services' caches answer only
// for values read under that same version. A value read while a change was being committed is
// kept under the version read before it, so the next request, reading the new version, reads
// the value again: nothing stale is ever served.
package access

import (
	"context"
	"fmt"
	"sync"

	"github.com/uptrace/bun"
)

type versionKey struct{}

// Read reads the access version and returns ctx carrying it, for the caches of the services
// the request calls.
func Read(ctx context.Context, idb bun.IDB) (context.Context, error) {
	var n int64
	if err := idb.NewRaw("SELECT n FROM access_version WHERE id = 1").Scan(ctx, &n); err != nil {
		return ctx, fmt.Errorf("access: read the access version: %w", err)
	}
	return context.WithValue(ctx, versionKey{}, n), nil
}

// Version is the access version ctx carries, if Read put one there.
func Version(ctx context.Context) (int64, bool) {
	n, ok := ctx.Value(versionKey{}).(int64)
	return n, ok
}

// MaxEntries bounds a cache: past it, the cache starts again empty.
const MaxEntries = 10000

// Cache keeps values read under the current access version, by key. Its zero value is ready.
// Values are shared by the requests that read them: callers never modify them.
type Cache[V any] struct {
	mu      sync.Mutex
	version int64
	m       map[string]V
}

// Get returns the value of key read under the version ctx carries; none without a version.
func (c *Cache[V]) Get(ctx context.Context, key string) (V, bool) {
	var zero V
	n, ok := Version(ctx)
	if !ok {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n != c.version {
		return zero, false
	}
	v, ok := c.m[key]
	return v, ok
}

// Put keeps v under key for the version ctx carries; a newer version empties the cache first,
// and a value read under an older one is not kept.
func (c *Cache[V]) Put(ctx context.Context, key string, v V) {
	n, ok := Version(ctx)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n < c.version {
		return
	}
	if n > c.version || c.m == nil || len(c.m) >= MaxEntries {
		c.version, c.m = n, map[string]V{}
	}
	c.m[key] = v
}
