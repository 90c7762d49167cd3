package git

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// fill sets every exported field reachable from v to a non-zero value, so
// that a field one type has and a copy of it lacks shows in their JSON.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i))
		}
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	}
}

// TestReportRecordsKeepJSON: the report's commits and tags encode as the
// audit's Commit and Tag do, so "commits" keeps its shape.
func TestReportRecordsKeepJSON(t *testing.T) {
	var c Commit
	fill(reflect.ValueOf(&c).Elem())
	c.Signature.Status = signing.StatusInvalid
	want, _ := json.Marshal(c)
	got, _ := json.Marshal(c.record())
	if !bytes.Equal(got, want) {
		t.Errorf("commit record:\n%s\nCommit:\n%s", got, want)
	}
	var tag Tag
	fill(reflect.ValueOf(&tag).Elem())
	want, _ = json.Marshal(tag)
	got, _ = json.Marshal(tag.record())
	if !bytes.Equal(got, want) {
		t.Errorf("tag record:\n%s\nTag:\n%s", got, want)
	}
	c.Signature = nil
	if r := c.record(); r.Signature != nil {
		t.Error("unsigned commit recorded with a signature")
	}
}
