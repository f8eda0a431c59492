"""The facts every rule reads, kept from night to night (`GroupSales`, `ClientPurchases`,
`ClientWallet`: the potential and the sales covered by it, and `ClientFootprint`: the open
points counted).

A night brings them to its day, re-reading the sales of only the clients whose facts may have
moved since the day they are for (`FactsDay`):
- the clients whose sales rows were added, changed or deleted since (`SalesTouched`, kept by
  triggers on the sales table);
- the clients with a sale leaving the 365-day window (the sums) or the 24-month window (the
  purchase dates) between that day and this one, or entering it (a sale dated after that day).
Nothing else about a client's sales changes with the day.

On PostgreSQL, only the clients whose sales were touched or entered a window are re-read
whole. A client whose sales only leave a window is shifted: the sums of its sales leaving the
365-day window are subtracted from its kept sums (`SHIFT`), and if a purchase date left the
24-month window, its rhythm alone is counted again (`DATES`, over the index of its dates); its
last purchase stands. SQLite keeps decimals as floats, where a difference would drift from a
sum, so it re-reads them all. The wallet is computed again for the re-read and shifted
clients and for those whose potential estimates were added, changed or deleted since
(`EstimatesTouched`), and the footprint for those whose points were (`PointsTouched`). Without
facts, or for a day before theirs, the night reads every client's sales, estimates and points.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NamedTuple

from segmentation.models import (
    ClientFootprint,
    ClientPurchases,
    ClientWallet,
    EstimatesTouched,
    FactsDay,
    GroupSales,
    PointsTouched,
    PotentialEstimate,
    SalesTouched,
)
from segmentation.segments import leagues, rhythm, wallet
from segmentation.segments.sql import Dialect

SALES = "accounts_sale"
REDO = "seg_redo"
GROUP_SALES = GroupSales._meta.db_table
PURCHASES = ClientPurchases._meta.db_table
TOUCHED = SalesTouched._meta.db_table
ONLY = f"client_id IN (SELECT client_id FROM {REDO})"
# The other clients whose sales leave the 365-day window (PostgreSQL): their sums are shifted.
SHIFT = "seg_shift"
# The other clients whose purchase dates leave the 24-month window (PostgreSQL).
DATES = "seg_dates"
WALLET = ClientWallet._meta.db_table
WALLET_REDO = "seg_wallet_redo"
ESTIMATES_TOUCHED = EstimatesTouched._meta.db_table
FOOTPRINT = ClientFootprint._meta.db_table
POINTS_TOUCHED = PointsTouched._meta.db_table
POINTS_REDO = "seg_points_redo"
# The clients whose facts moved tonight (sales, wallet or footprint), kept for the stage.
MOVED = "seg_moved"

# Per client with an estimate: its potential and covered sales (over `GroupSales`, written
# before it).
WALLET_SQL = f"""
INSERT INTO {WALLET} (client_id, potential, covered)
SELECT e.client_id, SUM(e.amount), SUM({wallet.covered_sql("COALESCE(g.sold, 0)", "e.amount")})
FROM {PotentialEstimate._meta.db_table} e
LEFT JOIN {GROUP_SALES} g ON g.client_id = e.client_id AND g.product_group_id = e.product_group_id
{{where}}GROUP BY e.client_id
"""

# Per client and product group: the last 365 days' sum and the last purchase.
GROUP_SALES_SQL = f"""
INSERT INTO {GROUP_SALES} (client_id, product_group_id, sold, last_date)
SELECT client_id, product_group_id, SUM(CASE WHEN date > %(year_ago)s THEN amount ELSE 0 END), MAX(date)
FROM {SALES} WHERE date <= %(today)s{{only}} GROUP BY client_id, product_group_id
"""


def purchases_sql(d: Dialect, only: str) -> str:
    """Per client: the revenue and last purchase over its `GroupSales` (written just before),
    and its purchase rhythm (`only`: " AND <condition>" on the clients to re-read, or "")."""
    where = only.replace(" AND ", " WHERE ", 1)
    return f"""
INSERT INTO {PURCHASES} (client_id, revenue, last_purchase, purchase_dates, usual_interval)
WITH {rhythm.rhythm_ctes(d, only)}
SELECT g.client_id, g.revenue, g.last_purchase, COALESCE(r.purchase_dates, 0), r.usual_interval
FROM (
    SELECT client_id, SUM(sold) AS revenue, MAX(last_date) AS last_purchase
    FROM {GROUP_SALES}{where} GROUP BY client_id
) g LEFT JOIN rhythm r ON r.client_id = g.client_id
"""


# The clients whose sales entered the windows (a sale after the facts' day, up to this one).
ENTERING_SQL = f"""
INSERT INTO {REDO} (client_id)
SELECT DISTINCT client_id FROM {SALES} WHERE date > %(kept_on)s AND date <= %(today)s
EXCEPT SELECT client_id FROM {REDO}
"""
LEAVING_YEAR = "date > %(kept_year_ago)s AND date <= %(year_ago)s"
LEAVING_DATES = "date > %(kept_two_years_ago)s AND date <= %(two_years_ago)s"


def leaving_sql(leaving: str, into: str) -> str:
    """The other clients with a sale `leaving` a window, into `into`."""
    return f"""
