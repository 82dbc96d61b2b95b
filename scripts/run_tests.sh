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
exec .venv/bin/python -m pytest "$@"
