package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	dsnFile := filepath.Join(dir, "db-url")
	pgURL := "postgres://guatu:s3cret@db.example:5432/guatu?sslmode=disable"
	if err := os.WriteFile(dsnFile, []byte(pgURL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addrFile := filepath.Join(dir, "addr")
	if err := os.WriteFile(addrFile, []byte("0.0.0.0:9000"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{name: "defaults",
			want: Config{Addr: "127.0.0.1:8080", Data: "guatu-data", DB: filepath.Join("guatu-data", "guatu.db")}},
		{name: "the database follows --data",
			args: []string{"--data", "/srv/guatu"},
			want: Config{Addr: "127.0.0.1:8080", Data: "/srv/guatu", DB: "/srv/guatu/guatu.db"}},
		{name: "environment",
			env:  map[string]string{"GUATU_ADDR": ":8081", "GUATU_DATA": "/var/lib/guatu", "GUATU_DB": "/tmp/x.db"},
			want: Config{Addr: ":8081", Data: "/var/lib/guatu", DB: "/tmp/x.db"}},
		{name: "flags win over the environment",
			args: []string{"--addr", "127.0.0.1:0", "--db", "/a.db", "--demo", "--dev"},
			env:  map[string]string{"GUATU_ADDR": ":8081", "GUATU_DB": "/tmp/x.db", "GUATU_DATA": "/d"},
			want: Config{Addr: "127.0.0.1:0", Data: "/d", DB: "/a.db", Demo: true, Dev: true}},
		{name: "*_FILE reads the secret from a file and trims the line end",
			env:  map[string]string{"GUATU_DB_FILE": dsnFile, "GUATU_ADDR_FILE": addrFile},
			want: Config{Addr: "0.0.0.0:9000", Data: "guatu-data", DB: pgURL}},
		{name: "a flag wins over *_FILE",
			args: []string{"--db", "/flag.db"},
			env:  map[string]string{"GUATU_DB_FILE": dsnFile},
			want: Config{Addr: "127.0.0.1:8080", Data: "guatu-data", DB: "/flag.db"}},
		{name: "single-dash flags work too",
			args: []string{"-addr=127.0.0.1:1234", "-demo"},
			want: Config{Addr: "127.0.0.1:1234", Data: "guatu-data", DB: filepath.Join("guatu-data", "guatu.db"), Demo: true}},
		{name: "a variable and its _FILE together are ambiguous",
			env:     map[string]string{"GUATU_DB": "/x.db", "GUATU_DB_FILE": dsnFile},
			wantErr: "只能设置一个"},
		{name: "a missing _FILE is an error, not a silent default",
			env:     map[string]string{"GUATU_DB_FILE": filepath.Join(dir, "missing")},
			wantErr: "GUATU_DB_FILE"},
		{name: "an empty _FILE is an error",
			env:     map[string]string{"GUATU_DB_FILE": emptyFile},
			wantErr: "是空的"},
		{name: "the public address, without its trailing slash",
			args: []string{"--public-url", "https://gt.example.gov.cn/"},
			want: Config{Addr: "127.0.0.1:8080", Data: "guatu-data", DB: filepath.Join("guatu-data", "guatu.db"), PublicURL: "https://gt.example.gov.cn"}},
		{name: "the public address from the environment",
			env:  map[string]string{"GUATU_PUBLIC_URL": "http://10.0.0.5:8080/guatu"},
			want: Config{Addr: "127.0.0.1:8080", Data: "guatu-data", DB: filepath.Join("guatu-data", "guatu.db"), PublicURL: "http://10.0.0.5:8080/guatu"}},
		{name: "a public address must be http or https", args: []string{"--public-url", "gt.example.gov.cn"}, wantErr: "访问地址"},
		{name: "a bad address", args: []string{"--addr", "8080"}, wantErr: "监听地址"},
		{name: "a bad port", args: []string{"--addr", "127.0.0.1:http99"}, wantErr: "端口"},
		{name: "an empty flag", args: []string{"--db", " "}, wantErr: "--db 不能为空"},
		{name: "an unknown flag", args: []string{"--port", "80"}, wantErr: "参数有误"},
		{name: "a stray argument", args: []string{"now"}, wantErr: "不接受参数"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadConfig(tc.args, envOf(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("loadConfig = %+v, %v; want an error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("loadConfig = %+v\nwant          %+v", got, tc.want)
			}
		})
	}
}

func TestParseArgs_FlagsAroundPositionals(t *testing.T) {
	fs := newFlagSet("user add")
	name := fs.String("name", "", "")
	unit := fs.String("unit", "", "")
	pos, err := parseArgs(fs, []string{"--unit", "3", "zhangsan", "--name", "张三", "--", "--literal"})
	if err != nil {
		t.Fatal(err)
	}
	if *name != "张三" || *unit != "3" || len(pos) != 2 || pos[0] != "zhangsan" || pos[1] != "--literal" {
		t.Errorf("name %q unit %q positionals %q", *name, *unit, pos)
	}
}

func TestDisplayWidth_CountsChineseAsTwo(t *testing.T) {
	for s, want := range map[string]int{"chief": 5, "周建华": 6, "经办人@XX镇": 11, "（经发办）": 10} {
		if got := displayWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, want)
		}
	}
}
