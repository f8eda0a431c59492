"""The card's segment panel, kept drawn (`kam.fragments`) by everything it shows: drawn once for
the same data, drawn again the moment any of it changes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import PointOfPresence
from segmentation import extensions
from segmentation.models import ClientSegment, KeyStatus, NightlyRun, Policy, TierOverride
from tests.factories import ClientFactory, PointFactory

pytestmark = pytest.mark.django_db

PANEL_START = '<div class="card shadow-sm" id="segment-panel">'


@pytest.fixture
def drawn(monkeypatch):
    """How many times the panel was drawn (its reasons worked out and rendered)."""
    calls = []
    draw = extensions.segment_panel

    def counted(*args, **kwargs):
        calls.append(1)
        return draw(*args, **kwargs)

    monkeypatch.setattr(extensions, "segment_panel", counted)
    return calls


@pytest.fixture
def segmented(client_card):
    """The card's client and another one, segmented by a run that kept its totals."""
    today = timezone.localdate()
    ClientSegment.objects.create(
        client=client_card,
        tier="silver",
        category="B",
        revenue=Decimal(300),
        potential=Decimal(1000),
        lost_status="active",
        last_purchase=today - timedelta(days=10),
        usual_interval=Decimal(30),
    )
    ClientSegment.objects.create(client=ClientFactory(), revenue=Decimal(700), potential=Decimal(3000))
    run(clients=2, revenue="1000", potential="4000")
    Policy.current()  # as it is read, not as the first read creates it
    return client_card


def run(**totals):
    values = {name: str(value) for name, value in totals.items()}
    return NightlyRun.objects.create(
        run_on=timezone.localdate(), status=NightlyRun.Status.SUCCESS, totals={"active": 2, **values}
    )


def panel(browser, client) -> str:
    response = browser.get(reverse("accounts:client_detail", args=[client.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index(PANEL_START)
    return html[start : html.index("</div></div>", start)]


def test_the_same_panel_is_drawn_once_and_shown_alike(as_director, segmented, drawn):
    first = panel(as_director, segmented)
    again = panel(as_director, segmented)

    assert drawn == [1]
    assert again == first
    assert "30.0% of all clients' revenue; 25.0% of all potential" in first


def test_a_segment_changed_outside_a_run_shows_at_once(as_director, segmented, drawn):
    assert "<strong>Silver</strong>" in panel(as_director, segmented)
    ClientSegment.objects.filter(client=segmented).update(tier="gold")

    assert "<strong>Gold</strong>" in panel(as_director, segmented)
    assert drawn == [1, 1]


def test_an_override_and_a_key_decision_show_at_once(as_director, segmented, director, admin_user, drawn):
    panel(as_director, segmented)
    TierOverride.objects.create(client=segmented, tier="gold", reason="Opens Siberia", decided_by=admin_user)
    assert "Opens Siberia" in panel(as_director, segmented)
    TierOverride.objects.filter(client=segmented).update(reason="Opens the Far East")
    assert "Opens the Far East" in panel(as_director, segmented)

    KeyStatus.objects.create(
        client=segmented, is_key=True, reasons=["strategic"], note="Board", decided_by=director
    )
    html = panel(as_director, segmented)
    assert "Board" in html
    assert "decided by Dmitry Volkov" in html
    KeyStatus.objects.filter(client=segmented).update(note="Board, March")
    assert "Board, March" in panel(as_director, segmented)

    director.first_name = "Dmitri"
    director.save()
    assert "decided by Dmitri Volkov" in panel(as_director, segmented)
    admin_user.last_name = "Kuznetsova-Orlova"
    admin_user.save()
    assert "Alla Kuznetsova-Orlova" in panel(as_director, segmented)
    assert drawn == [1, 1, 1, 1, 1, 1, 1]


def test_a_new_run_and_another_policy_show_at_once(as_director, segmented, drawn):
    assert "30.0% of all clients' revenue" in panel(as_director, segmented)
    run(clients=2, revenue="600", potential="4000")
    assert "50.0% of all clients' revenue" in panel(as_director, segmented)

    assert "the next 30% of all potential" in panel(as_director, segmented)
    Policy.objects.filter(pk=1).update(silver_share=Decimal(40))
    assert "the next 40% of all potential" in panel(as_director, segmented)
    assert drawn == [1, 1, 1]


def test_the_next_day_and_another_user_draw_it_again(
    as_director, client, manager, segmented, drawn, monkeypatch
):
    as_director_html = panel(as_director, segmented)
    assert "last purchase 10 days ago" in as_director_html
    assert reverse("segmentation:key_decide", args=[segmented.pk]) in as_director_html

    client.force_login(manager)
    as_manager_html = panel(client, segmented)
    assert reverse("segmentation:key_decide", args=[segmented.pk]) not in as_manager_html

    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr("segmentation.extensions.timezone.localdate", lambda: tomorrow)
    assert "last purchase 11 days ago" in panel(client, segmented)
    assert drawn == [1, 1, 1]


def test_the_language_draws_it_again(as_director, director, segmented, drawn):
    assert "<strong>Silver</strong>" in panel(as_director, segmented)
    director.language = "ru"
    director.save()

    assert "<strong>Серебряный</strong>" in panel(as_director, segmented)
    assert drawn == [1, 1]


def test_an_expansion_alert_is_drawn_each_time(as_director, segmented, drawn):
    """Its areas are the planned points, which a manager adds between runs."""
    ClientSegment.objects.filter(client=segmented).update(expansion_points=1)
    soon = timezone.localdate() + timedelta(days=30)
    planned = {"status": PointOfPresence.Status.PLANNED, "planned_date": soon, "country": "RU"}
    PointFactory(client=segmented, region="RU-IRK", **planned)
    assert "Irkutsk Oblast" in panel(as_director, segmented)

    PointFactory(client=segmented, region="RU-KYA", **planned)
    assert "Krasnoyarsk Krai" in panel(as_director, segmented)
    assert drawn == [1, 1]


def test_without_a_run_that_kept_totals_it_is_drawn_each_time(as_director, client_card, drawn):
    ClientSegment.objects.create(client=client_card, tier="gold", revenue=Decimal(5))
    panel(as_director, client_card)
    panel(as_director, client_card)

    assert drawn == [1, 1]
