-- Periodic jobs run once per tick across every instance sharing the database: an instance runs
-- a job only after moving its next_run_at forward by a conditional update, which one wins.
CREATE TABLE job_runs (
    name        VARCHAR(60) PRIMARY KEY,
    next_run_at {{.TS}}     NOT NULL,
    last_run_by VARCHAR(40) NOT NULL DEFAULT ''
);
