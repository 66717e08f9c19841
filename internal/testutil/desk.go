package testutil

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// SyncBuffer is a buffer several goroutines write (a logger, a child's stderr) and a test reads.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *SyncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// GuichetBinary builds the program once per test process; Main removes it at the end.
func GuichetBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "guichet-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "guichet")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/guichet/guichet/cmd/guichet").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// removeBinary deletes what GuichetBinary built.
func removeBinary() {
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
}

// Desk is a running `guichet serve` child process.
type Desk struct {
	Cmd *exec.Cmd
	// Addr is where it listens, once it says so.
	Addr   string
	stderr *SyncBuffer
	done   chan struct{}
}

// StartDesk runs `guichet serve` with env and waits until it listens.
func StartDesk(t testing.TB, bin string, env []string) *Desk {
	t.Helper()
	d, addr := SpawnDesk(t, bin, env)
	select {
	case d.Addr = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatalf("the desk did not start listening\n%s", d.Logs())
	}
	return d
}

// SpawnDesk starts `guichet serve args…` and returns it with the address it will say it
// listens on; it is killed when t ends unless it was stopped before.
func SpawnDesk(t testing.TB, bin string, env []string, args ...string) (*Desk, <-chan string) {
	t.Helper()
	d := &Desk{Cmd: exec.Command(bin, append([]string{"serve"}, args...)...), stderr: &SyncBuffer{}, done: make(chan struct{})}
	d.Cmd.Env, d.Cmd.Stderr = env, d.stderr
	out, err := d.Cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			d.Cmd.Process.Kill() //nolint:errcheck // the test failed before stopping it
			d.Cmd.Wait()         //nolint:errcheck
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Guichet is listening on http://"); ok {
				addr <- a
			}
		}
	}()
	return d, addr
}

// Logs is what the desk wrote on its standard error.
func (d *Desk) Logs() string { return d.stderr.String() }

// URL is path on the desk.
func (d *Desk) URL(path string) string { return "http://" + d.Addr + path }

// Wait waits for the desk to exit.
func (d *Desk) Wait(t testing.TB) *os.ProcessState {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- d.Cmd.Wait() }()
	select {
	case <-errc:
		close(d.done)
	case <-time.After(30 * time.Second):
		t.Fatalf("the desk did not stop within 30 s\n%s", d.Logs())
	}
	return d.Cmd.ProcessState
}
