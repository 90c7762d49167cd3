package authenticode

import (
	"crypto"
	"strings"
	"time"
)

// md5CodeSigningCutoff is the signing time before which Windows still
// accepts a code-signing chain through an MD5-signed certificate: the MD5
// deprecation (security advisory 2862973, KB2862973, enforced from
// February 2014 and built into Windows 8.1 and Server 2012 R2) refuses MD5
// certificates for code signing and time stamping, but "allow[s] signed
// binaries that were signed before March 2009 to continue to work". The
// date must come from a verified timestamp; without one the chain is
// checked as of now, and refused.
var md5CodeSigningCutoff = time.Date(2009, time.March, 1, 0, 0, 0, 0, time.UTC)

// refuseMD5Chain reports whether the code-signing chain is checked with
// MD5-signed certificates refused: always, unless a verified timestamp that
// counts dates the signature before md5CodeSigningCutoff.
func (j *judgement) refuseMD5Chain() bool {
	ts := j.sig.Timestamp
	return ts == nil || !ts.Counts() || !ts.Latest().Before(md5CodeSigningCutoff)
}

// md5Bindings lists what binds the signed content with MD5: the signed
// Authenticode digest (SpcIndirectDataContent), the signer's digest of the
// signed attributes or its signature algorithm, and a catalog's member
// digests. MD5 chosen-prefix collisions are practical (Flame forged a
// code-signing certificate with one in 2012; colliding PE files under one
// MD5 Authenticode signature have been shown since 2009), so a content
// bound only by MD5 is not bound against a forger: such a signature is
// invalid, as an xar table of contents with an MD5 checksum is in
// signing/pkg (pkg/weak-checksum). An MD5-signed certificate is a trust
// matter instead, see refuseMD5Chain.
func (j *judgement) md5Bindings() []string {
	var out []string
	if spc := j.s.spc; spc != nil && spc.hash == crypto.MD5 {
		out = append(out, j.sub.what()+" digest md5")
	}
	if j.chk.Hash == crypto.MD5 || j.chk.WeakHash == crypto.MD5 {
		out = append(out, "signer digest md5")
	}
	for _, w := range j.weak {
		if strings.HasPrefix(w, "member digests ") && strings.HasSuffix(w, "md5") {
			out = append(out, w)
		}
	}
	return out
}
