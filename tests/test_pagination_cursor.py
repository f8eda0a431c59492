"""The keyset pager's cursor codec (`kam.pagination.encode_cursor`, `decode_cursor`)."""

import base64
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kam.pagination import decode_cursor, encode_cursor

MOSCOW = timezone(timedelta(hours=3))


def b64(raw: str | bytes) -> str:
    return base64.urlsafe_b64encode(raw.encode() if isinstance(raw, str) else raw).decode()


def wire_of(cursor: str) -> object:
    return json.loads(base64.urlsafe_b64decode(cursor))


# --- the codec -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "wire"),
    [
        (7, int, 7),
        (0, int, 0),
        (-3, int, -3),
        (10**20, int, 10**20),
        ("Client 0001", str, "Client 0001"),
        ("", str, ""),
        ("ООО «Ромашка»", str, "ООО «Ромашка»"),
        (Decimal("1234.50"), Decimal, {"dec": "1234.50"}),
        (Decimal("-1"), Decimal, {"dec": "-1"}),
        (Decimal("0.00"), Decimal, {"dec": "0.00"}),
        (
            datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
            datetime,
            {"dt": "2025-03-01T09:30:15.123456+00:00"},
        ),
        (datetime(2025, 3, 1, 12, 0, tzinfo=MOSCOW), datetime, {"dt": "2025-03-01T12:00:00+03:00"}),
        (datetime(2025, 3, 1, 12, 0), datetime, {"dt": "2025-03-01T12:00:00"}),
        (date(2024, 2, 29), date, {"date": "2024-02-29"}),
    ],
)
def test_each_type_round_trips_with_its_wire_form(value, kind, wire):
    cursor = encode_cursor([value, 5])

    assert wire_of(cursor) == [wire, 5]
    decoded = decode_cursor(cursor, [kind, int])
    assert decoded == (value, 5)
    assert type(decoded[0]) is kind
    assert str(decoded[0]) == str(value)  # the Decimal's exponent and the datetime's offset too


def test_several_values_round_trip_in_order():
    values = [2, Decimal("99.90"), "Beta", date(2025, 1, 31), datetime(2025, 1, 31, 23, 59, tzinfo=UTC), 11]

    cursor = encode_cursor(values)

    assert decode_cursor(cursor, [int, Decimal, str, date, datetime, int]) == tuple(values)


def test_cursor_is_url_safe_ascii():
    cursor = encode_cursor(["?>?>?>~~~", 1])  # its standard base64 holds "/" and "+"

    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")
    assert {"-", "_"} & set(cursor)
    assert decode_cursor(cursor, [str, int]) == ("?>?>?>~~~", 1)


@pytest.mark.parametrize("value", [None, 1.5, True, object()])
def test_a_value_the_codec_cannot_read_back_is_refused_when_encoding(value):
    with pytest.raises(TypeError):
        encode_cursor([value, 1])


