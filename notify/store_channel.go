package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

const channelColumns = `c.id, COALESCE(c.unit_id, 0), COALESCE(u.name, ''), COALESCE(u.path, ''), c.platform, c.name,
	c.webhook, c.secret, c.kinds, c.enabled, c.created_at, c.updated_at`

const channelFrom = ` FROM robot_channels c LEFT JOIN units u ON u.id = c.unit_id `

func scanChannel(s interface{ Scan(...any) error }) (*Channel, error) {
	var c Channel
	var platform, kinds string
	err := s.Scan(&c.ID, &c.UnitID, &c.UnitName, &c.UnitPath, &platform, &c.Name, &c.Webhook, &c.Secret, &kinds,
		&c.Enabled, (*db.Time)(&c.CreatedAt), (*db.Time)(&c.UpdatedAt))
	c.Platform, c.Kinds = Platform(platform), decodeKinds(kinds)
	return &c, err
}

// RequireChannels refuses an actor who may manage no robot anywhere: the
// robot pages are theirs alone.
func RequireChannels(by auth.Actor) error {
	if !auth.CanAnywhere(by, auth.ManageChannels) {
		return apperr.Forbiddenf("无权管理群机器人：这是督查室和系统管理员的工作")
	}
	return nil
}

// ManagesTown reports whether the actor may manage the 全镇 robots. Such a
// robot hears notices about every unit of every tree in the database, so
// the right must cover every root (in a town deployment, the town itself).
func ManagesTown(ctx context.Context, q db.Querier, by auth.Actor) (bool, error) {
	if by.System {
		return true, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT path FROM units WHERE parent_id IS NULL`)
	if err != nil {
		return false, fmt.Errorf("notify.ManagesTown: %w", err)
	}
	defer rows.Close()
	roots := 0
	for rows.Next() {
		var path string
		if err := rows.Scan(&path); err != nil {
			return false, err
		}
		roots++
		if !auth.Can(by, auth.ManageChannels, path) {
			return false, rows.Err()
		}
	}
	return roots > 0, rows.Err()
}

// mayManage reports whether the actor may manage robots of the unit with
// the given path ("" for 全镇).
func mayManage(ctx context.Context, q db.Querier, by auth.Actor, unitPath string) (bool, error) {
	if unitPath == "" {
		return ManagesTown(ctx, q, by)
	}
	return auth.Can(by, auth.ManageChannels, unitPath), nil
}

// Channels lists the robots the actor may manage, 全镇 ones first, then by unit and name.
func Channels(ctx context.Context, q db.Querier, by auth.Actor) ([]*Channel, error) {
	if err := RequireChannels(by); err != nil {
		return nil, err
	}
	town, err := ManagesTown(ctx, q, by)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+channelColumns+channelFrom+`ORDER BY COALESCE(u.path, ''), c.name, c.id`)
	if err != nil {
		return nil, fmt.Errorf("notify.Channels: %w", err)
	}
	defer rows.Close()
	var out []*Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		if c.UnitID == 0 && town || c.UnitID != 0 && auth.Can(by, auth.ManageChannels, c.UnitPath) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// getChannel reads a robot by id.
func getChannel(ctx context.Context, q db.Querier, id int64) (*Channel, error) {
	c, err := scanChannel(q.QueryRowContext(ctx, `SELECT `+channelColumns+channelFrom+`WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("群机器人不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("notify: channel %d: %w", id, err)
	}
	return c, nil
}

// ViewChannel returns a robot the actor may manage; any other is NotFound,
// so its existence is not given away.
func ViewChannel(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Channel, error) {
	c, err := getChannel(ctx, q, id)
	if err != nil {
		return nil, err
	}
	ok, err := mayManage(ctx, q, by, c.UnitPath)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.NotFoundf("群机器人不存在")
	}
	return c, nil
}

// scopePath checks the scope chosen in a form: an existing, enabled unit
// (or 全镇) that the actor may manage robots of. It returns the unit's path.
func scopePath(ctx context.Context, q db.Querier, by auth.Actor, unitID int64) (string, error) {
	path := ""
	if unitID != 0 {
		var disabled bool
		err := q.QueryRowContext(ctx, `SELECT path, disabled FROM units WHERE id = $1`, unitID).Scan(&path, &disabled)
		if errors.Is(err, sql.ErrNoRows) || err == nil && disabled {
			return "", apperr.InvalidFields(map[string]string{"scope": "所选单位不存在或已停用"})
		}
		if err != nil {
			return "", err
		}
	}
	ok, err := mayManage(ctx, q, by, path)
	if err != nil {
		return "", err
	}
	if !ok {
		if unitID == 0 {
			return "", apperr.Forbiddenf("无权设置全镇范围的群机器人：需要在全镇（根单位）上有督查室或系统管理员角色")
		}
		return "", apperr.Forbiddenf("无权为该单位设置群机器人")
	}
	return path, nil
}

