package sigstore

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/signature"
	"google.golang.org/protobuf/encoding/protojson"
)

// sigstoreFixture is a Sigstore deployment made by sigstore-go's virtual test
// CA (Fulcio, Rekor, TSA and CT log keys) with the trusted root that
// describes it, and real bundles produced against it.
type sigstoreFixture struct {
	vs *ca.VirtualSigstore
	// trustedRoot lists the Fulcio CA, the TSA and the Rekor log; rootWithCT
	// also lists the virtual CT log (whose SCTs the virtual leaves lack).
	trustedRoot, rootWithCT []byte
}

const (
	fixtureSAN    = "release@example.com"
	fixtureIssuer = "https://accounts.example.com"
)

func newSigstoreFixture(t testing.TB) *sigstoreFixture {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	// The virtual CA's log map uses the hex key ID as TransparencyLog.ID;
	// a trusted_root.json carries the raw key ID, so rebuild the entries.
	logs := map[string]*root.TransparencyLog{}
	for id, l := range vs.RekorLogs() {
		c := *l
		raw, err := hex.DecodeString(id)
		if err != nil {
			t.Fatal(err)
		}
		c.ID = raw
		logs[id] = &c
	}
	ctlogs := map[string]*root.TransparencyLog{}
	for id, l := range vs.CTLogs() {
		c := *l
		raw, _ := hex.DecodeString(id)
		c.ID = raw
		c.ValidityPeriodStart = time.Now().Add(-time.Hour)
		ctlogs[id] = &c
	}
	mk := func(ct map[string]*root.TransparencyLog) []byte {
		tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, vs.FulcioCertificateAuthorities(), ct, vs.TimestampingAuthorities(), logs)
		if err != nil {
			t.Fatal(err)
		}
		b, err := tr.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return &sigstoreFixture{vs: vs, trustedRoot: mk(nil), rootWithCT: mk(ctlogs)}
}

// bundleSpec describes a bundle to make.
type bundleSpec struct {
	// key, when set, signs (keyed bundle); else a Fulcio leaf for san/issuer.
	key         crypto.Signer
	san, issuer string
	// noTlog and noTimestamp leave those parts out; noProof keeps only the
	// signed entry timestamp of the log entry (a v0.1 bundle: v0.2 and later
	// require the proof).
	noTlog, noTimestamp, noProof bool
	// signed overrides the bytes that are signed (artifact by default).
	signed []byte
}

