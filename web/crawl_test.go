package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"guatu/web/webtest"
)

var hrefPattern = regexp.MustCompile(`href="(/[^"]*)"`)

// TestCrawl_EveryLinkWorksForEveryRole signs in as each role and follows
// every same-site link from the home page, breadth first: no link may lead
// to an error page (navigation shows only what exists), and every page it
// reaches renders.
func TestCrawl_EveryLinkWorksForEveryRole(t *testing.T) {
	env := webtest.New(t)
	for _, user := range []string{"chief", "leader", "supervisor", "staff", "village", "viewer", "sysadmin", "secadmin", "auditor"} {
		t.Run(user, func(t *testing.T) {
			c := env.Login(t, user)
			seen := map[string]bool{"/": true}
			queue := []string{"/"}
			pages := 0
			for len(queue) > 0 && pages < 400 {
				path := queue[0]
				queue = queue[1:]
				res := c.Get(t, path)
				pages++
				if res.Status != http.StatusOK {
					if strings.HasPrefix(path, "/static/") && res.Status == http.StatusOK {
						continue
					}
					t.Errorf("%s: GET %s = %d %s %.300s", user, path, res.Status, res.Location, res.Text())
					continue
				}
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
					continue
				}
				for _, m := range hrefPattern.FindAllStringSubmatch(res.Body, -1) {
					link := strings.ReplaceAll(m[1], "&amp;", "&")
					if i := strings.IndexByte(link, '#'); i >= 0 {
						link = link[:i]
					}
					if link == "" || seen[link] {
						continue
					}
					seen[link] = true
					queue = append(queue, link)
				}
			}
			if pages < 3 {
				t.Errorf("%s reached only %d pages", user, pages)
			}
		})
	}
}
