package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/verify/report"
)

// newFlags returns the flag set of the verb e runs. Its Usage should write to
// fs.Output(): parseFlags points that at standard output for --help and
// discards the flag package's own messages.
func newFlags(e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("shipgate "+e.verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses e.args with fs, the one flag parser of every verb:
// flags may come before, between or after the positional arguments
// (shipgate verify DIR --format json), and "--" ends the flags. -h and
// --help print fs.Usage to standard output. It returns the positional
// arguments with ok set, or, with ok unset, the exit status the verb
// returns: exitPass after help, exitError after a bad flag, which is
// reported on standard error in one line followed by a hint.
func parseFlags(e *env, fs *flag.FlagSet) (args []string, code int, ok bool) {
	fs.SetOutput(io.Discard)
	rest := e.args
	for {
		err := fs.Parse(rest)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(e.stdout)
			fs.Usage()
			fs.SetOutput(io.Discard)
			return nil, exitPass, false
		}
		if err != nil {
			return nil, fail(e, usageError{err.Error()}), false
		}
		left := fs.Args()
		if len(left) == 0 {
			break
		}
		if n := len(rest) - len(left); n > 0 && rest[n-1] == "--" {
			args = append(args, left...)
			break
		}
		args, rest = append(args, left[0]), left[1:]
	}
	return args, exitPass, true
}

// noArgs reports the first of args as unexpected, for verbs that take no
// positional arguments; it returns exitPass when args is empty.
func noArgs(e *env, args []string) int {
	if len(args) == 0 {
		return exitPass
	}
	return fail(e, usageError{fmt.Sprintf("unexpected argument %q", args[0])})
}

// usageError marks a bad invocation: fail prints it with the verb's name
// and a hint to its --help.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// fail prints err for a run that could not be carried out (a usage error or
// an unreadable input) and returns exitError. Every error is one line that
// names the verb once (see [nameVerb]); a usage error is followed by a hint
// to the verb's --help. The line passes through report.Clean: an error may
// quote a file name, a certificate's name or a statement's field, and a CI
// log reads commands from its job's output.
func fail(e *env, err error) int {
	var u usageError
	usage := errors.As(err, &u)
	msg := err.Error()
	if usage {
		msg = u.msg
	}
	fmt.Fprintf(e.stderr, "shipgate: %s\n", report.Clean(nameVerb(e.verb, msg)))
	if !usage {
		return exitError
	}
	if e.verb != "" {
		fmt.Fprintf(e.stderr, "run 'shipgate %s --help' for usage\n", e.verb)
	} else {
		fmt.Fprintln(e.stderr, "run 'shipgate --help' for usage")
	}
	return exitError
}

// nameVerb returns msg prefixed with "verb: " unless it starts so already
// (as a library's error does when its package is named like the verb), and
// without a later ": verb: " context (such as an attest key error wrapped
// in the key's path), so the verb is named once: "attest: k.pem: unusable
// key", not "attest: k.pem: attest: unusable key".
func nameVerb(verb, msg string) string {
	if verb == "" {
		return msg
	}
	rest := strings.TrimPrefix(msg, verb+": ")
	return verb + ": " + strings.Replace(rest, ": "+verb+": ", ": ", 1)
}

// gotArgs says how many arguments a verb was given: "got 1 argument",
// "got 3 arguments".
func gotArgs(args []string) string {
	if len(args) == 1 {
		return "got 1 argument"
	}
	return fmt.Sprintf("got %d arguments", len(args))
}