@pytest.mark.parametrize(
    ("cursor", "types"),
    [
        pytest.param("", [str, int], id="empty"),
        pytest.param("garbage", [str, int], id="bad padding"),
        pytest.param("!!!!", [str, int], id="not base64"),
        pytest.param(b64('["a", 1]') + "!", [str, int], id="trailing junk"),
        pytest.param("WyJhIiwgMV0é", [str, int], id="not ascii"),
        pytest.param(b64("not json"), [str, int], id="not json"),
        pytest.param(b64(b'["\xff", 1]'), [str, int], id="not utf-8"),
        pytest.param(b64("[" * 100_000), [str, int], id="nested too deep"),
        pytest.param(b64('{"a": 1}'), [str, int], id="object"),
        pytest.param(b64('"a"'), [str], id="scalar"),
        pytest.param(b64("[]"), [str, int], id="empty list"),
        pytest.param(b64('["a"]'), [str, int], id="too short"),
        pytest.param(b64('["a", 1, 2]'), [str, int], id="too long"),
        pytest.param(b64('["a", "1"]'), [str, int], id="str for int"),
        pytest.param(b64('["a", true]'), [str, int], id="bool for int"),
        pytest.param(b64('["a", 1.0]'), [str, int], id="float for int"),
        pytest.param(b64('["a", NaN]'), [str, int], id="NaN for int"),
        pytest.param(b64('["a", null]'), [str, int], id="null for int"),
        pytest.param(b64("[5, 1]"), [str, int], id="int for str"),
        pytest.param(b64('[["a"], 1]'), [str, int], id="list for str"),
        pytest.param(b64('["a\\u0000b", 1]'), [str, int], id="NUL in str"),
        pytest.param(b64('["\\ud800", 1]'), [str, int], id="lone surrogate in str"),
        pytest.param(b64('["1.5", 1]'), [Decimal, int], id="untagged Decimal"),
        pytest.param(b64("[1.5, 1]"), [Decimal, int], id="float for Decimal"),
        pytest.param(b64('[{"dec": 1.5}, 1]'), [Decimal, int], id="Decimal tag on a number"),
        pytest.param(b64('[{"dec": "abc"}, 1]'), [Decimal, int], id="not a Decimal"),
        pytest.param(b64('[{"dec": "NaN"}, 1]'), [Decimal, int], id="NaN Decimal"),
        pytest.param(b64('[{"dec": "sNaN"}, 1]'), [Decimal, int], id="signalling NaN Decimal"),
        pytest.param(b64('[{"dec": "Infinity"}, 1]'), [Decimal, int], id="infinite Decimal"),
        pytest.param(b64('[{"dec": "-Infinity"}, 1]'), [Decimal, int], id="minus infinite Decimal"),
        pytest.param(b64('[{"dec": "1", "x": 1}, 1]'), [Decimal, int], id="extra key"),
        pytest.param(b64('[{"dec": "1E+100"}, 1]'), [Decimal, int], id="Decimal too big"),
        pytest.param(b64('[{"dec": "-1E+100"}, 1]'), [Decimal, int], id="Decimal too small"),
        pytest.param(b64('[{"dec": "1E-101"}, 1]'), [Decimal, int], id="Decimal too fine"),
        pytest.param(b64('[{"dec": "0E-101"}, 1]'), [Decimal, int], id="zero too fine"),
        pytest.param(b64('[{"dt": "2025-01-01T00:00:00"}, 1]'), [Decimal, int], id="datetime for Decimal"),
        pytest.param(b64('[{"dt": "yesterday"}, 1]'), [datetime, int], id="not a datetime"),
        pytest.param(b64('[{"dt": "0001-01-01T00:00:00+00:00"}, 1]'), [datetime, int], id="first year"),
        pytest.param(b64('[{"dt": "9999-12-31T00:00:00"}, 1]'), [datetime, int], id="last year"),
        pytest.param(b64('[{"dt": "2025-01-01T00:00:00+16:00"}, 1]'), [datetime, int], id="offset +16h"),
        pytest.param(b64('[{"dt": "2025-01-01T00:00:00-16:00"}, 1]'), [datetime, int], id="offset -16h"),
        pytest.param(b64('["2025-01-01T00:00:00", 1]'), [datetime, int], id="untagged datetime"),
        pytest.param(b64('[{"date": "2025-01-01"}, 1]'), [datetime, int], id="date for datetime"),
        pytest.param(b64('[{"date": "2025-02-30"}, 1]'), [date, int], id="not a date"),
        pytest.param(b64('[{"dt": "2025-01-01T00:00:00"}, 1]'), [date, int], id="datetime for date"),
        pytest.param(b64('[{"date": ["2025-01-01"]}, 1]'), [date, int], id="date tag on a list"),
    ],
)
def test_a_malformed_cursor_decodes_to_none(cursor, types):
    assert decode_cursor(cursor, types) is None
