package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"guatu/db"
)

// Config is where the program finds its database and how it serves. It
// comes from flags, then environment variables, then defaults (STYLE.md §7:
// no config file, no package-level state).
type Config struct {
	Addr string // listen address, host:port; port 0 picks a free port
	DB   string // SQLite file path or postgres:// URL
	Data string // data directory (the SQLite file by default, attachments later)
	Demo bool   // seed and show the demo town
	Dev  bool   // text logs, templates read from ./web
	// PublicURL is the address people open Guatu at, for the links in
	// DingTalk and WeCom messages; empty leaves those links out.
	PublicURL string
}

// The defaults: a folder next to where the program is started, so the
// README's one command works from a fresh clone.
const (
	defaultAddr = "127.0.0.1:8080"
	defaultData = "guatu-data"
	dbFileName  = "guatu.db"
)

// configFlags are the flags every command shares, before resolving against
// the environment. serve adds the listening flags.
type configFlags struct {
	fs              *flag.FlagSet
	addr, db, data  string
	publicURL       string
	demo, dev       bool
	withServerFlags bool
}

// newFlagSet returns a flag set that reports errors to the caller instead of
// printing and exiting, so run can be tested.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// bindConfig adds --db and --data (and for serve --addr, --demo, --dev) to fs.
func bindConfig(fs *flag.FlagSet, server bool) *configFlags {
	c := &configFlags{fs: fs, withServerFlags: server}
	fs.StringVar(&c.db, "db", "", "数据库：SQLite 文件路径，或 postgres://… 地址（环境变量 GUATU_DB、GUATU_DB_FILE）")
	fs.StringVar(&c.data, "data", "", "数据目录，默认 ./"+defaultData+"（环境变量 GUATU_DATA、GUATU_DATA_FILE）")
	if server {
		fs.StringVar(&c.addr, "addr", "", "监听地址，默认 "+defaultAddr+"（环境变量 GUATU_ADDR、GUATU_ADDR_FILE）")
		fs.BoolVar(&c.demo, "demo", false, "空数据库时载入演示镇“XX镇”并显示演示账号")
		fs.BoolVar(&c.dev, "dev", false, "开发模式：文本日志，每次请求从 ./web 读取模板")
		fs.StringVar(&c.publicURL, "public-url", "", "访问地址，如 https://gt.example.gov.cn，群机器人消息中的链接以它开头（环境变量 GUATU_PUBLIC_URL）")
	}
	return c
}

// resolve applies the precedence flag > environment > default.
func (c *configFlags) resolve(getenv func(string) string) (Config, error) {
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	pick := func(flagName, flagValue, env, def string) (string, error) {
		if set[flagName] {
			if strings.TrimSpace(flagValue) == "" {
				return "", fmt.Errorf("--%s 不能为空", flagName)
			}
			return strings.TrimSpace(flagValue), nil
		}
		v, err := fromEnv(getenv, env)
		if err != nil || v != "" {
			return v, err
		}
		return def, nil
	}
	var cfg Config
	var err error
	if cfg.Data, err = pick("data", c.data, "GUATU_DATA", defaultData); err != nil {
		return cfg, err
	}
	if cfg.DB, err = pick("db", c.db, "GUATU_DB", filepath.Join(cfg.Data, dbFileName)); err != nil {
		return cfg, err
	}
	if c.withServerFlags {
		if cfg.Addr, err = pick("addr", c.addr, "GUATU_ADDR", defaultAddr); err != nil {
			return cfg, err
		}
		if err := checkAddr(cfg.Addr); err != nil {
			return cfg, err
		}
		cfg.Demo, cfg.Dev = c.demo, c.dev
		if cfg.PublicURL, err = pick("public-url", c.publicURL, "GUATU_PUBLIC_URL", ""); err != nil {
			return cfg, err
		}
		if cfg.PublicURL, err = checkPublicURL(cfg.PublicURL); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// fromEnv reads NAME, or the file named by NAME_FILE: a PostgreSQL URL
// carries a password, which belongs in a file readable only by the service
// (a container secret or systemd credential), not in the environment.
func fromEnv(getenv func(string) string, name string) (string, error) {
	plain, file := strings.TrimSpace(getenv(name)), strings.TrimSpace(getenv(name+"_FILE"))
	switch {
	case plain != "" && file != "":
		return "", fmt.Errorf("环境变量 %s 和 %s_FILE 只能设置一个", name, name)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("读取 %s_FILE 指定的文件 %s 失败：%w", name, file, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("%s_FILE 指定的文件 %s 是空的", name, file)
		}
		return v, nil
	}
	return plain, nil
}

// checkAddr accepts host:port with a port from 0 (any free port) to 65535.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("监听地址 %q 无效，应为“主机:端口”，例如 %s", addr, defaultAddr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("监听地址 %q 的端口无效", addr)
	}
	return nil
}

// checkPublicURL accepts an http(s) address with no query or fragment and
// returns it without a trailing slash ("" stays ""), so paths append to it.
func checkPublicURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("访问地址 %q 无效，应形如 https://gt.example.gov.cn", v)
	}
	return strings.TrimSuffix(v, "/"), nil
}

// parseArgs parses flags that may come before, between or after positional
// arguments (`user add NAME --name 张三`), which the flag package alone stops at.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("参数有误：%w", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil // everything after "--" is positional
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// loadConfig reads serve's configuration from its arguments and the
// environment (getenv is os.Getenv outside tests).
func loadConfig(args []string, getenv func(string) string) (Config, error) {
	fs := newFlagSet("serve")
	c := bindConfig(fs, true)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return Config{}, err
	}
	if len(pos) > 0 {
		return Config{}, fmt.Errorf("serve 不接受参数 %q", strings.Join(pos, " "))
	}
	return c.resolve(getenv)
}

// describeDB names the database for the operator, without a password.
func describeDB(dsn string) string {
	if db.IsPostgresURL(dsn) {
		return db.Redacted(dsn) + "（PostgreSQL）"
	}
	if abs, err := filepath.Abs(strings.TrimPrefix(dsn, "sqlite:")); err == nil {
		return abs + "（SQLite）"
	}
	return dsn + "（SQLite）"
}
