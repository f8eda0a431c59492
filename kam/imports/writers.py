"""Writing checked rows: each kind's writer takes the rows chunk by chunk (`add`) inside the
import's transaction and says what it did (`finish` -> Counts). Every chunk costs a fixed number
of statements whatever its size: sales are staged (SaleStage, one COPY a chunk on PostgreSQL) and merged
into accounts.Sale by a few INSERT ... SELECT / UPDATE / DELETE over the stage (the portable path:
PostgreSQL's commit has its own writer, kam.imports.sales_sql.RowsWriter); the other kinds
read the existing rows of the chunk's clients in one query and write with bulk_create and
bulk_update, their history rows copied in one INSERT ... SELECT (kam.bulk_history).
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from accounts.models import Client, Contact, PointOfPresence, Refusal, Sale
from kam.bulk_history import insert_history
from kam.imports.columns import normalise
from kam.imports.models import ImportRun, Kind, SaleReplaced, SaleStage
from kam.imports.texts import _
from kam.imports.validation import Problem
from kam.users.models import User
from segmentation.models import PotentialEstimate


@dataclass(frozen=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged
        )


class Writer:
    # Whether `duplicates` finds the file's repeated rows (else the validator remembers them).
    finds_duplicates = False

    def __init__(self, *, run: ImportRun, by: User) -> None:
        self.run = run
        self.by = by
        self.now = timezone.now()
        self.counts = Counts()

    def add(self, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def finish(self) -> Counts:
        return self.counts

    def duplicates(self, limit: int) -> tuple[int, list[Problem]]:
        """How many rows repeat an earlier one, and the first `limit` of them as problems."""
        return 0, []

    def save(
        self,
        model: type[Model],
        new: list[Any],
        changed: list[Any],
        fields: list[str],
        unchanged: int,
        *,
        touch: bool = True,
    ) -> None:
        """Write a chunk's new and changed rows of `model` (two statements), their history rows,
        move their clients' cards on (`touch`), and count them."""
        created = model._default_manager.bulk_create(new)
        if changed:
            model._default_manager.bulk_update(changed, fields)
        self.history(model, [row.pk for row in created], "+")
        self.history(model, [row.pk for row in changed], "~")
        if touch:
            self.touch({row.client_id for row in [*created, *changed]})
        self.counts += Counts(len(created), len(changed), unchanged)

    def touch(self, clients: set[int]) -> None:
        """The cards' last update moves on, as a form's save moves it."""
        if clients:
            Client.objects.filter(pk__in=clients).update(updated_at=self.now)

    def history(self, model: type[Model], pks: list[int], kind: str) -> None:
        if pks:
            insert_history(
                model,
                pks=model._default_manager.filter(pk__in=pks).values("pk"),
                kind=kind,
                user_id=self.by.pk,
                at=self.now,
            )


# Sales


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


SALE = _q(Sale._meta.db_table)
STAGE = _q(SaleStage._meta.db_table)
REPLACED = _q(SaleReplaced._meta.db_table)
SAME_CLIENT_GROUP = f"s.client_id = {STAGE}.client_id AND s.product_group_id = {STAGE}.product_group_id"
IN_MONTH = f"{SAME_CLIENT_GROUP} AND s.date >= {STAGE}.date AND s.date < {STAGE}.until"


STAGE_COLUMNS = (
    "run_id",
    "row",
    "client_id",
    "product_group_id",
    "date",
    "until",
    "document",
    "amount",
    "outcome",
)