INSERT INTO {into} (client_id)
SELECT DISTINCT client_id FROM {SALES} WHERE {leaving}
EXCEPT SELECT client_id FROM {REDO}
"""


# The other clients' sums of their sales leaving the 365-day window, per product group (read
# once: a day's sales are a scan of their own).
SHIFT_SQL = f"""
CREATE TEMP TABLE {SHIFT} AS
SELECT client_id, product_group_id, SUM(amount) AS amount FROM {SALES}
WHERE {LEAVING_YEAR} AND client_id NOT IN (SELECT client_id FROM {REDO})
GROUP BY client_id, product_group_id
"""
SHIFT_GROUP_SALES_SQL = f"""
UPDATE {GROUP_SALES} AS g SET sold = g.sold - l.amount
FROM {SHIFT} l WHERE g.client_id = l.client_id AND g.product_group_id = l.product_group_id
"""
SHIFT_PURCHASES_SQL = f"""
UPDATE {PURCHASES} AS p SET revenue = p.revenue - l.amount
FROM (SELECT client_id, SUM(amount) AS amount FROM {SHIFT} GROUP BY client_id) l
WHERE p.client_id = l.client_id
"""


def dates_sql(d: Dialect) -> str:
    """The rhythm again of the clients whose purchase dates left the 24-month window (PostgreSQL)."""
    return f"""
