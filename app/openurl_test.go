package app

import (
	"context"
	"testing"
)

// Without a window there is no Wails context to open a browser with:
// OpenURL says so instead of reaching Wails' runtime (which would exit).
func TestOpenURLWithoutWindow(t *testing.T) {
	window.set(nil)
	if err := OpenURL("http://localhost:1/passkey/x"); err == nil {
		t.Fatal("OpenURL without a window succeeded")
	}
	opt := appOptions(context.Background(), nil)
	if opt.OnStartup == nil || opt.OnShutdown == nil {
		t.Fatal("the window does not record its context")
	}
}
