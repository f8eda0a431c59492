"""Geographic leagues and expansion alerts (DOMAIN §6).

By the client's open points of presence: premier (two or more continents), first (two or
more countries), second (two or more regions of one country), third (one region). A network
whose points each buy for themselves (no central purchasing, two or more points) is
qualifying first: it is won point by point.

An expansion alert is a planned point where we have no active location of our own
(`OwnLocation`): a location covers its region, a country-only location (abroad) its whole
country, and a planned point without a region is covered by any location in its country.
Where other clients are is not our presence. The nightly run (SQL) and the card (ORM) apply
the same test; both are here.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Exists, F, OuterRef, Q, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import geography
from accounts.models import Client, PointOfPresence
from segmentation.models import ClientFootprint, ClientSegment, League, OwnLocation
from segmentation.segments.sql import Fragment, values
from segmentation.segments.words import Reason

KIND = "league"
AREA_SQL = "CASE WHEN p.region = '' THEN p.country ELSE p.region END"


# Our active locations that cover the planned point `p` (see the module docstring).
COVERING_SQL = """SELECT 1 FROM segmentation_ownlocation o
        WHERE o.is_active AND o.country = p.country
            AND (o.region = '' OR p.region = '' OR o.region = p.region)"""


def footprint_sql(where: str) -> str:
    """Insert the footprint of each client's open points (`ClientFootprint`) for the clients
    `where` names (a condition on the points' `client_id`, or "" for every client)."""
    continents = [(code, geography.continent_of(code)) for code in geography.country_codes()]
    known = [(code, continent) for code, continent in continents if continent]
    cont = values(known, "SELECT '', '' WHERE 1 = 0")
    chosen = f" AND p.{where}" if where else ""
    return f"""
INSERT INTO {ClientFootprint._meta.db_table} (client_id, open_points, countries, regions, continents)
WITH cont(country, continent) AS ({cont})
SELECT p.client_id, COUNT(*), COUNT(DISTINCT p.country), COUNT(DISTINCT {AREA_SQL}),
    COUNT(DISTINCT k.continent)
FROM accounts_pointofpresence p LEFT JOIN cont k ON k.country = p.country
WHERE p.status = 'open'{chosen} GROUP BY p.client_id
"""


def fragment() -> Fragment:
    """The footprint of each client's open points (kept: `footprint_sql`), and its planned points
    where we are not."""
    return Fragment(
        ctes=(
            f"""expansion AS (
    SELECT p.client_id, COUNT(*) AS expansion_points FROM accounts_pointofpresence p
    WHERE p.status = 'planned' AND NOT EXISTS ({COVERING_SQL}) GROUP BY p.client_id
)""",
        ),
        joins=f"""LEFT JOIN {ClientFootprint._meta.db_table} pts ON pts.client_id = b.client_id
    LEFT JOIN expansion ex ON ex.client_id = b.client_id""",
        facts="""COALESCE(pts.open_points, 0) AS open_points, COALESCE(pts.countries, 0) AS countries,
        COALESCE(pts.regions, 0) AS regions, COALESCE(pts.continents, 0) AS continents,
        COALESCE(ex.expansion_points, 0) AS expansion_points""",
        columns=f"""j.continents, j.countries, j.regions, j.open_points,
    {league_sql("j", "j.centralised")} AS league,
    j.expansion_points""",
    )


def league_sql(counts: str, centralised: str) -> str:
    """The league of a row with the footprint's `counts` (a segment or the staged facts)."""
    return f"""CASE WHEN {counts}.open_points = 0 THEN ''
        WHEN {counts}.open_points >= 2 AND NOT {centralised} THEN 'qualifying'
        WHEN {counts}.continents >= 2 THEN 'premier'
        WHEN {counts}.countries >= 2 THEN 'first'
        WHEN {counts}.regions >= 2 THEN 'second'
        ELSE 'third' END"""


@dataclass(frozen=True)
class ExpansionArea:
    name: str
    planned_date: date | None


def expansion_areas(client: Client) -> list[ExpansionArea]:
    """The client's planned points where we have no location: the nightly run's test, for one client."""
    area = Case(When(region="", then=F("country")), default=F("region"))
    in_country = OwnLocation.objects.active().filter(country=OuterRef("country"))
    covering = in_country.filter(Q(region="") | Q(region=OuterRef("region")))
    planned = (
        client.points.filter(status=PointOfPresence.Status.PLANNED)
        .exclude(Exists(covering))
        .exclude(Q(region="") & Exists(in_country))
        .annotate(area=area)
        .order_by("planned_date", "id")
    )
    return [ExpansionArea(name=_area_name(p.area), planned_date=p.planned_date) for p in planned]


def _area_name(code: str) -> str:
    return geography.region_name(code) if "-" in code else geography.country_name(code)


def league_reason(segment: ClientSegment) -> Reason:
    """League by open points; a network without central purchasing is qualifying first."""
    if not segment.league:
        return Reason(_("No league"), _("no open points of presence"))
    return Reason(segment.get_league_display(), _league_detail(segment))


def _league_detail(segment: ClientSegment) -> str:
    if segment.league == League.QUALIFYING:
        count = segment.open_points
        return ngettext(
            "%(count)s point that buys for itself", "%(count)s points that each buy for themselves", count
        ) % {"count": count}
    if segment.league == League.PREMIER:
        count = segment.continents
        return ngettext("present on %(count)s continent", "present on %(count)s continents", count) % {
            "count": count
        }
    if segment.league == League.FIRST:
        count = segment.countries
        if segment.continents == 1:
            return ngettext(
                "%(count)s country of one continent", "%(count)s countries of one continent", count
            ) % {"count": count}
        return ngettext("%(count)s country", "%(count)s countries", count) % {"count": count}
    if segment.league == League.SECOND:
        count = segment.regions
        return ngettext("%(count)s region of one country", "%(count)s regions of one country", count) % {
            "count": count
        }
    count = segment.open_points
    return ngettext("%(count)s point in one region", "%(count)s points in one region", count) % {
        "count": count
    }


def expansion_reason(segment: ClientSegment) -> Reason | None:
    """Planned points where we have no location of our own, or None."""
    count = segment.expansion_points
    if not count:
        return None
    return Reason(
        ngettext(
            "Expansion alert: %(count)s planned point in a region where we have no presence",
            "Expansion alert: %(count)s planned points in regions where we have no presence",
            count,
        )
        % {"count": count}
    )