def stage_rows(run: ImportRun, rows: Iterable[dict[str, Any]]) -> None:
    """Put checked sales rows into the stage: on PostgreSQL one `COPY ... FROM STDIN` of the
    chunk written as CSV in memory; elsewhere a prepared INSERT run for each row. Each row:
    number, client, product_group, date (the 1st for monthly totals), document, amount."""
    values = [
        (
            run.pk,
            row["number"],
            row["client"],
            row["product_group"],
            row["date"],
            next_month(row["date"]) if run.monthly else None,
            row["document"],
            row["amount"],
            "created",  # until the merge finds the sale it updates or leaves unchanged
        )
        for row in rows
    ]
    if not values:
        return
    if connection.vendor == "postgresql":
        _copy_stage(values)
        return
    columns = ", ".join(_q(name) for name in STAGE_COLUMNS)
    marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
    adapt = connection.ops
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {STAGE} ({columns}) VALUES ({marks})",
            [
                (
                    *value[:4],
                    adapt.adapt_datefield_value(value[4]),
                    adapt.adapt_datefield_value(value[5]),
                    value[6],
                    adapt.adapt_decimalfield_value(value[7]),
                    value[8],
                )
                for value in values
            ],
        )


def _copy_stage(values: list[tuple[Any, ...]]) -> None:
    """COPY the rows in as CSV: an unquoted empty field is NULL (`until` of a dated sale); the
    text columns are FORCE_NOT_NULL, so an empty document stays an empty string."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(values)
    buffer.seek(0)
    columns = ", ".join(_q(name) for name in STAGE_COLUMNS)
    text = ", ".join(_q(name) for name in ("document", "outcome"))
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {STAGE} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({text}))", buffer
        )


def staged_duplicates(run: ImportRun, limit: int) -> tuple[int, list[Problem]]:
    """The staged rows that repeat an earlier row's client, group, date and document: how many,
    and the first `limit` by row number."""
    return duplicates_in(f"(SELECT * FROM {STAGE} WHERE run_id = %s)", [run.pk], limit)


def duplicates_in(rows: str, params: list[Any], limit: int) -> tuple[int, list[Problem]]:
    """The rows of `rows` (a table or a subquery with `params`, holding row, client_id,
    product_group_id, date and document) that repeat an earlier row, by one GROUP BY ... HAVING."""
    number = _q("row")
    repeated = (
        f"FROM {rows} st JOIN (SELECT client_id, product_group_id, date, document, MIN({number}) AS first "
        f"FROM {rows} d GROUP BY client_id, product_group_id, date, document "
        "HAVING COUNT(*) > 1) d ON st.client_id = d.client_id AND st.product_group_id = d.product_group_id "
        f"AND st.date = d.date AND st.document = d.document WHERE st.{number} <> d.first"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {repeated}", [*params, *params])
        count = cursor.fetchone()[0]
        if not count:
            return 0, []
        cursor.execute(
            f"SELECT st.{number}, d.first {repeated} ORDER BY st.{number} LIMIT %s", [*params, *params, limit]
        )
        found = cursor.fetchall()
    same = _("The same row as row %(row)s.")
    return count, [Problem(row, "", same % {"row": first}) for row, first in found]


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def merge_sales(run: ImportRun) -> Counts:
    """Merge the run's stage into the sales, set-based (see merge_by_document, merge_by_month),
    then forget the stages of earlier runs: only the last sales import can be undone."""
    with connection.cursor() as cursor:
        if run.monthly:
            _merge_by_month(cursor, run.pk)
        else:
            _merge_by_document(cursor, run.pk)
    return staged_counts(run)


def staged_counts(run: ImportRun, created: int = 0) -> Counts:
    """The run's outcomes as its stage holds them (plus `created` rows not staged); the stages of
    earlier runs are forgotten: only the last sales import can be undone."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT outcome, COUNT(*) FROM {STAGE} WHERE run_id = %s GROUP BY outcome", [run.pk])
        found = dict(cursor.fetchall())
    SaleStage.objects.exclude(run=run).delete()
    SaleReplaced.objects.exclude(run=run).delete()
    return Counts(created + found.get("created", 0), found.get("updated", 0), found.get("unchanged", 0))


