// Package testfill fills a value for tests that check that a copy of a
// type (a report's record of it) encodes as the type does: with every
// field set, a field one has and the other lacks shows in their JSON.
package testfill

import (
	"reflect"
	"time"
)

// Time is the time All sets: in a zone other than UTC, so that a copy
// that converts it shows too.
var Time = time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))

// All sets every exported field reachable from the value p points to to
// a non-zero value: a new value for a pointer, two elements for a slice,
// "s" for a string, true, 1, and Time for a time.Time.
func All(p any) {
	fill(reflect.ValueOf(p).Elem())
}

func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(Time))
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
