package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// spawned is a `guichet serve` the tool started.
type spawned struct {
	cmd     *exec.Cmd
	addr    string
	stderr  *tail
	exited  chan struct{}
	exitErr error
	// Startup is from the spawn to the first 200 on /healthz.
	Startup time.Duration
}

// keptEnv are the desk's variables passed on to the spawned desk: how it reaches its database.
// Every other GUICHET_* variable of the tool's environment is dropped, so that the desk sends
// no mail (no SMTP relay), reads no mailbox, and asks no two-factor code of the agent.
var keptEnv = map[string]bool{"GUICHET_DB_POOL": true, "GUICHET_DB_STATEMENT_TIMEOUT": true, "GUICHET_DB_SSLMODE": true}

// deskEnv is the environment of the spawned desk.
func deskEnv(environ []string, dsn, addr string) []string {
	var env []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GUICHET_") && !keptEnv[k] {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"GUICHET_DATABASE="+dsn,
		"GUICHET_ADDR="+addr,
		"GUICHET_API_RATE=100000", // the most the desk accepts
		"GUICHET_LOG_LEVEL=error",
		"GUICHET_SMTP_HOST=", // no relay: mail stays in the outbox
		"GUICHET_IMAP_URL=",
		"GUICHET_MAIL_REPLY_TO=",
		"GUICHET_WEBHOOK_ALLOW_PRIVATE=false",
		"GUICHET_STAFF_2FA=off",
	)
}

// freePort returns a loopback address nothing listens on now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// spawnDesk runs `bin serve` on dsn and waits for its first 200 on /healthz.
func spawnDesk(ctx context.Context, bin, dsn string) (*spawned, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &spawned{addr: addr, stderr: &tail{max: 16 << 10}, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = deskEnv(os.Environ(), dsn, addr)
	s.cmd.Stderr = s.stderr
	// A group of its own: Ctrl-C reaches the tool only, which then stops the desk itself, after
	// revoking its tokens and logging its personas out.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the desk: %w", err)
	}
	go func() { s.exitErr = s.cmd.Wait(); close(s.exited) }()
	// No connection kept: one left idle would hold the desk's graceful stop.
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if r, err := client.Get("http://" + addr + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				s.Startup = time.Since(start)
				return s, nil
			}
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("the desk exited before answering /healthz (%v): %s", s.exitErr, s.stderr.lastLine())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("the desk did not answer /healthz within 2 minutes: %s", s.stderr.lastLine())
		}
	}
}

// Pid is the desk's process id.
func (s *spawned) Pid() int { return s.cmd.Process.Pid }

// stop ends the desk with SIGTERM, as a service manager does, and waits for it (killing it
// after 30 s). It reports an exit other than the clean one.
func (s *spawned) stop() error {
	select {
	case <-s.exited:
		return fmt.Errorf("the desk had exited (%v): %s", s.exitErr, s.stderr.lastLine())
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill() //nolint:errcheck // it would not stop
		<-s.exited
		return errors.New("the desk did not stop within 30 s of SIGTERM: killed")
	}
	if s.exitErr != nil {
		return fmt.Errorf("the desk stopped with %v: %s", s.exitErr, s.stderr.lastLine())
	}
	return nil
}

// tail keeps the end of what a process writes.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

// lastLine is the last line written, or a note that nothing was.
func (t *tail) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := bytes.Split(bytes.TrimSpace(t.b), []byte("\n"))
	if l := lines[len(lines)-1]; len(l) > 0 {
		return string(l)
	}
	return "(nothing on its standard error)"
}

// memory reads a process's resident set (VmRSS) and its peak (VmHWM), in bytes, from
// /proc/<pid>/status.
func memory(pid int) (rss, hwm int64, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	return parseStatus(data)
}

// parseStatus reads VmRSS and VmHWM of a /proc/<pid>/status file.
func parseStatus(data []byte) (rss, hwm int64, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	found := 0
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("%s: %q", k, v)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", k, err)
		}
		if k == "VmRSS" {
			rss = n << 10
		} else {
			hwm = n << 10
		}
		found++
	}
	if found != 2 {
		return 0, 0, errors.New("no VmRSS and VmHWM in the process status")
	}
	return rss, hwm, nil
}

// sampler reads a process's VmRSS every 200 ms and keeps the largest.
type sampler struct {
	stop chan struct{}
	done chan struct{}
	max  int64
}

const sampleEvery = 200 * time.Millisecond

// sampleRSS starts sampling pid (nothing when pid is 0).
func sampleRSS(pid int) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	if pid == 0 {
		close(s.done)
		return s
	}
	go func() {
		defer close(s.done)
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			if rss, _, err := memory(pid); err == nil && rss > s.max {
				s.max = rss
			}
			select {
			case <-s.stop:
				if rss, _, err := memory(pid); err == nil && rss > s.max {
					s.max = rss
				}
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Max stops sampling and returns the largest VmRSS seen (0 when none could be read).
func (s *sampler) Max() int64 {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	return s.max
}
