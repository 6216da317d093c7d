package db

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrInUse says another process holds the database (a running server).
var ErrInUse = errors.New("数据库正被另一个 guatu 进程使用（服务正在运行？），请先停止它")

// Lock takes an exclusive advisory lock on path+".lock" for the life of the
// process: `serve` holds it, so a second server or a restore on the same
// SQLite file is refused instead of corrupting it. release frees it.
func Lock(path string) (release func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("db.Lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("db.Lock: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
