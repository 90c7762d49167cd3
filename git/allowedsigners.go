package git

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// AllowedSigner is one line of an OpenSSH allowed_signers file, the format of
// git's gpg.ssh.allowedSignersFile (ssh-keygen(1), ALLOWED SIGNERS).
type AllowedSigner struct {
	// Principals are the comma-separated identity patterns of the line, such
	// as "alice@example.com" or "*@example.com".
	Principals []string
	// CertAuthority marks a key that certifies signers' SSH certificates
	// rather than signing itself.
	CertAuthority bool
	// Namespaces, when non-empty, restricts the namespaces the key may sign
	// in (patterns); git signs in namespace "git".
	Namespaces []string
	// ValidAfter and ValidBefore bound the time at which a signature is
	// accepted; zero means unbounded. Times without a "Z" suffix are read as
	// UTC (OpenSSH reads them in the local zone) so results do not depend on
	// the machine.
	ValidAfter, ValidBefore time.Time
	// Key is the public key.
	Key ssh.PublicKey
	// Line is the 1-based line number in the file.
	Line int
}

// AllowedSigners is a parsed allowed_signers file.
type AllowedSigners []AllowedSigner

// maxAllowedSignersLine caps one line; OpenSSH keys with certificates fit in 16 KiB.
const maxAllowedSignersLine = 64 << 10

// LoadAllowedSigners reads an allowed_signers file.
func LoadAllowedSigners(name string) (AllowedSigners, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := ParseAllowedSigners(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// ParseAllowedSigners parses allowed_signers lines: "principals [options]
// keytype base64-key [comment]". Blank lines and lines starting with "#" are
// skipped. A malformed line is an error naming the line.
func ParseAllowedSigners(r io.Reader) (AllowedSigners, error) {
	var out AllowedSigners
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxAllowedSignersLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseAllowedSignerLine(line)
		if err != nil {
			return nil, fmt.Errorf("allowed_signers line %d: %w", n, err)
		}
		s.Line = n
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("allowed_signers line %d: %w", n+1, err)
	}
	return out, nil
}

// nextField splits off one whitespace-delimited field; double quotes group
// (so quoted option values and principals may hold spaces).
func nextField(s string) (field, rest string, err error) {
	s = strings.TrimLeft(s, " \t")
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ' ', '\t':
			if !inQuote {
				return s[:i], s[i:], nil
			}
		}
	}
	if inQuote {
		return "", "", errors.New("unterminated quote")
	}
	return s, "", nil
}

func parseAllowedSignerLine(line string) (AllowedSigner, error) {
	var s AllowedSigner
	principals, rest, err := nextField(line)
	if err != nil {
		return s, err
	}
	principals = strings.Trim(principals, `"`)
	if principals == "" || strings.Contains(principals, `"`) {
		return s, errors.New("bad principals field")
	}
	for _, p := range strings.Split(principals, ",") {
		if p == "" {
			return s, errors.New("empty principal")
		}
		s.Principals = append(s.Principals, p)
	}
	// The next field is either the key (if it parses as one) or options.
	key, err := parseAuthorizedKey(rest)
	if err != nil {
		opts, rest2, ferr := nextField(rest)
		if ferr != nil {
			return s, ferr
		}
		if opts == "" {
			return s, errors.New("missing key")
		}
		if looksLikeKeyType(opts) {
			return s, fmt.Errorf("bad key: %w", err)
		}
		if err := s.parseOptions(opts); err != nil {
			return s, err
		}
		key, err = parseAuthorizedKey(rest2)
		if err != nil {
			return s, fmt.Errorf("bad key: %w", err)
		}
	}
	s.Key = key
	if !s.ValidAfter.IsZero() && !s.ValidBefore.IsZero() && !s.ValidAfter.Before(s.ValidBefore) {
		return s, errors.New("valid-after is not before valid-before")
	}
	return s, nil
}

