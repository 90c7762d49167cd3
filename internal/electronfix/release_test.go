package electronfix

import (
	"bytes"
	"debug/macho"
	"debug/pe"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

func TestReleasesAreDeterministic(t *testing.T) {
	for _, gen := range []func(Spec) (*Release, error){Windows, MacOS} {
		a, err := gen(Trojanized())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := gen(Trojanized())
		for p, d := range a.Files {
			if !bytes.Equal(d, b.Files[p]) {
				t.Errorf("%s differs between two runs", p)
			}
		}
	}
}

func TestWindowsBinaries(t *testing.T) {
	pki := NewPKI()
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{pki.Root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		spec   Spec
		file   string
		status signing.Status
	}{
		{Clean(), AppName + ".exe", signing.StatusValid},
		{Clean(), "ffmpeg.dll", signing.StatusUnsigned},
		{Trojanized(), "ffmpeg.dll", signing.StatusValid},
		{Clean(), "d3dcompiler_47.dll", signing.StatusValid},
	}
	for _, c := range cases {
		r, err := Windows(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		d := r.Files[c.file]
		if _, err := pe.NewFile(bytes.NewReader(d)); err != nil {
			t.Errorf("%s: debug/pe: %v", c.file, err)
		}
		res, err := authenticode.Verify(bytes.NewReader(d), int64(len(d)), authenticode.Options{Trust: trust})
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if res.Status != c.status {
			t.Errorf("%s (%+v): status %v, want %v", c.file, c.spec, res.Status, c.status)
		}
	}
}

func TestMacOSBinaries(t *testing.T) {
	r, err := MacOS(Clean())
	if err != nil {
		t.Fatal(err)
	}
	fw := r.Files["Contents/Frameworks/Electron Framework.framework/Versions/A/Electron Framework"]
	ff, err := macho.NewFatFile(bytes.NewReader(fw))
	if err != nil {
		t.Fatal(err)
	}
	if len(ff.Arches) != 2 || ff.Arches[0].Cpu != macho.CpuAmd64 || ff.Arches[1].Cpu != macho.CpuArm64 {
		t.Errorf("arches = %+v", ff.Arches)
	}
	if n := bytes.Count(fw, []byte(FuseSentinel)); n != 2 {
		t.Errorf("%d fuse wires, want one per slice", n)
	}
}
