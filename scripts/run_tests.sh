#!/usr/bin/env bash
# Run the test suite: server tests on SQLite and, when it answers, PostgreSQL.
set -uo pipefail
cd "$(dirname "$0")/.."
PG_URL="${TONGBAN_TEST_PG:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
if .venv/bin/python - "$PG_URL" <<'PY' 2>/dev/null
import sys
import psycopg
url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
psycopg.connect(url, connect_timeout=3).close()
PY
then
  export TONGBAN_TEST_PG="$PG_URL"
  echo "==> PostgreSQL answers at ${PG_URL}: server tests run on SQLite and PostgreSQL"
else
  unset TONGBAN_TEST_PG
  echo "################################################################################" >&2
  echo "!!! NO POSTGRESQL answers at ${PG_URL}" >&2
  echo "!!! server tests run on SQLITE ONLY. CI always has PostgreSQL." >&2
  echo "################################################################################" >&2
fi
REDIS_URL="${TONGBAN_TEST_REDIS:-redis://127.0.0.1:6379/15}"
if .venv/bin/python - "$REDIS_URL" <<'PY' 2>/dev/null
import sys
import redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
PY
then
  export TONGBAN_TEST_REDIS="$REDIS_URL"
  echo "==> Redis answers at ${REDIS_URL}: the scan queue is tested on the embedded backend and Redis"
elif [ -n "${CI:-}" ]; then
  echo "!!! NO REDIS answers at ${REDIS_URL}: CI always has it, so the Redis tests fail" >&2
  export TONGBAN_TEST_REDIS="$REDIS_URL"
else
  unset TONGBAN_TEST_REDIS
  echo "################################################################################" >&2
  echo "!!! NO REDIS answers at ${REDIS_URL}" >&2
  echo "!!! the scan queue is tested on its EMBEDDED backend only. CI always has Redis." >&2
  echo "################################################################################" >&2
fi
# Given test paths (a developer running one area), one pytest. The whole suite (make test,
# CI) runs as two streams side by side: most tests wait on other processes (gunicorn, Xvfb,
# Chromium, OCR workers), so one stream leaves a core idle, and CI must stay under 30 min.
# The streams share nothing a test could see: each PostgreSQL test database and live
# server has its own random name and free port, each Xvfb its own display (-displayfd),
# and only the server stream uses Redis.
for arg in "$@"; do
  case "$arg" in
    -*) ;;
    *) exec .venv/bin/python -m pytest "$@" ;;
  esac
done
KIOSK_STREAM=(tests/kiosk_app tests/kiosk_backbone tests/scan tests/schema)
SERVER_STREAM=(tests/server tests/workspace tests/online)
for dir in tests/*/; do
  dir="${dir%/}"
  [ "$dir" = tests/support ] && continue
  case " ${KIOSK_STREAM[*]} ${SERVER_STREAM[*]} " in
    *" $dir "*) ;;
    *) echo "!!! $dir is in neither test stream: add it to scripts/run_tests.sh" >&2; exit 2 ;;
  esac
done
KIOSK_LOG="$(mktemp -t tongban-kiosk-stream.XXXXXX)"
echo "==> two test streams side by side: ${KIOSK_STREAM[*]} | ${SERVER_STREAM[*]}"
echo "==> the kiosk stream's output follows the server stream's (log: $KIOSK_LOG)"
.venv/bin/python -m pytest -p no:cacheprovider "$@" "${KIOSK_STREAM[@]}" >"$KIOSK_LOG" 2>&1 &
KIOSK_PID=$!
trap 'kill "$KIOSK_PID" 2>/dev/null' EXIT
.venv/bin/python -m pytest "$@" "${SERVER_STREAM[@]}"
SERVER_RC=$?
wait "$KIOSK_PID"
KIOSK_RC=$?
trap - EXIT
echo "==> kiosk stream (${KIOSK_STREAM[*]}):"
cat "$KIOSK_LOG"
rm -f "$KIOSK_LOG"
echo "==> server stream exit ${SERVER_RC}, kiosk stream exit ${KIOSK_RC}"
[ "$SERVER_RC" -eq 0 ] && [ "$KIOSK_RC" -eq 0 ]