def _merge_by_document(cursor: Any, run_id: int) -> None:
    """A row is the sale with its client, group, date and document: the same amount leaves it
    unchanged, another amount updates it (the old one kept on the stage), none creates it."""
    same_sale = (
        f"FROM {SALE} s WHERE {SAME_CLIENT_GROUP} AND s.date = {STAGE}.date AND s.document = {STAGE}.document"
    )
    # Rows are staged as "created": only those matching a sale are written again (none on a
    # file of new sales, whose rows cost one index probe each).
    cursor.execute(
        f"UPDATE {STAGE} SET (sale_id, old_amount, outcome) = (SELECT s.id, s.amount, "
        f"CASE WHEN s.amount = {STAGE}.amount THEN 'unchanged' ELSE 'updated' END {same_sale} "
        f"ORDER BY s.id LIMIT 1) WHERE run_id = %s AND EXISTS (SELECT 1 {same_sale})",
        [run_id],
    )
    update_amounts(cursor, run_id)
    _insert_sales(cursor, run_id, ("created",))


def update_amounts(cursor: Any, run_id: int) -> None:
    """The sales the run's stage says it updated take the file's amounts."""
    cursor.execute(
        f"UPDATE {SALE} SET amount = (SELECT st.amount FROM {STAGE} st WHERE st.run_id = %s "
        f"AND st.sale_id = {SALE}.id) "
        f"WHERE id IN (SELECT sale_id FROM {STAGE} WHERE run_id = %s AND outcome = 'updated')",
        [run_id, run_id],
    )


def _merge_by_month(cursor: Any, run_id: int) -> None:
    """A row is the client's total of a group for a month: a month holding exactly that total on
    its first day is unchanged; any other month's sales are replaced by the row (kept in
    SaleReplaced for undo); an empty month gets it."""
    cursor.execute(
        f"UPDATE {STAGE} SET outcome = CASE "
        f"WHEN NOT EXISTS (SELECT 1 FROM {SALE} s WHERE {IN_MONTH}) THEN 'created' "
        f"WHEN (SELECT COUNT(*) FROM {SALE} s WHERE {IN_MONTH}) = 1 AND EXISTS (SELECT 1 FROM {SALE} s "
        f"WHERE {SAME_CLIENT_GROUP} AND s.date = {STAGE}.date AND s.document = '' "
        f"AND s.amount = {STAGE}.amount) THEN 'unchanged' "
        f"ELSE 'updated' END WHERE run_id = %s",
        [run_id],
    )
    replaced = (
        f"FROM {SALE} s JOIN {STAGE} ON {IN_MONTH} WHERE {STAGE}.run_id = %s AND {STAGE}.outcome = 'updated'"
    )
    cursor.execute(
        f"INSERT INTO {REPLACED} (run_id, client_id, product_group_id, date, document, amount, import_batch) "
        "SELECT %s, s.client_id, s.product_group_id, s.date, s.document, s.amount, s.import_batch "
        f"{replaced}",
        [run_id, run_id],
    )
    cursor.execute(f"DELETE FROM {SALE} WHERE id IN (SELECT s.id {replaced})", [run_id])
    _insert_sales(cursor, run_id, ("created", "updated"))


def _insert_sales(cursor: Any, run_id: int, outcomes: tuple[str, ...]) -> None:
    marks = ", ".join(["%s"] * len(outcomes))
    cursor.execute(
        f"INSERT INTO {SALE} (client_id, product_group_id, date, document, amount, import_batch) "
        f"SELECT client_id, product_group_id, date, document, amount, run_id FROM {STAGE} "
        f"WHERE run_id = %s AND outcome IN ({marks})",
        [run_id, *outcomes],
    )


