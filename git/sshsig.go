package git

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// sshsig is a parsed SSH signature (OpenSSH PROTOCOL.sshsig).
type sshsig struct {
	publicKey ssh.PublicKey
	namespace string
	reserved  []byte
	hashAlg   string
	signature *ssh.Signature
}

const (
	sshsigBegin = "-----BEGIN SSH SIGNATURE-----"
	sshsigEnd   = "-----END SSH SIGNATURE-----"
	// maxSignatureLen caps an armored signature; real ones are under 2 KiB,
	// certificates included.
	maxSignatureLen = 64 << 10
)

// unarmorSSHSig decodes an armored SSH signature. It rejects anything after
// the end line except whitespace.
func unarmorSSHSig(armored string) (*sshsig, error) {
	if len(armored) > maxSignatureLen {
		return nil, fmt.Errorf("ssh signature is %d bytes, more than the %d-byte cap", len(armored), maxSignatureLen)
	}
	s := strings.TrimSpace(armored)
	if !strings.HasPrefix(s, sshsigBegin) {
		return nil, errors.New("ssh signature: missing BEGIN SSH SIGNATURE line")
	}
	s = strings.TrimPrefix(s, sshsigBegin)
	end := strings.Index(s, sshsigEnd)
	if end < 0 {
		return nil, errors.New("ssh signature: missing END SSH SIGNATURE line")
	}
	if strings.TrimSpace(s[end+len(sshsigEnd):]) != "" {
		return nil, errors.New("ssh signature: data after END SSH SIGNATURE line")
	}
	body := strings.Join(strings.Fields(s[:end]), "")
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("ssh signature: base64: %w", err)
	}
	return parseSSHSig(raw)
}

// parseSSHSig parses the binary SSHSIG blob.
func parseSSHSig(b []byte) (*sshsig, error) {
	if !bytes.HasPrefix(b, []byte("SSHSIG")) {
		return nil, errors.New("ssh signature: missing SSHSIG magic at byte 0")
	}
	r := &wireReader{b: b, off: 6}
	ver, err := r.uint32()
	if err != nil {
		return nil, err
	}
	if ver != 1 {
		return nil, fmt.Errorf("ssh signature: unsupported version %d at byte 6", ver)
	}
	pk, err := r.str("public key")
	if err != nil {
		return nil, err
	}
	ns, err := r.str("namespace")
	if err != nil {
		return nil, err
	}
	reserved, err := r.str("reserved")
	if err != nil {
		return nil, err
	}
	hashAlg, err := r.str("hash algorithm")
	if err != nil {
		return nil, err
	}
	sigOff := r.off
	sigBlob, err := r.str("signature")
	if err != nil {
		return nil, err
	}
	if r.off != len(b) {
		return nil, fmt.Errorf("ssh signature: %d trailing bytes at byte %d", len(b)-r.off, r.off)
	}
	pub, err := ssh.ParsePublicKey(pk)
	if err != nil {
		return nil, fmt.Errorf("ssh signature: public key at byte 10: %w", err)
	}
	sig := new(ssh.Signature)
	sr := &wireReader{b: sigBlob}
	format, err := sr.str("signature format")
	if err != nil {
		return nil, fmt.Errorf("ssh signature at byte %d: %w", sigOff, err)
	}
	blob, err := sr.str("signature blob")
	if err != nil {
		return nil, fmt.Errorf("ssh signature at byte %d: %w", sigOff, err)
	}
	sig.Format, sig.Blob = string(format), blob
	if sr.off < len(sigBlob) {
		// Security-key signatures carry flags and a counter after the blob.
		sig.Rest = sigBlob[sr.off:]
	}
	return &sshsig{publicKey: pub, namespace: string(ns), reserved: reserved, hashAlg: string(hashAlg), signature: sig}, nil
}

// signedData returns the blob the SSH signature is made over for message m.
func (s *sshsig) signedData(m []byte) ([]byte, error) {
	var digest []byte
	switch s.hashAlg {
	case "sha256":
		d := sha256.Sum256(m)
		digest = d[:]
	case "sha512":
		d := sha512.Sum512(m)
		digest = d[:]
	default:
		return nil, fmt.Errorf("ssh signature: unsupported hash algorithm %q", s.hashAlg)
	}
	var b []byte
	b = append(b, "SSHSIG"...)
	b = appendString(b, []byte(s.namespace))
	b = appendString(b, s.reserved)
	b = appendString(b, []byte(s.hashAlg))
	b = appendString(b, digest)
	return b, nil
}

// verify checks the signature over message m in namespace ns with the
// signature's embedded key. It does not say whether the key is trusted.
func (s *sshsig) verify(m []byte, ns string) error {
	if s.namespace != ns {
		return fmt.Errorf("ssh signature namespace is %q, want %q", s.namespace, ns)
	}
	if s.signature.Format == ssh.KeyAlgoRSA || s.signature.Format == ssh.CertAlgoRSAv01 {
		// PROTOCOL.sshsig: RSA signatures must use rsa-sha2-256 or rsa-sha2-512.
		return fmt.Errorf("ssh signature uses %s (SHA-1), not allowed for SSHSIG", s.signature.Format)
	}
	data, err := s.signedData(m)
	if err != nil {
		return err
	}
	if err := s.publicKey.Verify(data, s.signature); err != nil {
		return fmt.Errorf("ssh signature does not verify: %w", err)
	}
	return nil
}

func appendString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// wireReader reads SSH wire-format fields with bounds checks.
type wireReader struct {
	b   []byte
	off int
}

func (r *wireReader) uint32() (uint32, error) {
	if len(r.b)-r.off < 4 {
		return 0, fmt.Errorf("ssh signature: truncated at byte %d", r.off)
	}
	v := binary.BigEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v, nil
}

func (r *wireReader) str(what string) ([]byte, error) {
	start := r.off
	n, err := r.uint32()
	if err != nil {
		return nil, fmt.Errorf("ssh signature: %s length: truncated at byte %d", what, start)
	}
	if uint64(n) > uint64(len(r.b)-r.off) {
		return nil, fmt.Errorf("ssh signature: %s at byte %d claims %d bytes, %d remain", what, start, n, len(r.b)-r.off)
	}
	v := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return v, nil
}
