package project

import (
	"context"
	"strings"

	"guatu/auth"
	"guatu/db"
	"guatu/org"
)

// Directory is who and what a project can name: the units of the town (or
// county) the actor works in, and that town's leaders. A project involves
// units beyond a clerk's own scope (配合单位, a milestone's unit), so the
// directory spans the actor's whole town; the domain still decides who may
// lead what.
type Directory struct {
	Units   []*org.Unit   // in tree order
	Leaders []*org.Person // people in charge of units (分管)
}

// LoadDirectory reads the directory for by. The system actor (the command
// line) sees every town.
func LoadDirectory(ctx context.Context, q db.Querier, by auth.Actor) (Directory, error) {
	var d Directory
	roots := map[string]bool{}
	for _, g := range by.Grants {
		if r := rootOf(g.UnitPath); r != "" {
			roots[r] = true
		}
	}
	in := func(path string) bool { return by.System || roots[rootOf(path)] }
	tree, err := org.Tree(ctx, q, auth.SystemActor("directory"), org.TreeFilter{})
	if err != nil {
		return d, err
	}
	for _, u := range tree {
		if in(u.Path) {
			d.Units = append(d.Units, u)
		}
	}
	leaders, err := org.Leaders(ctx, q, auth.SystemActor("directory"))
	if err != nil {
		return d, err
	}
	for _, l := range leaders {
		if in(l.UnitPath) {
			d.Leaders = append(d.Leaders, l)
		}
	}
	return d, nil
}

// rootOf is the path of the tree root above path ("/1/4/17/" → "/1/").
func rootOf(path string) string {
	first, _, _ := strings.Cut(strings.Trim(path, "/"), "/")
	if first == "" {
		return ""
	}
	return "/" + first + "/"
}
