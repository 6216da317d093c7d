package web

import (
	"fmt"
	"net/http"
	"strconv"

	"guatu/auth"
	"guatu/db"
	"guatu/notify"
	"guatu/org"
)

// Notifications: every signed-in person's inbox (消息), and the DingTalk
// and WeCom group robots the supervision office and the system
// administrator set up (群机器人).

// inboxPerPage is how many notices the inbox shows at a time.
const inboxPerPage = 30

type inboxPage struct {
	Base
	Notices []*notify.Notice
	Pager   pager
}

// inbox lists my notices, unread first.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) error {
	page := pageParam(r)
	list, total, err := notify.Inbox(r.Context(), s.db, actor(r), page, inboxPerPage)
	if err != nil {
		return err
	}
	p := inboxPage{Base: s.base(r, "消息", "inbox"), Notices: list,
		Pager: newPager(page, total, inboxPerPage, func(n int) string { return "/inbox?page=" + strconv.Itoa(n) })}
	return s.render(w, r, http.StatusOK, "inbox", p)
}

// inboxRead opens a notice: it becomes read, and the reader goes to the
// page it is about (or back to the inbox when it has none).
func (s *Server) inboxRead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var n *notify.Notice
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		n, err = notify.MarkRead(r.Context(), tx, actor(r), id)
		return err
	})
	if err != nil {
		return err
	}
	if n.Link == "" {
		return s.redirect(w, r, "/inbox", "")
	}
	return s.redirect(w, r, safeNext(n.Link), "")
}

// inboxReadAll marks every notice of mine read.
func (s *Server) inboxReadAll(w http.ResponseWriter, r *http.Request) error {
	var n int64
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		n, err = notify.MarkAllRead(r.Context(), tx, actor(r))
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return s.redirect(w, r, "/inbox", "没有未读消息")
	}
	return s.redirect(w, r, "/inbox", fmt.Sprintf("已将 %d 条消息标为已读", n))
}

func robotURL(id int64) string { return "/settings/robots/" + strconv.FormatInt(id, 10) }

type robotListPage struct {
	Base
	Channels []*notify.Channel
}

