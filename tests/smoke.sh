#!/usr/bin/env bash
# End-to-end check of the README's promises with the real binary: an instance runs with no
# configuration, WebFinger/actor/NodeInfo answer, two instances follow and post, and a joint
# statement is endorsed across them and verified with `puentes verify`, and a call to action
# is pledged from the other instance, an organization moves to the other instance, and actors
# and staff are edited and deleted.
# Queues are driven with `puentes delivery flush` instead of waiting.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p puentes-server
BIN="$PWD/target/debug/puentes"
WORK="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -fs "http://localhost:$1/healthz" >/dev/null && return 0; sleep 0.1; done; echo "instance on $1 did not start"; exit 1; }
fail() { echo "SMOKE FAILED: $*"; exit 1; }

# 1. No configuration at all: defaults (localhost:8080, ./data) in an empty directory.
mkdir "$WORK/zero"
(cd "$WORK/zero" && exec "$BIN" serve >"$WORK/zero.log" 2>&1) &
ZERO=$!; pids+=("$ZERO")
wait_up 8080
grep -q "puentes actor create" "$WORK/zero.log" || fail "first run did not explain how to create an actor"
(cd "$WORK/zero" && "$BIN" actor create alpha --kind organization --display-name "Alpha NGO" >/dev/null)
grep -q '"href":"http://localhost:8080/actors/alpha"' <<<"$(curl -fs "http://localhost:8080/.well-known/webfinger?resource=acct:alpha@localhost:8080")" || fail webfinger
grep -q '"type":"Organization"' <<<"$(curl -fs http://localhost:8080/actors/alpha)" || fail actor
grep -q nodeinfo/2.1 <<<"$(curl -fs http://localhost:8080/.well-known/nodeinfo)" || fail nodeinfo
grep -q '"name":"puentes"' <<<"$(curl -fs http://localhost:8080/nodeinfo/2.1)" || fail nodeinfo-doc
# The pages are built into the binary: served from a directory with no web/ beside it.
grep -q '<html' <<<"$(curl -fs http://localhost:8080/@alpha)" || fail "profile page not served without web/"
kill "$ZERO"; wait "$ZERO" 2>/dev/null || true
[ -f "$WORK/zero/data/puentes.db" ] || fail "no SQLite file in ./data"

# 2. Two instances; b follows alpha, alpha posts, b receives.
PA=$(free_port); PB=$(free_port)
run() { local port=$1 dir=$2; shift 2; PUENTES_DOMAIN="localhost:$port" PUENTES_BIND="127.0.0.1:$port" PUENTES_DATA_DIR="$dir" PUENTES_WORKERS=0 "$BIN" "$@"; }
# Commands other than serve and migrate never create an instance by accident.
set +e; run "$PA" "$WORK/a" actor list >/dev/null 2>"$WORK/nodb.err"; CODE=$?; set -e
[ "$CODE" = 2 ] && grep -q "no Puentes database at" "$WORK/nodb.err" || fail "a command created a database: $CODE $(cat "$WORK/nodb.err")"
[ ! -e "$WORK/a" ] || fail "a command created the data directory"
grep -q "serve would" <<<"$(run "$PA" "$WORK/a" check-config)" || fail check-config
run "$PA" "$WORK/a" migrate >/dev/null
run "$PB" "$WORK/b" migrate >/dev/null
# A database keeps the domain it was created for.
set +e; run "$PB" "$WORK/a" actor list >/dev/null 2>"$WORK/domain.err"; CODE=$?; set -e
[ "$CODE" = 2 ] && grep -q "belongs to the instance localhost:$PA" "$WORK/domain.err" || fail "wrong domain accepted: $(cat "$WORK/domain.err")"
run "$PA" "$WORK/a" actor create alpha --kind organization >/dev/null
run "$PB" "$WORK/b" actor create b --kind alliance >/dev/null
run "$PA" "$WORK/a" serve >"$WORK/a.log" 2>&1 & pids+=($!)
run "$PB" "$WORK/b" serve >"$WORK/b.log" 2>&1 & pids+=($!)
wait_up "$PA"; wait_up "$PB"
run "$PB" "$WORK/b" follow --as b "alpha@localhost:$PA"
run "$PB" "$WORK/b" delivery flush >/dev/null
run "$PA" "$WORK/a" delivery flush >/dev/null
grep -q "http://localhost:$PB/actors/b" <<<"$(curl -fs "http://localhost:$PA/actors/alpha/followers?page=1")" || fail "b is not in alpha's followers"
POST=$(run "$PA" "$WORK/a" post --as alpha "Hola desde alpha")
run "$PA" "$WORK/a" delivery flush >/dev/null
STATUS=$(run "$PA" "$WORK/a" delivery status)
grep -q "^delivered[[:space:]]*[1-9]" <<<"$STATUS" || fail "no delivery recorded: $STATUS"
NOTE=$(curl -fs -H 'Accept: application/activity+json' "$POST")
grep -q "Hola desde alpha" <<<"$NOTE" || fail "post not served"
python3 - "$WORK/b/puentes.db" "$POST" <<'PY' || fail "the post did not reach b"
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("select content from post where ap_id = ?", (sys.argv[2],)).fetchall()
sys.exit(0 if rows and "Hola desde alpha" in rows[0][0] else 1)
PY

