"""The dashboard's monthly roll-ups, kept by triggers, filled from the stored cases (issue 14)

``dashboard_volume_months`` (cases per China month, department and matter / station /
channel) and ``dashboard_rating_months`` (ratings per month and department of their case,
stage and score), kept in step by triggers on ``submissions`` and ``evaluations`` in the
writing transaction whatever the write path (see ``sync_server.workspace.dashboard_rollups``),
and filled here for the rows stored before. Also an index on ratings by stage and score,
so the drill-down of a rare score starts from its ratings instead of walking the cases.

The trigger SQL is written out here (revisions never import app code): PostgreSQL gets
PL/pgSQL functions, SQLite one trigger body per event built from the same statements.

Revision ID: d7f2c8a4b1e9
Revises: d5a8f1c3e7b2
Create Date: 2026-12-03 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d7f2c8a4b1e9"
down_revision: str | Sequence[str] | None = "d5a8f1c3e7b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASE_COLUMNS = ("collected_at", "department_code", "matter_code", "station_code", "source", "receipt_no")
RATING_COLUMNS = ("receipt_no", "at_stage", "score")
DIMS = {"matter": "matter_code", "station": "station_code", "channel": "source"}

# ---- PostgreSQL -----------------------------------------------------------------------

PG_FUNCTIONS = """
CREATE FUNCTION dashboard_month(ts timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CAST(date_trunc('month', ts AT TIME ZONE INTERVAL '+08:00') AS date) $$;

CREATE FUNCTION dashboard_count_case(s submissions, delta integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m date := dashboard_month(s.collected_at);
    d text := coalesce(s.department_code, '');
BEGIN
    -- a rating of this receipt written now by another transaction waits for this one
    PERFORM pg_advisory_xact_lock(hashtext('dashboard:' || s.receipt_no));
    IF delta > 0 THEN
        INSERT INTO dashboard_volume_months AS r (month, department_code, dim, key, cases)
        VALUES (m, d, 'matter', coalesce(s.matter_code, ''), delta),
               (m, d, 'station', coalesce(s.station_code, ''), delta),
               (m, d, 'channel', coalesce(s.source, ''), delta)
        ON CONFLICT (month, department_code, dim, key) DO UPDATE SET cases = r.cases + EXCLUDED.cases;
        INSERT INTO dashboard_rating_months AS r (month, department_code, at_stage, score, ratings)
        SELECT m, d, e.at_stage, e.score, count(*) FROM evaluations e
        WHERE e.receipt_no = s.receipt_no GROUP BY e.at_stage, e.score
        ON CONFLICT (month, department_code, at_stage, score)
        DO UPDATE SET ratings = r.ratings + EXCLUDED.ratings;
    ELSE
        UPDATE dashboard_volume_months SET cases = cases + delta
        WHERE month = m AND department_code = d AND (
            (dim = 'matter' AND key = coalesce(s.matter_code, ''))
            OR (dim = 'station' AND key = coalesce(s.station_code, ''))
            OR (dim = 'channel' AND key = coalesce(s.source, '')));
        UPDATE dashboard_rating_months r SET ratings = r.ratings + delta * e.n
        FROM (SELECT at_stage, score, count(*) AS n FROM evaluations
              WHERE receipt_no = s.receipt_no GROUP BY at_stage, score) e
        WHERE r.month = m AND r.department_code = d AND r.at_stage = e.at_stage AND r.score = e.score;
    END IF;
END $$;

CREATE FUNCTION dashboard_count_rating(e evaluations, delta integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF e.receipt_no IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('dashboard:' || e.receipt_no));
    IF delta > 0 THEN
        INSERT INTO dashboard_rating_months AS r (month, department_code, at_stage, score, ratings)
        SELECT dashboard_month(s.collected_at), coalesce(s.department_code, ''), e.at_stage, e.score, delta
        FROM submissions s WHERE s.receipt_no = e.receipt_no
        ON CONFLICT (month, department_code, at_stage, score)
        DO UPDATE SET ratings = r.ratings + EXCLUDED.ratings;
    ELSE
        UPDATE dashboard_rating_months r SET ratings = r.ratings + delta
        FROM submissions s
        WHERE s.receipt_no = e.receipt_no AND r.month = dashboard_month(s.collected_at)
          AND r.department_code = coalesce(s.department_code, '')
          AND r.at_stage = e.at_stage AND r.score = e.score;
    END IF;
END $$;
"""


def _pg_triggers(table: str, function: str, count: str, columns: Sequence[str]) -> list[str]:
    """The trigger function ``function`` counting a row of ``table`` out and in with ``count``,
    and its triggers: insert and delete, and an update that changes a counted column."""
    old = ", ".join(f"OLD.{c}" for c in columns)
    new = ", ".join(f"NEW.{c}" for c in columns)
    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM {count}(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM {count}(NEW, 1);
    END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER {table}_counted AFTER INSERT OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_recounted AFTER UPDATE OF {', '.join(columns)} ON {table}"
        f" FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) EXECUTE FUNCTION {function}()",
    ]


PG_DROP = [
    "DROP TRIGGER IF EXISTS submissions_counted ON submissions",
    "DROP TRIGGER IF EXISTS submissions_recounted ON submissions",
    "DROP TRIGGER IF EXISTS evaluations_counted ON evaluations",
    "DROP TRIGGER IF EXISTS evaluations_recounted ON evaluations",
    "DROP FUNCTION IF EXISTS dashboard_submission_changed()",
    "DROP FUNCTION IF EXISTS dashboard_evaluation_changed()",
    "DROP FUNCTION IF EXISTS dashboard_count_case(submissions, integer)",
    "DROP FUNCTION IF EXISTS dashboard_count_rating(evaluations, integer)",
    "DROP FUNCTION IF EXISTS dashboard_month(timestamptz)",
]

# ---- SQLite ---------------------------------------------------------------------------


def _sqlite_month(column: str) -> str:
    return f"date({column}, '+8 hours', 'start of month')"


def _sqlite_case(row: str, sign: str) -> list[str]:
    """The statements counting case ``row`` (NEW or OLD) in (+) or out (-)."""
    m, d = _sqlite_month(f"{row}.collected_at"), f"coalesce({row}.department_code, '')"
    keys = {dim: f"coalesce({row}.{column}, '')" for dim, column in DIMS.items()}
    mine = f"month = {m} AND department_code = {d}"
    same = " OR ".join(f"(dim = '{dim}' AND key = {key})" for dim, key in keys.items())
    rated = (
        f"(SELECT count(*) FROM evaluations e WHERE e.receipt_no = {row}.receipt_no"
        " AND e.at_stage = dashboard_rating_months.at_stage AND e.score = dashboard_rating_months.score)"
    )
    out = []
    if sign == "+":
        rows = ", ".join(f"({m}, {d}, '{dim}', {key}, 0)" for dim, key in keys.items())
        out += [
            "INSERT OR IGNORE INTO dashboard_volume_months (month, department_code, dim, key, cases)"
            f" VALUES {rows}",
            "INSERT OR IGNORE INTO dashboard_rating_months (month, department_code, at_stage, score, ratings)"
            f" SELECT {m}, {d}, at_stage, score, 0 FROM evaluations WHERE receipt_no = {row}.receipt_no",
        ]
    return [
        *out,
        f"UPDATE dashboard_volume_months SET cases = cases {sign} 1 WHERE {mine} AND ({same})",
        f"UPDATE dashboard_rating_months SET ratings = ratings {sign} {rated} WHERE {mine}",
    ]


def _sqlite_rating(row: str, sign: str) -> list[str]:
    """The statements counting rating ``row`` in (+) or out (-) under its case."""
    case = f"FROM submissions s WHERE s.receipt_no = {row}.receipt_no"
    out = []
    if sign == "+":
        out.append(
            "INSERT OR IGNORE INTO dashboard_rating_months (month, department_code, at_stage, score, ratings)"
            f" SELECT {_sqlite_month('s.collected_at')}, coalesce(s.department_code, ''),"
            f" {row}.at_stage, {row}.score, 0 {case}"
        )
    return [
        *out,
        f"UPDATE dashboard_rating_months SET ratings = ratings {sign} 1"
        f" WHERE at_stage = {row}.at_stage AND score = {row}.score AND EXISTS (SELECT 1 {case}"
        f" AND {_sqlite_month('s.collected_at')} = dashboard_rating_months.month"
        " AND coalesce(s.department_code, '') = dashboard_rating_months.department_code)",
    ]


def _sqlite_triggers(table: str, count, columns: Sequence[str]) -> list[str]:  # type: ignore[no-untyped-def]
    def body(statements: list[str]) -> str:
        return "BEGIN " + "; ".join(statements) + "; END"

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    return [
        f"CREATE TRIGGER {table}_counted_in AFTER INSERT ON {table} {body(count('NEW', '+'))}",
        f"CREATE TRIGGER {table}_counted_out AFTER DELETE ON {table} {body(count('OLD', '-'))}",
        f"CREATE TRIGGER {table}_recounted AFTER UPDATE OF {', '.join(columns)} ON {table}"
        f" WHEN {changed} {body(count('OLD', '-') + count('NEW', '+'))}",
    ]


SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_{name}"
    for table in ("submissions", "evaluations")
    for name in ("counted_in", "counted_out", "recounted")
]

# ---- fill -----------------------------------------------------------------------------


def _fill(month) -> None:  # type: ignore[no-untyped-def]
    """Count the stored cases and ratings (``month``: the dialect's China month of a column)."""
    for dim, column in DIMS.items():
        op.execute(
            "INSERT INTO dashboard_volume_months (month, department_code, dim, key, cases)"
            f" SELECT m, d, '{dim}', k, count(*) FROM (SELECT {month('collected_at')} AS m,"
            f" coalesce(department_code, '') AS d, coalesce({column}, '') AS k FROM submissions) c"
            " GROUP BY m, d, k"
        )
    op.execute(
        "INSERT INTO dashboard_rating_months (month, department_code, at_stage, score, ratings)"
        f" SELECT m, d, at_stage, score, count(*) FROM (SELECT {month('s.collected_at')} AS m,"
        " coalesce(s.department_code, '') AS d, e.at_stage, e.score FROM evaluations e"
        " JOIN submissions s ON s.receipt_no = e.receipt_no) r GROUP BY m, d, at_stage, score"
    )


def upgrade() -> None:
    op.create_table(
        "dashboard_volume_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("dim", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "department_code", "dim", "key", name=op.f("pk_dashboard_volume_months")
        ),
    )
    op.create_table(
        "dashboard_rating_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("at_stage", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("ratings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "department_code", "at_stage", "score", name=op.f("pk_dashboard_rating_months")
        ),
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_evaluations_stage_score", ["at_stage", "score", "receipt_no"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("LOCK TABLE submissions, evaluations IN SHARE MODE")  # no write between fill and triggers
        op.execute(PG_FUNCTIONS)
        _fill(lambda column: f"dashboard_month({column})")
        for statement in _pg_triggers(
            "submissions", "dashboard_submission_changed", "dashboard_count_case", CASE_COLUMNS
        ):
            op.execute(statement)
        for statement in _pg_triggers(
            "evaluations", "dashboard_evaluation_changed", "dashboard_count_rating", RATING_COLUMNS
        ):
            op.execute(statement)
        op.execute("ANALYZE dashboard_volume_months, dashboard_rating_months")  # planned as filled
    else:
        _fill(_sqlite_month)
        for statement in [
            *_sqlite_triggers("submissions", _sqlite_case, CASE_COLUMNS),
            *_sqlite_triggers("evaluations", _sqlite_rating, RATING_COLUMNS),
        ]:
            op.execute(statement)


def downgrade() -> None:
    for statement in PG_DROP if op.get_bind().dialect.name == "postgresql" else SQLITE_DROP:
        op.execute(statement)
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluations_stage_score")
    op.drop_table("dashboard_rating_months")
    op.drop_table("dashboard_volume_months")
