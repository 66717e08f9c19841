package web

import (
	"strconv"
)

func requestPath(id int64) string { return "/contract/requests/" + strconv.FormatInt(id, 10) }

func salesPath(id int64) string { return "/staff/sales/" + strconv.FormatInt(id, 10) }