# 3. A joint statement: b opens it, alpha endorses from the other instance, anyone verifies.
ID=$(run "$PB" "$WORK/b" statement create --as b --title "Vías seguras" --policy anyone "Pedimos vías seguras." 2>/dev/null)
run "$PB" "$WORK/b" statement open "$ID" >/dev/null
run "$PA" "$WORK/a" endorse --as alpha "http://localhost:$PB/statements/$ID" >/dev/null
for _ in 1 2; do run "$PA" "$WORK/a" delivery flush >/dev/null; run "$PB" "$WORK/b" delivery flush >/dev/null; done
REPORT=$(run "$PA" "$WORK/a" verify "http://localhost:$PB/statements/$ID/v/1") || fail "verify exited non-zero: $REPORT"
grep -q "1 verified, 0 failed" <<<"$REPORT" || fail "endorsement not verified: $REPORT"
EXPORT=$(run "$PB" "$WORK/b" statement export "$ID" --format csv 2>/dev/null)
grep -q "http://localhost:$PA/actors/alpha" <<<"$EXPORT" || fail "export lacks the signatory: $EXPORT"
if run "$PA" "$WORK/a" verify "http://localhost:$PB/actors/b" >/dev/null 2>&1; then fail "verify of a non-statement exited 0"; fi
# 4. Calls to action: alpha calls, b pledges by URL, the .ics keeps the organizer's zone.
CALL=$(run "$PA" "$WORK/a" call create --as alpha --title "Rally" --start 2027-09-11T14:00:00+02:00 \
  --end 2027-09-11T17:00:00+02:00 --timezone Europe/Berlin --place "Marktplatz, Leipzig")
run "$PB" "$WORK/b" call pledge --as b "$CALL" >/dev/null
run "$PB" "$WORK/b" delivery flush >/dev/null
run "$PA" "$WORK/a" delivery flush >/dev/null
grep -q "1 pledged" <<<"$(run "$PA" "$WORK/a" call pledges "$CALL")" || fail "the pledge did not reach alpha"
grep -q "DTSTART;TZID=Europe/Berlin:20270911T140000" <<<"$(curl -fs "$CALL.ics")" || fail "call .ics"
if run "$PA" "$WORK/a" call create --as alpha --title x --start 2027-09-11T14:00:00+02:00 --timezone Mars/Base 2>/dev/null; then
  fail "an unknown time zone was accepted"
