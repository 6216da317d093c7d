package audit

import "guatu/apperr"

func forbidden() error { return apperr.Forbiddenf("只有审计管理员可以查看审计记录") }
