// Command ward is Ward: a patient's health record, encrypted on their own
// computer, in a desktop window (`ward`) or served to browsers (`ward serve`).
// This file only wires things together; see backend/cli for the commands.
package main

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/ward-health/ward/app"
	"github.com/ward-health/ward/backend/cli"
)

//go:embed frontend/dist
var dist embed.FS

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	assets, err := fs.Sub(dist, "frontend/dist")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder exists
	}
	code := cli.Run(ctx, os.Args[1:], cli.Env{
		Version: version,
		Assets:  assets,
		Desktop: app.Run,
		OpenURL: app.OpenURL,
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
	})
	stop()
	os.Exit(code)
}