// messageBundle returns a v0.3 message-signature bundle over artifact.
func (f *sigstoreFixture) messageBundle(t testing.TB, artifact []byte, s bundleSpec) []byte {
	t.Helper()
	signed := artifact
	if s.signed != nil {
		signed = s.signed
	}
	var priv crypto.Signer
	var keyPEM []byte
	vm := &protobundle.VerificationMaterial{}
	if s.key != nil {
		priv = s.key
		der, err := x509.MarshalPKIXPublicKey(priv.Public())
		if err != nil {
			t.Fatal(err)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		sum := sha256.Sum256(der)
		vm.Content = &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: base64.StdEncoding.EncodeToString(sum[:])}}
	} else {
		leaf, k, err := f.vs.GenerateLeafCert(s.san, s.issuer)
		if err != nil {
			t.Fatal(err)
		}
		priv = k.(crypto.Signer)
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
		vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: leaf.Raw}}
	}
	signer, err := signature.LoadSigner(priv, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signer.SignMessage(bytes.NewReader(signed))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(artifact)
	if !s.noTimestamp {
		tsr, err := f.vs.TimestampResponse(sig)
		if err != nil {
			t.Fatal(err)
		}
		vm.TimestampVerificationData = &protobundle.TimestampVerificationData{
			Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: tsr}},
		}
	}
	if !s.noTlog {
		vm.TlogEntries = []*protorekor.TransparencyLogEntry{f.hashedRekordEntry(t, digest[:], sig, keyPEM, !s.noProof)}
	}
	mediaType := "application/vnd.dev.sigstore.bundle.v0.3+json"
	if s.noProof {
		mediaType = "application/vnd.dev.sigstore.bundle+json;version=0.1"
	}
	b := &protobundle.Bundle{
		MediaType:            mediaType,
		VerificationMaterial: vm,
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: digest[:]},
			Signature:     sig,
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	c, err := canonicalJSON(out)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hashedRekordEntry makes a Rekor v1 hashedrekord entry for a signature, with
// a signed entry timestamp and (when proof) an inclusion proof in a one-leaf
// tree under a checkpoint signed by the virtual log.
func (f *sigstoreFixture) hashedRekordEntry(t testing.TB, digest, sig, keyPEM []byte, proof bool) *protorekor.TransparencyLogEntry {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"apiVersion": "0.0.1",
		"kind":       "hashedrekord",
		"spec": map[string]any{
			"data": map[string]any{"hash": map[string]any{"algorithm": "sha256", "value": hex.EncodeToString(digest)}},
			"signature": map[string]any{
				"content":   base64.StdEncoding.EncodeToString(sig),
				"publicKey": map[string]any{"content": base64.StdEncoding.EncodeToString(keyPEM)},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	logIDHex, err := f.vs.RekorLogID()
	if err != nil {
		t.Fatal(err)
	}
	logID, _ := hex.DecodeString(logIDHex)
	integrated := time.Now().Add(5 * time.Minute).Unix()
	set, err := f.vs.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(body),
		IntegratedTime: integrated,
		LogIndex:       0,
		LogID:          logIDHex,
	})
	if err != nil {
		t.Fatal(err)
	}
	tle := &protorekor.TransparencyLogEntry{
		LogIndex:          0,
		LogId:             &protocommon.LogId{KeyId: logID},
		KindVersion:       &protorekor.KindVersion{Kind: "hashedrekord", Version: "0.0.1"},
		IntegratedTime:    integrated,
		InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: set},
		CanonicalizedBody: body,
	}
	if proof {
		p, err := f.vs.GetInclusionProof(body)
		if err != nil {
			t.Fatal(err)
		}
		rootHash, _ := hex.DecodeString(*p.RootHash)
		var hashes [][]byte
		for _, h := range p.Hashes {
			hb, _ := hex.DecodeString(h)
			hashes = append(hashes, hb)
		}
		tle.InclusionProof = &protorekor.InclusionProof{
			LogIndex:   *p.LogIndex,
			RootHash:   rootHash,
			TreeSize:   *p.TreeSize,
			Hashes:     hashes,
			Checkpoint: &protorekor.Checkpoint{Envelope: *p.Checkpoint},
		}
	}
	return tle
}

func newP256(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// dsseBundle returns a v0.3 DSSE bundle over an in-toto statement, signed by
// a Fulcio leaf for san/issuer, with a dsse log entry (proof and signed entry
// timestamp) and an RFC 3161 timestamp.
func (f *sigstoreFixture) dsseBundle(t testing.TB, statement []byte, san, issuer string) []byte {
	t.Helper()
	ent, err := f.vs.AttestAtTime(san, issuer, statement, time.Now().Add(5*time.Minute), true)
	if err != nil {
		t.Fatal(err)
	}
	vc, err := ent.VerificationContent()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ent.SignatureContent()
	if err != nil {
		t.Fatal(err)
	}
	raw := sc.EnvelopeContent().RawEnvelope()
	payload, err := base64.StdEncoding.DecodeString(raw.Payload)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.StdEncoding.DecodeString(raw.Signatures[0].Sig)
	if err != nil {
		t.Fatal(err)
	}
	tss, err := ent.Timestamps()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ent.TlogEntries()
	if err != nil {
		t.Fatal(err)
	}
	tle := entries[0].TransparencyLogEntry()
	tle.KindVersion = &protorekor.KindVersion{Kind: "dsse", Version: "0.0.1"}
	set, err := f.vs.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(tle.CanonicalizedBody),
		IntegratedTime: tle.IntegratedTime,
		LogIndex:       tle.LogIndex,
		LogID:          hex.EncodeToString(tle.LogId.KeyId),
	})
	if err != nil {
		t.Fatal(err)
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	b := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TlogEntries: []*protorekor.TransparencyLogEntry{tle},
			TimestampVerificationData: &protobundle.TimestampVerificationData{
				Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: tss[0]}},
			},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     payload,
			PayloadType: raw.PayloadType,
			Signatures:  []*protodsse.Signature{{Sig: sig, Keyid: raw.Signatures[0].KeyID}},
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// canonicalJSON re-encodes a JSON document with sorted keys and no
// insignificant whitespace, so regenerated fixtures are stable.
func canonicalJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
