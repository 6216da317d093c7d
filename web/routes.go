package web

import (
	"net/http"

	"guatu/problem"
)

// routes is every route of the application. Private routes sit on an inner
// mux that requireLogin wraps once; the outer mux has only sign-in, set-up,
// static files and health, and sends everything else to the private mux.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.privateRoutes = nil
	// private records each pattern so the permission-matrix test can check it covers them all.
	private := routeRecorder{mux: mux, patterns: &s.privateRoutes}
	private.Handle("GET /{$}", s.h(s.home))
	private.Handle("POST /logout", s.h(s.logout))

	// Organisation: units and people.
	private.Handle("GET /org", s.h(s.orgTree))
	private.Handle("GET /org/units/new", s.h(s.unitNew))
	private.Handle("POST /org/units", s.h(s.unitCreate))
	private.Handle("GET /org/units/{id}", s.h(s.unitShow))
	private.Handle("GET /org/units/{id}/edit", s.h(s.unitEdit))
	private.Handle("POST /org/units/{id}", s.h(s.unitUpdate))
	private.Handle("POST /org/units/{id}/move", s.h(s.unitMove))
	private.Handle("POST /org/units/{id}/order", s.h(s.unitOrder))
	private.Handle("POST /org/units/{id}/disable", s.h(s.unitDisable))
	private.Handle("POST /org/units/{id}/enable", s.h(s.unitEnable))
	private.Handle("POST /org/units/{id}/delete", s.h(s.unitDelete))
	private.Handle("GET /org/people", s.h(s.peopleList))
	private.Handle("GET /org/people/new", s.h(s.personNew))
	private.Handle("POST /org/people", s.h(s.personCreate))
	private.Handle("GET /org/people/{id}", s.h(s.personShow))
	private.Handle("GET /org/people/{id}/edit", s.h(s.personEdit))
	private.Handle("POST /org/people/{id}", s.h(s.personUpdate))
	private.Handle("POST /org/people/{id}/leads", s.h(s.personLeads))
	private.Handle("POST /org/people/{id}/disable", s.h(s.personDisable))
	private.Handle("POST /org/people/{id}/enable", s.h(s.personEnable))
	private.Handle("POST /org/people/{id}/delete", s.h(s.personDelete))

	// The battle map and the project library.
	private.Handle("GET /battlemap", s.h(s.battleMapPage))
	private.Handle("GET /battlemap.svg", s.h(s.battleMapPoster))
	private.Handle("GET /projects", s.h(s.projectList))
	private.Handle("GET /projects/new", s.h(s.projectNew))
	private.Handle("GET /projects/export.xlsx", s.h(s.projectExport))
	private.Handle("GET /projects/import", s.h(s.projectImportForm))
	private.Handle("POST /projects/import", s.h(s.projectImportCheck))
	private.Handle("POST /projects/import/confirm", s.h(s.projectImportCommit))
	private.Handle("GET /projects/import/template.xlsx", s.h(s.projectTemplate))
	private.Handle("POST /projects", s.h(s.projectCreate))
	private.Handle("GET /projects/{id}", s.h(s.projectShow))
	private.Handle("GET /projects/{id}/edit", s.h(s.projectEdit))
	private.Handle("POST /projects/{id}", s.h(s.projectUpdate))
	private.Handle("POST /projects/{id}/stage", s.h(s.projectStage))
	private.Handle("GET /settings/projects", s.h(s.projectSettings))
	private.Handle("POST /settings/projects/rules", s.h(s.projectRulesSave))
	private.Handle("POST /settings/projects/categories", s.h(s.categoryCreate))
	private.Handle("POST /settings/projects/categories/{id}", s.h(s.categoryUpdate))
	private.Handle("POST /settings/projects/categories/{id}/move", s.h(s.listEntryMove("project_categories")))
	private.Handle("POST /settings/projects/templates", s.h(s.templateCreate))
	private.Handle("POST /settings/projects/templates/{id}", s.h(s.templateUpdate))
	private.Handle("POST /settings/projects/templates/{id}/move", s.h(s.listEntryMove("node_templates")))
	private.Handle("POST /settings/projects/templates/{id}/delete", s.h(s.templateDelete))

	// 一月一调度: monthly reports, 报送情况 and 催报, month close (web/report.go).
	private.Handle("GET /reports", s.h(s.reportBoard))
	private.Handle("POST /reports/remind", s.h(s.reportRemind))
	private.Handle("POST /reports/close", s.h(s.reportClose))
	private.Handle("POST /reports/settings", s.h(s.reportSettings))
	private.Handle("GET /projects/{id}/report", s.h(s.reportForm))
	private.Handle("POST /projects/{id}/report", s.h(s.reportSave))
	private.Handle("GET /reports/{id}", s.h(s.reportShow))
	private.Handle("POST /reports/{id}/return", s.h(s.reportReturn))
	private.Handle("GET /reports/{id}/photos/{name}", s.h(s.reportPhoto))

	// 一季一通报: bulletins drafted from the frozen months, edited, issued
	// and handed out as print, Word and Excel (web/bulletin.go).
	private.Handle("GET /bulletins", s.h(s.bulletinList))
	private.Handle("POST /bulletins", s.h(s.bulletinCreate))
	private.Handle("POST /bulletins/weights", s.h(s.bulletinWeights))
	private.Handle("GET /bulletins/{id}", s.h(s.bulletinShow))
	private.Handle("GET /bulletins/{id}/print", s.h(s.bulletinPrint))
	private.Handle("GET /bulletins/{id}/docx", s.h(s.bulletinFile("docx")))
	private.Handle("GET /bulletins/{id}/xlsx", s.h(s.bulletinFile("xlsx")))
	private.Handle("GET /bulletins/{id}/edit", s.h(s.bulletinEditForm))
	private.Handle("POST /bulletins/{id}/edit", s.h(s.bulletinEditSave))
	private.Handle("POST /bulletins/{id}/regenerate", s.h(s.bulletinRegenerate))
	private.Handle("POST /bulletins/{id}/issue", s.h(s.bulletinIssue))
	private.Handle("POST /bulletins/{id}/correct", s.h(s.bulletinCorrect))
	private.Handle("POST /bulletins/{id}/delete", s.h(s.bulletinDelete))

	// Dispatch meetings, their agenda, decisions and 纪要 (web/meeting.go).
	private.Handle("GET /meetings", s.h(s.meetingList))
	private.Handle("POST /meetings", s.h(s.meetingCreate))
	private.Handle("GET /meetings/{id}", s.h(s.meetingShow))
	private.Handle("POST /meetings/{id}", s.h(s.meetingUpdate))
	private.Handle("POST /meetings/{id}/attendance", s.h(s.meetingAttendance))
	private.Handle("POST /meetings/{id}/decisions", s.h(s.meetingDecide))
	private.Handle("POST /meetings/{id}/decisions/{did}/delete", s.h(s.meetingDecisionDelete))
	private.Handle("GET /meetings/{id}/minutes", s.h(s.meetingMinutes))
	private.Handle("GET /meetings/{id}/minutes.docx", s.h(s.meetingMinutesDocx))

	// Problems (堵点、难点) from 交办 to 销号 (web/problem.go).
	private.Handle("GET /problems", s.h(s.problemList))
	private.Handle("GET /problems/new", s.h(s.problemNew))
	private.Handle("GET /problems/export.xlsx", s.h(s.problemExport))
	private.Handle("POST /problems", s.h(s.problemCreate))
	private.Handle("GET /problems/{id}", s.h(s.problemShow))
	private.Handle("POST /problems/{id}/sign", s.h(s.problemAction(problem.ActSign)))
	private.Handle("POST /problems/{id}/feedback", s.h(s.problemAction(problem.ActFeedback)))
	private.Handle("POST /problems/{id}/done", s.h(s.problemAction(problem.ActFinish)))
	private.Handle("POST /problems/{id}/close", s.h(s.problemAction(problem.ActClose)))
	private.Handle("POST /problems/{id}/return", s.h(s.problemAction(problem.ActReturn)))
	private.Handle("POST /problems/{id}/extend", s.h(s.problemAction(problem.ActExtend)))
	private.Handle("POST /problems/{id}/extend/approve", s.h(s.problemAction(problem.ActApproveExtension)))
	private.Handle("POST /problems/{id}/extend/refuse", s.h(s.problemAction(problem.ActRefuseExtension)))
	private.Handle("GET /problems/{id}/files/{name}", s.h(s.problemFile))

	// Leaders' 批示 and their 反馈 (web/instruction.go).
	private.Handle("GET /instructions", s.h(s.instructionList))
	private.Handle("GET /instructions/new", s.h(s.instructionNew))
	private.Handle("POST /instructions", s.h(s.instructionCreate))
	private.Handle("GET /instructions/{id}", s.h(s.instructionShow))
	private.Handle("POST /instructions/{id}/answer", s.h(s.instructionAnswer))
	private.Handle("POST /instructions/{id}/close", s.h(s.instructionClose))

	// Notifications: the inbox and the DingTalk/WeCom robots (web/notify.go).
	private.Handle("GET /inbox", s.h(s.inbox))
	private.Handle("POST /inbox/read-all", s.h(s.inboxReadAll))
	private.Handle("POST /inbox/{id}/read", s.h(s.inboxRead))
	private.Handle("GET /settings/robots", s.h(s.robotList))
	private.Handle("GET /settings/robots/new", s.h(s.robotNew))
	private.Handle("POST /settings/robots", s.h(s.robotCreate))
	private.Handle("GET /settings/robots/{id}", s.h(s.robotShow))
	private.Handle("GET /settings/robots/{id}/edit", s.h(s.robotEdit))
	private.Handle("POST /settings/robots/{id}", s.h(s.robotUpdate))
	private.Handle("POST /settings/robots/{id}/test", s.h(s.robotTest))
	private.Handle("POST /settings/robots/{id}/disable", s.h(s.robotDisable))
	private.Handle("POST /settings/robots/{id}/enable", s.h(s.robotEnable))
	private.Handle("POST /settings/robots/{id}/delete", s.h(s.robotDelete))

	// Accounts, roles and security settings (三员: sysadmin, secadmin).
	private.Handle("GET /admin/users", s.h(s.userList))
	private.Handle("GET /admin/users/new", s.h(s.userNew))
	private.Handle("POST /admin/users", s.h(s.userCreate))
	private.Handle("GET /admin/users/{id}", s.h(s.userShow))
	private.Handle("GET /admin/users/{id}/edit", s.h(s.userEdit))
	private.Handle("POST /admin/users/{id}", s.h(s.userUpdate))
	private.Handle("POST /admin/users/{id}/disable", s.h(s.userDisable))
	private.Handle("POST /admin/users/{id}/enable", s.h(s.userEnable))
	private.Handle("POST /admin/users/{id}/reset", s.h(s.userReset))
	private.Handle("POST /admin/users/{id}/unlock", s.h(s.userUnlock))
	private.Handle("POST /admin/users/{id}/totp-reset", s.h(s.userTOTPReset))
	private.Handle("POST /admin/users/{id}/grants", s.h(s.userGrant))
	private.Handle("POST /admin/users/{id}/revoke", s.h(s.userRevoke))
	private.Handle("POST /admin/sessions/revoke", s.h(s.adminSessionRevoke))
	private.Handle("GET /admin/holidays", s.h(s.holidays))
	private.Handle("POST /admin/holidays", s.h(s.holidaySet))
	private.Handle("POST /admin/holidays/delete", s.h(s.holidayDelete))
	private.Handle("GET /admin/security", s.h(s.securityForm))
	private.Handle("POST /admin/security", s.h(s.securitySave))

	// Audit trail (auditor).
	private.Handle("GET /audit", s.h(s.auditList))
	private.Handle("GET /audit/export.csv", s.h(s.auditExport))

	// 我的: profile, password, second factor, sessions.
	private.Handle("GET /me", s.h(s.me))
	private.Handle("GET /me/password", s.h(s.passwordForm))
	private.Handle("POST /me/password", s.h(s.passwordChange))
	private.Handle("GET /me/totp", s.h(s.totpPage))
	private.Handle("POST /me/totp/begin", s.h(s.totpBegin))
	private.Handle("POST /me/totp/confirm", s.h(s.totpConfirm))
	private.Handle("POST /me/totp/disable", s.h(s.totpDisable))
	private.Handle("POST /me/sessions/revoke", s.h(s.sessionRevoke))
	private.Handle("GET /me/tokens", s.h(s.tokenPage))
	private.Handle("POST /me/tokens", s.h(s.tokenCreate))
	private.Handle("POST /me/tokens/revoke", s.h(s.tokenRevoke))

	mux.Handle("/", http.HandlerFunc(s.notFound))

	public := http.NewServeMux()
	public.Handle("GET /login", s.h(s.loginForm))
	public.Handle("POST /login", s.h(s.login))
	public.Handle("GET /login/totp", s.h(s.totpLoginForm))
	public.Handle("POST /login/totp", s.h(s.totpLogin))
	public.Handle("GET /setup/{token}", s.h(s.setupForm))
	public.Handle("POST /setup/{token}", s.h(s.setup))
	public.Handle("GET /static/", s.static())
	public.Handle("GET /healthz", http.HandlerFunc(s.health))
	// The JSON API has its own mux behind a bearer-token check, never the session (web/api.go).
	public.Handle("/api/", s.apiRoutes().handler())
	public.Handle("/", s.requireLogin(mux)) // everything else needs a session

	return s.withState(s.securityHeaders(s.accessLog(s.recoverPanic(s.loadSession(s.csrf(public))))))
}