def undo_sales(run: ImportRun) -> Counts:
    """Put the sales back as they were before `run`: delete what it created, restore the amounts
    it updated and the months it replaced. Returns what was deleted, restored and put back."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SALE} WHERE import_batch = %s", [run.pk])
        deleted = cursor.rowcount
        cursor.execute(
            f"UPDATE {SALE} SET amount = (SELECT st.old_amount FROM {STAGE} st WHERE st.run_id = %s "
            f"AND st.sale_id = {SALE}.id) "
            f"WHERE id IN (SELECT sale_id FROM {STAGE} WHERE run_id = %s AND outcome = 'updated' "
            f"AND sale_id IS NOT NULL)",
            [run.pk, run.pk],
        )
        restored = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {SALE} (client_id, product_group_id, date, document, amount, import_batch) "
            f"SELECT client_id, product_group_id, date, document, amount, import_batch FROM {REPLACED} "
            f"WHERE run_id = %s",
            [run.pk],
        )
        put_back = cursor.rowcount
    SaleStage.objects.filter(run=run).delete()
    SaleReplaced.objects.filter(run=run).delete()
    return Counts(created=deleted, updated=restored, unchanged=put_back)


class SalesWriter(Writer):
    finds_duplicates = True

    def add(self, rows: list[dict[str, Any]]) -> None:
        stage_rows(self.run, rows)

    def duplicates(self, limit: int) -> tuple[int, list[Problem]]:
        return staged_duplicates(self.run, limit)

    def finish(self) -> Counts:
        return self.merge()

    def merge(self) -> Counts:
        return merge_sales(self.run)


# Estimates, refusals, clients: per chunk


class EstimatesWriter(Writer):
    """One estimate per client and group: created, or replaced when its amount, source or date
    differ (its author becomes the importer, as when a form saves it)."""

    FIELDS = ("amount", "source", "estimated_on")

    def add(self, rows: list[dict[str, Any]]) -> None:
        existing = {
            (estimate.client_id, estimate.product_group_id): estimate
            for estimate in PotentialEstimate.objects.filter(client_id__in={row["client"] for row in rows})
        }
        new, changed, unchanged = [], [], 0
        for row in rows:
            estimate = existing.get((row["client"], row["product_group"]))
            if estimate is None:
                new.append(
                    PotentialEstimate(
                        client_id=row["client"],
                        product_group_id=row["product_group"],
                        author=self.by,
                        **{name: row[name] for name in self.FIELDS},
                    )
                )
            elif any(getattr(estimate, name) != row[name] for name in self.FIELDS):
                for name in self.FIELDS:
                    setattr(estimate, name, row[name])
                estimate.author = self.by
                changed.append(estimate)
            else:
                unchanged += 1
        self.save(PotentialEstimate, new, changed, [*self.FIELDS, "author"], unchanged)


class RefusalsWriter(Writer):
    """A refusal is its client, date, product group and reason: a new one is added; an existing
    one takes the file's note when the note is given and differs."""

    def add(self, rows: list[dict[str, Any]]) -> None:
        existing: dict[tuple[Any, ...], Refusal] = {}
        found = Refusal.objects.filter(
            client_id__in={row["client"] for row in rows}, date__in={row["date"] for row in rows}
        ).order_by("pk")
        for refusal in found:
            existing.setdefault(
                (refusal.client_id, refusal.date, refusal.product_group_id, refusal.reason), refusal
            )
        new: list[Refusal] = []
        changed: list[Refusal] = []
        unchanged = 0
        for row in rows:
            found_refusal = existing.get((row["client"], row["date"], row["product_group"], row["reason"]))
            if found_refusal is None:
                new.append(
                    Refusal(
                        client_id=row["client"],
                        date=row["date"],
                        product_group_id=row["product_group"],
                        reason=row["reason"],
                        note=row["note"],
                    )
                )
            elif row["note"] and row["note"] != found_refusal.note:
                found_refusal.note = row["note"]
                found_refusal.version += 1
                changed.append(found_refusal)
            else:
                unchanged += 1
        self.save(Refusal, new, changed, ["note", "version"], unchanged)


