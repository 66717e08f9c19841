-- A person's entries on the timeline, found without reading it whole: GDPR export and erasure
-- read them (a million incidents make seven million entries).
CREATE INDEX timeline_entries_actor ON timeline_entries (actor_id);