// apiRoutes is the JSON API (/api/v1): the same domain functions as the
// project pages, for personal API tokens. Unknown paths and methods answer
// in JSON too.
func (s *Server) apiRoutes() *apiMux {
	api := s.newAPIMux()
	api.handle("GET", "/api/v1/projects", s.apiProjectList)
	api.handle("POST", "/api/v1/projects", s.apiProjectCreate)
	api.handle("GET", "/api/v1/projects/{id}", s.apiProjectGet)
	api.handle("PATCH", "/api/v1/projects/{id}", s.apiProjectPatch)
	api.handle("POST", "/api/v1/projects/{id}/stage", s.apiProjectStage)
	api.handle("GET", "/api/v1/projects/{id}/milestones", s.apiMilestoneList)
	api.handle("POST", "/api/v1/projects/{id}/milestones", s.apiMilestoneCreate)
	api.handle("PATCH", "/api/v1/projects/{id}/milestones/{mid}", s.apiMilestonePatch)
	api.handle("DELETE", "/api/v1/projects/{id}/milestones/{mid}", s.apiMilestoneDelete)

	// Monthly reports.
	api.handle("GET", "/api/v1/reports", s.apiReportBoard)
	api.handle("GET", "/api/v1/reports/{id}", s.apiReportGet)
	api.handle("PUT", "/api/v1/projects/{id}/reports/{period}", s.apiReportPut)
	api.handle("POST", "/api/v1/reports/{id}/return", s.apiReportReturn)

	// Problems.
	api.handle("GET", "/api/v1/problems", s.apiProblemList)
	api.handle("POST", "/api/v1/problems", s.apiProblemCreate)
	api.handle("GET", "/api/v1/problems/{id}", s.apiProblemGet)
	api.handle("POST", "/api/v1/problems/{id}/{action}", s.apiProblemAction)

	// Instructions (批示).
	api.handle("GET", "/api/v1/bulletins", s.apiBulletinList)
	api.handle("GET", "/api/v1/bulletins/{id}", s.apiBulletinGet)
	api.handle("GET", "/api/v1/instructions", s.apiInstructionList)
	api.handle("POST", "/api/v1/instructions", s.apiInstructionCreate)
	api.handle("GET", "/api/v1/instructions/{id}", s.apiInstructionGet)
	api.handle("POST", "/api/v1/instructions/{id}/answer", s.apiInstructionAnswer)
	api.handle("POST", "/api/v1/instructions/{id}/close", s.apiInstructionClose)
	return api
}

// routeRecorder registers routes on a mux and remembers their patterns.
type routeRecorder struct {
	mux      *http.ServeMux
	patterns *[]string
}

func (r routeRecorder) Handle(pattern string, h http.Handler) {
	r.mux.Handle(pattern, h)
	*r.patterns = append(*r.patterns, pattern)
}