WITH {rhythm.rhythm_ctes(d, f" AND client_id IN (SELECT client_id FROM {DATES})")}
UPDATE {PURCHASES} AS p
SET purchase_dates = COALESCE(r.purchase_dates, 0), usual_interval = r.usual_interval
FROM {DATES} x LEFT JOIN rhythm r ON r.client_id = x.client_id
WHERE p.client_id = x.client_id
"""


class Refreshed(NamedTuple):
    """How many clients' sales a night re-read, how many clients' year it shifted, and the
    purchase dates of how many clients it read again."""

    read: int
    shifted: int
    dates: int


def refresh(cursor: Any, d: Dialect, params: dict[str, Any], today: date) -> Refreshed | None:
    """Bring the facts to `today`; returns how many clients' sales were re-read or shifted (None:
    all were re-read, and every client's facts moved). Otherwise the clients whose facts moved
    are left in the temporary table `MOVED`."""
    kept = FactsDay.objects.first()
    if kept is None or kept.day > today:
        _forget(cursor, (GROUP_SALES, PURCHASES, WALLET, FOOTPRINT), "")
        for touched in (TOUCHED, ESTIMATES_TOUCHED, POINTS_TOUCHED):
            cursor.execute(f"DELETE FROM {touched}")
        redone = None
    else:
        cursor.execute(f"CREATE TEMP TABLE {MOVED} (client_id BIGINT PRIMARY KEY)")
        params = params | _kept_params(kept.day)
        redone = _redo(cursor, d, params)
        _forget(cursor, (GROUP_SALES, PURCHASES), f" WHERE {ONLY}")
    only = "" if redone is None else f" AND {ONLY}"
    cursor.execute(GROUP_SALES_SQL.format(only=only), params)
    cursor.execute(purchases_sql(d, only), params)
    if redone is not None:
        _shift(cursor, d, redone, params)
    _refresh_wallet(cursor, d, whole=redone is None)
    _refresh_footprint(cursor, d, whole=redone is None)
    for table in (REDO, SHIFT, DATES):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    FactsDay.objects.update_or_create(pk=1, defaults={"day": today})
    return redone


def _shift(cursor: Any, d: Dialect, redone: Refreshed, params: dict[str, Any]) -> None:
    """The facts of the clients whose sales only leave a window (see the module docstring)."""
    if redone.shifted:
        cursor.execute(SHIFT_GROUP_SALES_SQL, params)
        cursor.execute(SHIFT_PURCHASES_SQL, params)
    if redone.dates:
        cursor.execute(dates_sql(d), params)
        cursor.execute(
            f"INSERT INTO {MOVED} SELECT client_id FROM {DATES} EXCEPT SELECT client_id FROM {MOVED}"
        )


def _refresh_wallet(cursor: Any, d: Dialect, *, whole: bool) -> None:
    """The wallet of every client (`whole`), or of those whose sales facts or estimates moved."""
    if whole:
        cursor.execute(WALLET_SQL.format(where=""))
        return
    _recount(cursor, d, WALLET, _wallet_sql, touched=ESTIMATES_TOUCHED, redo=WALLET_REDO, also=(REDO, SHIFT))


def _wallet_sql(only: str) -> str:
    return WALLET_SQL.format(where=f"WHERE e.{only}\n")


def _refresh_footprint(cursor: Any, d: Dialect, *, whole: bool) -> None:
    """The footprint of every client (`whole`), or of those whose points moved."""
    if whole:
        cursor.execute(leagues.footprint_sql(""))
        return
    _recount(cursor, d, FOOTPRINT, leagues.footprint_sql, touched=POINTS_TOUCHED, redo=POINTS_REDO)


def _recount(
    cursor: Any,
    d: Dialect,
    kept: str,
    insert: Callable[[str], str],
    *,
    touched: str,
    redo: str,
    also: tuple[str, ...] = (),
) -> None:
    """The rows of `kept` again, by `insert(condition on the clients)`, for the clients marked
    in `touched` (and those of the temporary tables `also`), gathered in the temporary table
    `redo`; the marks taken are deleted first, as in `_redo`, and the clients join `MOVED`."""
    cursor.execute(f"DROP TABLE IF EXISTS {redo}")
    cursor.execute(f"CREATE TEMP TABLE {redo} (client_id BIGINT PRIMARY KEY)")
    take(cursor, d, touched, redo)
    for table in also:
        cursor.execute(
            f"INSERT INTO {redo} SELECT client_id FROM {table} EXCEPT SELECT client_id FROM {redo}"
        )
    if d.postgres:
        cursor.execute(f"ANALYZE {redo}")
    only = f"client_id IN (SELECT client_id FROM {redo})"
    _forget(cursor, (kept,), f" WHERE {only}")
    cursor.execute(insert(only))
    cursor.execute(f"INSERT INTO {MOVED} SELECT client_id FROM {redo} EXCEPT SELECT client_id FROM {MOVED}")
    cursor.execute(f"DROP TABLE {redo}")


def take(cursor: Any, d: Dialect, touched: str, into: str) -> None:
    """Move the client marks of `touched` into the temporary table `into`."""
    if d.postgres:
        taken = f"WITH taken AS (DELETE FROM {touched} RETURNING client_id)"
        cursor.execute(f"{taken} INSERT INTO {into} SELECT client_id FROM taken")
    else:  # SQLite: the run's transaction holds the database's write lock, nobody writes meanwhile
        cursor.execute(f"INSERT INTO {into} SELECT client_id FROM {touched}")
        cursor.execute(f"DELETE FROM {touched}")


def _forget(cursor: Any, tables: tuple[str, ...], where: str) -> None:
    for table in tables:
        cursor.execute(f"DELETE FROM {table}{where}")


def _kept_params(day: date) -> dict[str, Any]:
    return {
        "kept_on": day,
        "kept_year_ago": day - timedelta(days=365),
        "kept_two_years_ago": day - timedelta(days=730),
    }


def _redo(cursor: Any, d: Dialect, params: dict[str, Any]) -> Refreshed:
    """The clients to re-read, into `REDO`, and those to shift, into `SHIFT` (with their sums
    leaving) and `DATES`; on SQLite, those go into `REDO` and leave the others empty. The marks
    taken are deleted first, so that a sale written meanwhile marks its client again for the
    next night."""
    cursor.execute(f"CREATE TEMP TABLE {REDO} (client_id BIGINT PRIMARY KEY)")
    take(cursor, d, TOUCHED, REDO)
    cursor.execute(ENTERING_SQL, params)
    if not d.postgres:
        for leaving in (LEAVING_YEAR, LEAVING_DATES):
            cursor.execute(leaving_sql(leaving, REDO), params)
    cursor.execute(SHIFT_SQL, params)
    cursor.execute(f"CREATE TEMP TABLE {DATES} (client_id BIGINT PRIMARY KEY)")
    cursor.execute(leaving_sql(LEAVING_DATES, DATES), params)
    counts = []
    for table, counted in ((REDO, "*"), (SHIFT, "DISTINCT client_id"), (DATES, "*")):
        if d.postgres:
            cursor.execute(f"ANALYZE {table}")  # temporary tables get no statistics otherwise
        cursor.execute(f"SELECT COUNT({counted}) FROM {table}")
        counts.append(int(cursor.fetchone()[0]))
    return Refreshed(*counts)
