// Package electronfix generates fictional Electron application releases for
// tests and demos: asar archives, Windows and macOS layouts with fuse wires,
// version files and asar integrity claims, and a 3CX-like second release in
// which bundled native libraries change bytes and signer without any version
// change.
package electronfix
