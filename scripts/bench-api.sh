#!/usr/bin/env bash
# Measures the JSON API beside the HTML pages on a large database, with wrk (Debian's package):
# declare, list, get and search, each for 15 s over 8 connections, throughput and latency
# percentiles (wrk --latency).
#
#   GUICHET_DATABASE=/tmp/bench/big.db guichet demo --incidents 1000000   # once
#   scripts/bench-api.sh /tmp/bench/big.db [path/to/guichet]
#
# The desk runs on 127.0.0.1:8090 with the API rate limit lifted, as Marie.Dupont (a customer
# of OCB0000001) through a read-write token and through a logged-in browser session.
set -euo pipefail
db=${1:?database (a SQLite path or a postgres:// URL)}
bin=${2:-guichet}
addr=127.0.0.1:8090
base=http://$addr
dur=${BENCH_DURATION:-15s}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

export GUICHET_DATABASE=$db GUICHET_ADDR=$addr GUICHET_API_RATE=100000 GUICHET_LOG_LEVEL=error
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

token=$("$bin" user token --login Marie.Dupont --name "bench $(date +%s)" --scope write --days 1)
auth="Authorization: Bearer $token"

# A browser session: the login form's CSRF token, then the session cookie.
jar=$work/jar
csrf=$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "login=Marie.Dupont" \
  --data-urlencode "password=${GUICHET_DEMO_PASSWORD:-guichet-demo}" "$base/login"
session=$(awk '$6 == "guichet_session" {print $7}' "$jar")
cookie="Cookie: guichet_session=$session"
form_csrf=$(curl -fs -H "$cookie" "$base/incidents/new" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)

number=$(curl -fs -H "$auth" "$base/api/v1/incidents?tenant=OCB0000001&limit=1" | sed -n 's/.*"number":"\(INC[0-9]*\)".*/\1/p' | head -1)
word=${BENCH_WORD:-bucket}

cat >"$work/api_declare.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"tenant":"OCB0000001","title":"Load test alert","description":"Raised by the load test.","service":"ecs","region":"eu-west-0","impact":"low","urgency":"low"}'
LUA
cat >"$work/page_declare.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "guichet_session=$session"
wrk.body = "_csrf=$form_csrf&title=Load+test+alert&description=Raised+by+the+load+test.&service=ecs&region=eu-west-0&impact=low&urgency=low"
LUA

run() { # name, wrk arguments…
  local name=$1; shift
  local out
  out=$(wrk -t2 -c8 -d"$dur" --latency "$@")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx/ {print $5}' <<<"$out")
  printf '| %-28s | %8s | %8s | %8s | %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
}

echo "| operation                    |  req/s   |   p50    |   p99    | non-2xx/3xx"
run "API list" -H "$auth" "$base/api/v1/incidents?tenant=OCB0000001"
run "page list" -H "$cookie" "$base/incidents"
run "API get" -H "$auth" "$base/api/v1/incidents/$number"
run "page get" -H "$cookie" "$base/incidents/$number"
run "API search ($word)" -H "$auth" "$base/api/v1/incidents?tenant=OCB0000001&q=$word"
run "page search ($word)" -H "$cookie" "$base/incidents?q=$word"
run "API declare" -s "$work/api_declare.lua" "$base/api/v1/incidents"
run "page declare" -s "$work/page_declare.lua" "$base/incidents"
