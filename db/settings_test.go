package db_test

import (
	"context"
	"testing"

	"guatu/db"
	"guatu/db/dbtest"
)

// A setting reads back as stored, a missing one leaves the defaults, and a
// second save replaces the first.
func TestSetting_RoundTrip(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	type rules struct{ Day, Limit int }
	got := rules{Day: 25, Limit: 5}
	if found, err := db.LoadSetting(ctx, d, "t.rules", &got); found || err != nil || got != (rules{25, 5}) {
		t.Fatalf("missing setting: found %v, %v, %+v", found, err, got)
	}
	for _, v := range []rules{{20, 3}, {28, 7}} {
		if err := d.InTx(ctx, func(tx *db.Tx) error { return db.SaveSetting(ctx, tx, "t.rules", v, 1) }); err != nil {
			t.Fatal(err)
		}
	}
	if found, err := db.LoadSetting(ctx, d, "t.rules", &got); !found || err != nil || got != (rules{28, 7}) {
		t.Errorf("stored setting: found %v, %v, %+v", found, err, got)
	}
	var wrong []string
	if _, err := db.LoadSetting(ctx, d, "t.rules", &wrong); err == nil {
		t.Error("a setting read into the wrong type gives no error")
	}
}
