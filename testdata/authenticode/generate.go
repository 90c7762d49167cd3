// Package authenticode holds shipgate's Authenticode fixtures; `go generate`
// here rewrites them.
package authenticode

//go:generate go run ./gen -dir .