class ClientsWriter(Writer):
    """A new card per unmatched row; a matched card takes the file's non-blank values."""

    FIELDS = {
        "name": "name",
        "legal_name": "legal_name",
        "kpp": "kpp",
        "industry": "industry_id",
        "manager": "responsible_manager_id",
        "status": "status",
        "website": "website",
    }

    def add(self, rows: list[dict[str, Any]]) -> None:
        new, changed, unchanged = [], [], 0
        for row in rows:
            card: Client | None = row["card"]
            if card is None:
                new.append(
                    Client(
                        name=row["name"],
                        legal_name=row["legal_name"] or "",
                        inn=row["inn"],
                        kpp=row["kpp"],
                        industry_id=row["industry"],
                        responsible_manager_id=row["manager"],
                        status=row["status"] or Client.Status.ACTIVE,
                        website=row["website"] or "",
                    )
                )
                continue
            differs = False
            for name, attribute in self.FIELDS.items():
                value = row.get(name)
                if value not in (None, "") and getattr(card, attribute) != value:
                    setattr(card, attribute, value)
                    differs = True
            if differs:
                card.version += 1
                card.updated_at = self.now
                changed.append(card)
            else:
                unchanged += 1
        fields = [*self.FIELDS.values(), "version", "updated_at"]
        self.save(Client, new, changed, fields, unchanged, touch=False)


class ContactsWriter(Writer):
    """A new contact per unknown name at the client; a known one takes the file's non-blank values."""

    FIELDS = (
        "position",
        "department",
        "phone",
        "email",
        "birthday",
        "decision_role",
        "influence",
        "attitude",
    )

    def add(self, rows: list[dict[str, Any]]) -> None:
        existing: dict[tuple[int, str], Contact] = {}
        for known in Contact.objects.filter(client_id__in={row["client"] for row in rows}).order_by("pk"):
            existing.setdefault((known.client_id, normalise(known.name)), known)
        new: list[Contact] = []
        changed: list[Contact] = []
        unchanged = 0
        for row in rows:
            values = {name: row[name] for name in self.FIELDS if row.get(name) not in (None, "")}
            contact = existing.get((row["client"], row["name_key"]))
            if contact is None:
                new.append(Contact(client_id=row["client"], name=row["name"], **values))
            elif any(getattr(contact, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(contact, name, value)
                contact.version += 1
                changed.append(contact)
            else:
                unchanged += 1
        self.save(Contact, new, changed, [*self.FIELDS, "version"], unchanged)


class PointsWriter(ContactsWriter):
    """A new point per unknown place of the client; a known one takes the file's head office,
    status and planned date when given."""

    POINT_FIELDS = {"head_office": "is_head_office", "status": "status", "planned_date": "planned_date"}

    def add(self, rows: list[dict[str, Any]]) -> None:
        existing: dict[tuple[int, str, str, str], PointOfPresence] = {}
        found = PointOfPresence.objects.filter(client_id__in={row["client"] for row in rows}).order_by("pk")
        for known in found:
            existing.setdefault((known.client_id, known.country, known.region, normalise(known.city)), known)
        new: list[PointOfPresence] = []
        changed: list[PointOfPresence] = []
        unchanged = 0
        for row in rows:
            values = {
                field: row[name] for name, field in self.POINT_FIELDS.items() if row.get(name) is not None
            }
            if row.get("status") == PointOfPresence.Status.OPEN:
                values["planned_date"] = None
            point = existing.get((row["client"], row["country"], row["region"], row["city_key"]))
            if point is None:
                new.append(
                    PointOfPresence(
                        client_id=row["client"],
                        country=row["country"],
                        region=row["region"],
                        city=row["city"],
                        **values,
                    )
                )
            elif any(getattr(point, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(point, name, value)
                point.version += 1
                changed.append(point)
            else:
                unchanged += 1
        self.save(PointOfPresence, new, changed, [*self.POINT_FIELDS.values(), "version"], unchanged)


WRITERS: dict[str, type[Writer]] = {
    Kind.CONTACTS: ContactsWriter,
    Kind.POINTS: PointsWriter,
    Kind.CLIENTS: ClientsWriter,
    Kind.SALES: SalesWriter,
    Kind.REFUSALS: RefusalsWriter,
    Kind.ESTIMATES: EstimatesWriter,
}
