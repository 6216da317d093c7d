// Command guatu is the whole of Guatu (挂图作战) in one binary: the web
// server and the operator's commands (accounts, backups, the audit check).
//
//	guatu serve --demo        # the demo town on http://127.0.0.1:8080
//	guatu help                # every command
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"guatu/apperr"
	"guatu/db"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	go func() {
		// After the first signal the default behaviour comes back, so a
		// second Ctrl-C ends a shutdown that is taking too long.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(report(os.Stderr, err))
}

// run is the program without the process around it: tests call it with
// their own context, arguments and output.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runWith(ctx, args, options{stdout: stdout, stderr: stderr, getenv: os.Getenv})
}

// options are what a command gets from its surroundings.
type options struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// wrap, when set, wraps the web handler; tests use it to add a slow route.
	wrap func(http.Handler) http.Handler
}

// command is one subcommand.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, o options, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "[--addr 127.0.0.1:8080] [--db 路径|postgres://…] [--data 目录] [--public-url https://…] [--demo] [--dev]", "启动网页服务", serve},
		{"migrate", "", "升级数据库结构并列出已应用的迁移", migrate},
		{"user", "add 用户名 --name 姓名 --unit 单位编号 [--role 角色] [--password-file 文件]", "新建账号（不给密码文件则生成临时密码）", userCmd},
		{"user", "passwd 用户名 [--password-file 文件]", "重置密码（不给密码文件则生成临时密码），下次登录须修改", userCmd},
		{"user", "reset-totp 用户名", "重置动态口令和恢复码（手机和恢复码都丢失时），下次登录后重新绑定", userCmd},
		{"user", "disable|enable 用户名", "停用（并立即结束其会话）或启用账号", userCmd},
		{"user", "list", "列出账号：用户名、姓名、单位、角色、状态", userCmd},
		{"unit", "list", "列出单位及其编号（新建账号时 --unit 用）", unitCmd},
		{"import", "projects 文件.xlsx [--dry-run] [--year 年度]", "从 Excel 导入项目：先逐行检查，全部无误才导入，有编号或同名的更新已有项目", importCmd},
		{"backup", "--out 文件", "在服务运行时备份 SQLite 数据库，并做完整性检查", backup},
		{"restore", "--from 文件 [--force]", "从备份恢复到 --db 指定的位置（先停止服务；目标已有数据时须加 --force）", restore},
		{"audit", "verify", "校验审计记录的哈希链，指出第一条被改动或删除的记录", auditCmd},
		{"version", "", "显示版本", versionCmd},
	}
}

// usage is the help text listing every command.
func usage() string {
	var b strings.Builder
	b.WriteString("Guatu 挂图作战 " + version + "\n\n用法：guatu 命令 [参数]\n\n")
	for _, c := range commands() {
		line := "  guatu " + c.name
		if c.args != "" {
			line += " " + c.args
		}
		fmt.Fprintf(&b, "%s\n      %s\n", line, c.summary)
	}
	b.WriteString(`
所有命令都接受 --db 和 --data；未给出时依次读取环境变量 GUATU_DB、GUATU_DATA
（serve 还有 GUATU_ADDR、GUATU_PUBLIC_URL）。含密码的值可放在文件里，用 GUATU_DB_FILE 等 *_FILE 变量指定。
默认数据目录 ./guatu-data，默认数据库 ./guatu-data/guatu.db。
角色：chief 主要领导、leader 分管领导、supervisor 督查室、staff 经办人、viewer 查看、
      sysadmin 系统管理员、secadmin 安全管理员、auditor 审计管理员。
`)
	return b.String()
}

func runWith(ctx context.Context, args []string, o options) error {
	if len(args) == 0 {
		fmt.Fprint(o.stderr, usage())
		return usageError("请指定命令")
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(o.stdout, usage())
		return nil
	}
	i := slices.IndexFunc(commands(), func(c command) bool { return c.name == name })
	if i < 0 {
		fmt.Fprint(o.stderr, usage())
		return usageError(fmt.Sprintf("没有“%s”这个命令", name))
	}
	err := commands()[i].run(ctx, o, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(o.stdout, usage())
		return nil
	}
	return err
}

// usageError is a mistake in the command line.
type usageError string

func (e usageError) Error() string { return string(e) + "（guatu help 查看用法）" }

// exitStatus is a failure already shown to the operator; only the status remains.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// fieldNames maps the domain's form fields to what the operator typed.
var fieldNames = map[string]string{
	"username":     "用户名",
	"display_name": "--name",
	"unit_id":      "--unit",
	"person_id":    "对应人员",
	"password":     "密码",
	"role":         "--role",
}

// report prints err for the operator and returns the exit status: the
// apperr message with every field message, or the error text.
func report(w io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var st exitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	if ae, ok := apperr.As(err); ok {
		fmt.Fprintln(w, "错误："+ae.Msg)
		keys := make([]string, 0, len(ae.Fields))
		for k := range ae.Fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			label := fieldNames[k]
			if label == "" {
				label = k
			}
			fmt.Fprintf(w, "  %s：%s\n", label, ae.Fields[k])
		}
		return 1
	}
	if errors.Is(err, db.ErrPostgresBackup) {
		fmt.Fprintln(w, err.Error())
		return 1
	}
	fmt.Fprintln(w, "错误："+err.Error())
	return 1
}
