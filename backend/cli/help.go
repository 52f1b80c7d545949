package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// helpError is --help on one command: Run prints that command's flags.
type helpError struct{ fs *flag.FlagSet }

func (e *helpError) Error() string { return "help requested" }
func (e *helpError) Unwrap() error { return flag.ErrHelp }

// print lists every flag the command takes, as people type them (--name).
func (e *helpError) print(w io.Writer) {
	if e.fs.Name() == "ward" {
		fmt.Fprint(w, usage)
		fmt.Fprintln(w, "\nFlags of the desktop window (ward serve takes these too):")
	} else {
		fmt.Fprintf(w, "Usage: ward %s [flags]%s\n\nFlags:\n", e.fs.Name(), argsOf[e.fs.Name()])
	}
	e.fs.VisitAll(func(f *flag.Flag) {
		typ, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if typ != "" {
			line += " " + typ
		}
		fmt.Fprintln(w, line)
		if f.DefValue != "" && f.DefValue != "false" {
			text += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "        %s\n", text)
	})
}

// argsOf is what a command takes after its flags.
var argsOf = map[string]string{"vault import": " FILE..."}

// helpCommand is the command that lists fs's flags.
func helpCommand(fs *flag.FlagSet) string {
	if fs.Name() == "ward" {
		return "ward --help"
	}
	return "ward " + fs.Name() + " --help"
}

// flagProblem says what was wrong with the flags, naming a flag as it was
// typed ("--bogus", not the flag package's "-bogus"), but never its value:
// a mistyped flag may be followed by a password.
func flagProblem(err error, args []string) string {
	msg := err.Error()
	for _, p := range []struct{ prefix, say string }{
		{"flag provided but not defined: -", "unknown flag "},
		{"flag needs an argument: -", "this flag needs a value: "},
	} {
		if name, ok := strings.CutPrefix(msg, p.prefix); ok {
			return p.say + typed(name, args)
		}
	}
	// invalid value "x" for flag -name: reason
	if rest, ok := strings.CutPrefix(msg, "invalid "); ok {
		if i := strings.Index(rest, " for flag -"); i >= 0 {
			after := rest[i+len(" for flag -"):]
			name, reason, _ := strings.Cut(after, ": ")
			return fmt.Sprintf("%s is not right for %s: %s", rest[:i], typed(name, args), reason)
		}
	}
	return msg
}

// typed finds how name was written in args (-name, --name, --name=...).
func typed(name string, args []string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		dashes := "-"
		if strings.HasPrefix(a, "--") {
			dashes = "--"
		}
		n, _, _ := strings.Cut(strings.TrimPrefix(a, dashes), "=")
		if n == name {
			return dashes + n
		}
	}
	return "--" + name
}
