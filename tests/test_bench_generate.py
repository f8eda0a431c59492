"""The benchmarks' generator loads by COPY, past the models: it must keep up with the schema."""

import pytest
from django.db import connection

from accounts.models import Client, Sale

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator loads by PostgreSQL's COPY"),
    pytest.mark.django_db(transaction=True),  # it ends with VACUUM, which no transaction may hold
]


def test_the_generator_loads_clients_and_sales_the_schema_accepts():
    from bench.generate import generate

    sales, _today = generate(clients=30, seed=7)

    assert Client.objects.count() == 30
    assert Sale.objects.count() == sales > 0
    assert set(Client.objects.values_list("next_step", flat=True)) == {""}