// CreateChannel adds a robot. The webhook is checked against the
// platform's host unless the Sender allows any host.
func CreateChannel(ctx context.Context, tx *db.Tx, by auth.Actor, s *Sender, in ChannelInput) (*Channel, error) {
	if err := RequireChannels(by); err != nil {
		return nil, err
	}
	f, err := in.validate(s, nil)
	if err != nil {
		return nil, err
	}
	if _, err := scopePath(ctx, tx, by, f.UnitID); err != nil {
		return nil, err
	}
	now := db.Time(tx.Now())
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO robot_channels (unit_id, platform, name, webhook, secret, kinds, enabled, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		nullUnit(f.UnitID), string(f.Platform), f.Name, f.Webhook, f.Secret, encodeKinds(f.Kinds), f.Enabled, now).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("notify.CreateChannel: %w", db.Translate(err))
	}
	c, err := getChannel(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return c, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.RobotCreated, ObjectType: "robot",
		ObjectID: c.ID, ObjectName: c.Name, After: c.snapshot()})
}

func nullUnit(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// UpdateChannel changes a robot. The actor must manage robots both where
// it is and where it goes. An empty webhook or secret keeps the stored one.
func UpdateChannel(ctx context.Context, tx *db.Tx, by auth.Actor, s *Sender, id int64, in ChannelInput) (*Channel, error) {
	old, err := ViewChannel(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	f, err := in.validate(s, old)
	if err != nil {
		return nil, err
	}
	if _, err := scopePath(ctx, tx, by, f.UnitID); err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE robot_channels SET unit_id = $1, platform = $2, name = $3, webhook = $4, secret = $5,
		kinds = $6, enabled = $7, updated_at = $8 WHERE id = $9`,
		nullUnit(f.UnitID), string(f.Platform), f.Name, f.Webhook, f.Secret, encodeKinds(f.Kinds), f.Enabled, db.Time(tx.Now()), id)
	if err != nil {
		return nil, fmt.Errorf("notify.UpdateChannel %d: %w", id, db.Translate(err))
	}
	if !f.Enabled && old.Enabled {
		if err := dropPending(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	c, err := getChannel(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	before, after := old.snapshot(), c.snapshot()
	note := ""
	if f.Webhook != old.Webhook {
		note = "更换了 Webhook 地址"
	}
	if f.Secret != old.Secret {
		note = joinNote(note, "更换了加签密钥")
	}
	return c, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.RobotUpdated, ObjectType: "robot",
		ObjectID: c.ID, ObjectName: c.Name, Before: before, After: after, Note: note})
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "；" + b
}

// dropPending fails the deliveries still waiting for a robot that was
// turned off, so they neither pile up nor go out when it is turned back on
// days later with stale news.
func dropPending(ctx context.Context, tx *db.Tx, channelID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE robot_deliveries SET status = $1, last_error = $2, lease_until = '', lease_token = ''
		WHERE channel_id = $3 AND status = $4`, string(StatusFailed), "机器人已停用，未发送", channelID, string(StatusPending))
	if err != nil {
		return fmt.Errorf("notify: drop pending of %d: %w", channelID, err)
	}
	return nil
}

// SetChannelEnabled turns a robot on or off. Turning it off fails what it
// had not yet sent.
func SetChannelEnabled(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, enabled bool) (*Channel, error) {
	c, err := ViewChannel(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	if c.Enabled == enabled {
		return c, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE robot_channels SET enabled = $1, updated_at = $2 WHERE id = $3`,
		enabled, db.Time(tx.Now()), id); err != nil {
		return nil, fmt.Errorf("notify.SetChannelEnabled %d: %w", id, err)
	}
	action := audit.RobotEnabled
	if !enabled {
		action = audit.RobotDisabled
		if err := dropPending(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	c.Enabled = enabled
	return c, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: action, ObjectType: "robot", ObjectID: c.ID, ObjectName: c.Name})
}

// DeleteChannel removes a robot with its delivery log; the notices stay in
// the inboxes that hold them.
func DeleteChannel(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) (*Channel, error) {
	c, err := ViewChannel(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM robot_deliveries WHERE channel_id = $1`, id); err != nil {
		return nil, fmt.Errorf("notify.DeleteChannel %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM robot_channels WHERE id = $1`, id); err != nil {
		return nil, fmt.Errorf("notify.DeleteChannel %d: %w", id, err)
	}
	return c, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.RobotDeleted, ObjectType: "robot",
		ObjectID: c.ID, ObjectName: c.Name, Before: c.snapshot()})
}