// robotList lists the robots I may manage.
func (s *Server) robotList(w http.ResponseWriter, r *http.Request) error {
	list, err := notify.Channels(r.Context(), s.db, actor(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "robot_list", robotListPage{Base: s.base(r, "群机器人", "robots"), Channels: list})
}

type robotFormPage struct {
	Base
	Channel   *notify.Channel // the stored robot on an edit, nil on create
	Input     notify.ChannelInput
	Town      bool // the 全镇 choice is offered
	Units     []unitOption
	Platforms []option
	Kinds     []notify.Kind
	Errors    map[string]string
	Error     string
	// SecretTyped: a secret was typed into a refused form; it is not sent
	// back, so the page asks for it again.
	SecretTyped bool
}

// robotForm renders the robot form with the scopes the actor may choose.
func (s *Server) robotForm(w http.ResponseWriter, r *http.Request, status int, p robotFormPage) error {
	a := actor(r)
	if err := notify.RequireChannels(a); err != nil {
		return err
	}
	title := "新建群机器人"
	if p.Channel != nil {
		title = "编辑群机器人"
	}
	p.Base = s.base(r, title, "robots")
	var err error
	if p.Town, err = notify.ManagesTown(r.Context(), s.db, a); err != nil {
		return err
	}
	if p.Units, err = s.unitOptions(r, func(u *org.Unit) bool { return !u.Disabled && auth.Can(a, auth.ManageChannels, u.Path) }); err != nil {
		return err
	}
	for _, pl := range notify.Platforms {
		p.Platforms = append(p.Platforms, option{Value: string(pl), Label: pl.Label()})
	}
	p.Kinds = notify.Kinds
	return s.render(w, r, status, "robot_form", p)
}

func robotInput(r *http.Request) notify.ChannelInput {
	return notify.ChannelInput{Scope: r.PostFormValue("scope"), Platform: r.PostFormValue("platform"),
		Name: r.PostFormValue("name"), Webhook: r.PostFormValue("webhook"), Secret: r.PostFormValue("secret"),
		ClearSecret: r.PostFormValue("clear_secret") != "", Kinds: r.PostForm["kinds"], Enabled: r.PostFormValue("enabled") != ""}
}

// refused is the form page after a refusal: what was typed comes back,
// except the secret.
func refused(in notify.ChannelInput, fields map[string]string, msg string) robotFormPage {
	p := robotFormPage{Input: in, Errors: fields, Error: msg, SecretTyped: in.Secret != ""}
	p.Input.Secret = ""
	return p
}

func (s *Server) robotNew(w http.ResponseWriter, r *http.Request) error {
	in := notify.ChannelInput{Platform: string(notify.DingTalk), Enabled: true,
		Kinds: []string{string(notify.KindReport), string(notify.KindProblem), string(notify.KindInstruction)}}
	return s.robotForm(w, r, http.StatusOK, robotFormPage{Input: in})
}

func (s *Server) robotCreate(w http.ResponseWriter, r *http.Request) error {
	in := robotInput(r)
	var c *notify.Channel
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		c, err = notify.CreateChannel(r.Context(), tx, actor(r), s.robots, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.robotForm(w, r, http.StatusUnprocessableEntity, refused(in, fields, msg))
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, robotURL(c.ID), fmt.Sprintf("已添加机器人“%s”，可以发送一条测试消息确认设置", c.Name))
}

// robotOf reads the robot of the path, if the actor may manage it.
func (s *Server) robotOf(r *http.Request) (*notify.Channel, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return notify.ViewChannel(r.Context(), s.db, actor(r), id)
}

type robotShowPage struct {
	Base
	Channel *notify.Channel
	Log     []*notify.Delivery
	LogSize int
}

// robotShow is a robot's settings and its delivery log.
func (s *Server) robotShow(w http.ResponseWriter, r *http.Request) error {
	c, err := s.robotOf(r)
	if err != nil {
		return err
	}
	log, err := notify.Deliveries(r.Context(), s.db, c.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "robot_show", robotShowPage{Base: s.base(r, c.Name, "robots"), Channel: c, Log: log, LogSize: notify.LogSize})
}

func (s *Server) robotEdit(w http.ResponseWriter, r *http.Request) error {
	c, err := s.robotOf(r)
	if err != nil {
		return err
	}
	return s.robotForm(w, r, http.StatusOK, robotFormPage{Channel: c, Input: c.Input()})
}

func (s *Server) robotUpdate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.robotOf(r)
	if err != nil {
		return err
	}
	in := robotInput(r)
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := notify.UpdateChannel(r.Context(), tx, actor(r), s.robots, c.ID, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		p := refused(in, fields, msg)
		p.Channel = c
		return s.robotForm(w, r, http.StatusUnprocessableEntity, p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, robotURL(c.ID), "机器人设置已保存")
}

// robotTest sends a test message now and says what came of it.
func (s *Server) robotTest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := notify.SendTest(r.Context(), s.db, actor(r), s.robots, id)
	if err != nil {
		return s.finish(w, r, err, robotURL(id), "")
	}
	if d.Status != notify.StatusSent {
		s.setFlash(w, r, "测试消息发送失败："+d.LastError, true)
		return s.redirect(w, r, robotURL(id), "")
	}
	return s.redirect(w, r, robotURL(id), "测试消息已发送，请到群里查看是否收到")
}

func (s *Server) robotSetEnabled(enabled bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var c *notify.Channel
		err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
			c, err = notify.SetChannelEnabled(r.Context(), tx, actor(r), id, enabled)
			return err
		})
		if err != nil {
			return err
		}
		if enabled {
			return s.redirect(w, r, robotURL(id), fmt.Sprintf("已启用“%s”", c.Name))
		}
		return s.redirect(w, r, robotURL(id), fmt.Sprintf("已停用“%s”，尚未发出的消息不再发送", c.Name))
	}
}

func (s *Server) robotDisable(w http.ResponseWriter, r *http.Request) error {
	return s.robotSetEnabled(false)(w, r)
}

func (s *Server) robotEnable(w http.ResponseWriter, r *http.Request) error {
	return s.robotSetEnabled(true)(w, r)
}

func (s *Server) robotDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var c *notify.Channel
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		c, err = notify.DeleteChannel(r.Context(), tx, actor(r), id)
		return err
	})
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/settings/robots", fmt.Sprintf("已删除机器人“%s”及其发送记录", c.Name))
}
