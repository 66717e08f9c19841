package web

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/audit"
)

// requestDeadline bounds the work one request may cause: its queries and its transaction are
// cancelled when it passes, and the reader is told to try again.
const requestDeadline = 25 * time.Second

// errPanic carries a recovered panic to the error path, which answers the localized 500 page.
type errPanic struct{ v any }

func (e errPanic) Error() string { return fmt.Sprintf("panic: %v", e.v) }

// recoverPanic is the net under the handlers: a panic is a bug, logged with its stack and the
// request id, and answered with the 500 page; the process and every other request go on.
func (h *handler) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			h.Log.Error("panic", "request_id", requestID(c), "method", c.Method(), "path", logPath(c),
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = errPanic{v}
		}
	}()
	return c.Next()
}

// withDeadline gives the request a context that ends at requestDeadline.
func (h *handler) withDeadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), requestDeadline)
	defer cancel()
	// The audit log records the client's address of every change a request makes (a copy:
	// fasthttp reuses the request's memory).
	c.SetUserContext(audit.WithIP(ctx, strings.Clone(h.clientIP(c))))
	return c.Next()
}
