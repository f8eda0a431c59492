"""Share of wallet (DOMAIN §5): how much of a client's estimated purchases it buys from us.

Per product group, our sales of the last 365 days count against the estimate up to the
estimate ("covered"): selling more than the estimate counts as a 100% share, never more.
A client's share is its covered sales over its potential, the sum of its estimates.
The nightly run (SQL) and the potential table (Python) both use the definitions here.
"""

from decimal import Decimal

from segmentation.models import ClientWallet
from segmentation.segments.sql import Dialect

ZERO = Decimal(0)


def covered(ours: Decimal, estimate: Decimal) -> Decimal:
    """Our sales of one product group counted against its estimate."""
    return min(ours, estimate)


def share(covered_sales: Decimal, potential: Decimal) -> Decimal | None:
    """Covered sales as a percentage of the potential; None without a positive potential."""
    return covered_sales * 100 / potential if potential > 0 else None


def covered_sql(ours: str, estimate: str) -> str:
    return f"CASE WHEN {ours} > {estimate} THEN {estimate} ELSE {ours} END"


def share_sql(d: Dialect, covered_sales: str, potential: str) -> str:
    return f"CASE WHEN {potential} > 0 THEN {d.decimal(f'{covered_sales} * 100.0 / {potential}', 2)} END"


# Every client with an estimate: its potential and covered sales, as `facts` keeps them.
ESTIMATES_CTE = f"""est AS (
    SELECT client_id, potential, covered FROM {ClientWallet._meta.db_table}
)"""