// looksLikeKeyType reports whether a field names an SSH key type rather
// than options.
func looksLikeKeyType(f string) bool {
	for _, p := range []string{"ssh-", "ecdsa-", "sk-", "rsa-"} {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

func parseAuthorizedKey(s string) (ssh.PublicKey, error) {
	typ, rest, err := nextField(s)
	if err != nil {
		return nil, err
	}
	b64, _, err := nextField(rest)
	if err != nil {
		return nil, err
	}
	if typ == "" || b64 == "" {
		return nil, errors.New("missing key type or key")
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("key base64: %w", err)
	}
	k, err := ssh.ParsePublicKey(raw)
	if err != nil {
		return nil, err
	}
	if k.Type() != typ {
		return nil, fmt.Errorf("key type %q does not match key data (%s)", typ, k.Type())
	}
	return k, nil
}

func (s *AllowedSigner) parseOptions(opts string) error {
	for opts != "" {
		var opt string
		inQuote := false
		i := 0
		for ; i < len(opts); i++ {
			if opts[i] == '"' {
				inQuote = !inQuote
			} else if opts[i] == ',' && !inQuote {
				break
			}
		}
		opt, opts = opts[:i], strings.TrimPrefix(opts[i:], ",")
		name, val, hasVal := strings.Cut(opt, "=")
		name = strings.ToLower(name)
		if hasVal {
			if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
				return fmt.Errorf("option %s: value must be quoted", name)
			}
			val = val[1 : len(val)-1]
		}
		var err error
		switch name {
		case "cert-authority":
			if hasVal {
				return errors.New("cert-authority takes no value")
			}
			s.CertAuthority = true
		case "namespaces":
			if !hasVal || val == "" {
				return errors.New("namespaces needs a value")
			}
			s.Namespaces = strings.Split(val, ",")
		case "valid-after":
			s.ValidAfter, err = parseSSHTime(val, hasVal)
		case "valid-before":
			s.ValidBefore, err = parseSSHTime(val, hasVal)
		default:
			return fmt.Errorf("unknown option %q", name)
		}
		if err != nil {
			return fmt.Errorf("option %s: %w", name, err)
		}
	}
	return nil
}

// parseSSHTime parses YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with an
// optional trailing Z.
func parseSSHTime(v string, hasVal bool) (time.Time, error) {
	if !hasVal {
		return time.Time{}, errors.New("needs a value")
	}
	v = strings.TrimSuffix(v, "Z")
	var layout string
	switch len(v) {
	case 8:
		layout = "20060102"
	case 12:
		layout = "200601021504"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, fmt.Errorf("bad time %q (want YYYYMMDD[HHMM[SS]][Z])", v)
	}
	t, err := time.ParseInLocation(layout, v, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q", v)
	}
	return t, nil
}

// matchPatternList reports whether s matches an OpenSSH pattern list: "*" and
// "?" wildcards, "!" negation (a negated match rejects outright).
func matchPatternList(s string, patterns []string) bool {
	got := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if ok, _ := path.Match(sshPatternToGlob(p), s); ok {
			if neg {
				return false
			}
			got = true
		}
	}
	return got
}

// sshPatternToGlob escapes the characters path.Match treats specially but
// OpenSSH patterns do not ("[", "\\"); "*" and "?" keep their meaning, and
// "*" in OpenSSH also crosses "/", so path separators are not special for
// the identities matched here (they contain none in practice).
func sshPatternToGlob(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// sshSignerMatch is the outcome of looking a key up in AllowedSigners.
type sshSignerMatch struct {
	principals []string
	// lines are the principals of each line that accepted the key, as
	// written there: a line's negated patterns apply to its other ones.
	lines [][]string
	// problems says why lines naming this key did not accept it.
	problems []string
}

// lookup finds the principals allowed to sign with key in namespace ns at
// time at, as ssh-keygen -Y find-principals and -Y verify do.
func (a AllowedSigners) lookup(key ssh.PublicKey, ns string, at time.Time) sshSignerMatch {
	var m sshSignerMatch
	cert, isCert := key.(*ssh.Certificate)
	kb := key.Marshal()
	for _, s := range a {
		var principals []string
		if s.CertAuthority {
			if !isCert || !bytes.Equal(cert.SignatureKey.Marshal(), s.Key.Marshal()) {
				continue
			}
			if cert.CertType != ssh.UserCert {
				m.problems = append(m.problems, fmt.Sprintf("line %d: certificate is not a user certificate", s.Line))
				continue
			}
			checker := ssh.CertChecker{Clock: func() time.Time { return at }}
			var matched []string
			for _, p := range cert.ValidPrincipals {
				if matchPatternList(p, s.Principals) {
					matched = append(matched, p)
				}
			}
			if len(matched) == 0 {
				m.problems = append(m.problems, fmt.Sprintf("line %d: no certificate principal matches %s", s.Line, strings.Join(s.Principals, ",")))
				continue
			}
			if err := checker.CheckCert(matched[0], cert); err != nil {
				m.problems = append(m.problems, fmt.Sprintf("line %d: certificate: %v", s.Line, err))
				continue
			}
			principals = matched
		} else {
			if isCert || !bytes.Equal(kb, s.Key.Marshal()) {
				continue
			}
			principals = s.Principals
		}
		if len(s.Namespaces) > 0 && !matchPatternList(ns, s.Namespaces) {
			m.problems = append(m.problems, fmt.Sprintf("line %d: namespace %q not in namespaces=%q", s.Line, ns, strings.Join(s.Namespaces, ",")))
			continue
		}
		if !s.ValidAfter.IsZero() && at.Before(s.ValidAfter) {
			m.problems = append(m.problems, fmt.Sprintf("line %d: signed at %s, before valid-after %s", s.Line, at.UTC().Format(time.RFC3339), s.ValidAfter.Format(time.RFC3339)))
			continue
		}
		if !s.ValidBefore.IsZero() && !at.Before(s.ValidBefore) {
			m.problems = append(m.problems, fmt.Sprintf("line %d: signed at %s, not before valid-before %s", s.Line, at.UTC().Format(time.RFC3339), s.ValidBefore.Format(time.RFC3339)))
			continue
		}
		m.principals = append(m.principals, principals...)
		m.lines = append(m.lines, principals)
	}
	return m
}