fi
# 4b. Move alpha to b's instance: export, import (alsoKnownAs), move; b follows the new actor.
run "$PA" "$WORK/a" actor export alpha --output "$WORK/alpha.json" >/dev/null
run "$PB" "$WORK/b" actor import "$WORK/alpha.json" --name alpha2 >/dev/null
grep -q "\"alsoKnownAs\":\[\"http://localhost:$PA/actors/alpha\"\]" <<<"$(curl -fs -H 'Accept: application/activity+json' "http://localhost:$PB/actors/alpha2")" || fail "import without alsoKnownAs"
set +e; run "$PB" "$WORK/b" actor import "$WORK/alpha.json" --name alpha2 >/dev/null 2>&1; CODE=$?; set -e
[ "$CODE" != 0 ] || fail "an import overwrote an actor"
run "$PA" "$WORK/a" actor move alpha --to "alpha2@localhost:$PB" >/dev/null
run "$PA" "$WORK/a" delivery flush >/dev/null
run "$PB" "$WORK/b" delivery flush >/dev/null
grep -q "http://localhost:$PB/actors/b" <<<"$(curl -fs "http://localhost:$PB/actors/alpha2/followers?page=1")" || fail "b does not follow the moved alpha"
if run "$PA" "$WORK/a" post --as alpha "después" >/dev/null 2>&1; then fail "a moved actor posted"; fi
# 5. The actor and staff contract: edit and delete an actor, manage staff accounts.
printf 'GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;' >"$WORK/dot.gif"
run "$PA" "$WORK/a" actor edit alpha --display-name "Alpha Renombrada" --avatar "$WORK/dot.gif" >/dev/null
# The server caches actor documents; a write by another process (this CLI) shows within 5 s.
for _ in $(seq 1 40); do
  grep -q '"name":"Alpha Renombrada"' <<<"$(curl -fs http://localhost:$PA/actors/alpha)" && break
  sleep 0.25
done
grep -q '"name":"Alpha Renombrada"' <<<"$(curl -fs http://localhost:$PA/actors/alpha)" || fail "actor edit"
grep -q '"icon":{' <<<"$(curl -fs http://localhost:$PA/actors/alpha)" || fail "actor edit avatar"
PUENTES_PASSWORD="una contraseña larga" run "$PA" "$WORK/a" staff create Maria@Example.org --actor alpha --role owner >/dev/null
PUENTES_PASSWORD="otra contraseña larga" run "$PA" "$WORK/a" staff create editor@example.org --actor alpha --role editor >/dev/null
LIST=$(run "$PA" "$WORK/a" staff list --actor alpha)
grep -q "^maria@example.org[[:space:]]*owner[[:space:]]*alpha" <<<"$LIST" || fail "staff list: $LIST"
PUENTES_PASSWORD="una contraseña nueva" run "$PA" "$WORK/a" staff password MARIA@example.org >/dev/null || fail "staff password"
run "$PA" "$WORK/a" staff remove editor@example.org --actor alpha >/dev/null || fail "staff remove"
grep -q editor@ <<<"$(run "$PA" "$WORK/a" staff list)" && fail "removed staff still listed"
set +e; run "$PA" "$WORK/a" actor delete alpha >/dev/null 2>&1; CODE=$?; set -e
[ "$CODE" = 2 ] || fail "actor delete without --yes exited $CODE"
run "$PA" "$WORK/a" actor delete alpha --yes >/dev/null
for _ in $(seq 1 40); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/activity+json' http://localhost:$PA/actors/alpha)" = 410 ] && break
  sleep 0.25
done
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/activity+json' http://localhost:$PA/actors/alpha)" = 410 ] || fail "a deleted actor does not answer 410"
grep -q '"type":"Tombstone"' <<<"$(curl -s -H 'Accept: application/activity+json' http://localhost:$PA/actors/alpha)" || fail "no Tombstone"
set +e; run "$PA" "$WORK/a" followers manual --as b >/dev/null 2>&1; CODE=$?; set -e
[ "$CODE" = 2 ] || fail "followers manual without a value exited $CODE"
# 6. Backup while serving, restore into an empty directory: the same actors and posts.
run "$PB" "$WORK/b" backup --output "$WORK/b.tar.gz" >/dev/null || fail backup
kill "${pids[2]}"; wait "${pids[2]}" 2>/dev/null || true
run "$PB" "$WORK/b2" restore "$WORK/b.tar.gz" >/dev/null || fail restore
set +e; run "$PB" "$WORK/b2" restore "$WORK/b.tar.gz" >/dev/null 2>&1; CODE=$?; set -e
[ "$CODE" = 2 ] || fail "restore over an instance exited $CODE"
run "$PB" "$WORK/b2" serve >"$WORK/b2.log" 2>&1 & pids+=($!)
wait_up "$PB"
grep -q '"type":"Group"' <<<"$(curl -fs -H 'Accept: application/activity+json' "http://localhost:$PB/actors/b")" || fail "restored actor"
grep -q "Vías seguras" <<<"$(curl -fs "http://localhost:$PB/statements/$ID")" || fail "restored statement"
echo "smoke: 6 passed, 0 failed"
