"""Key status in words: a key client with the director's reasons, or not a key client."""

import pytest
from django.utils import translation

from segmentation.keys.words import key_reason, reason_labels
from segmentation.models import KeyStatus

pytestmark = pytest.mark.usefixtures("english")


def test_key_reason_lists_the_reasons_in_words():
    status = KeyStatus(is_key=True, reasons=["potential", "image"])

    assert str(key_reason(status)) == (
        "Key client — Potential sales volume or profitability, Image client: known, opens doors"
    )
    assert str(key_reason(KeyStatus(is_key=False))) == "Not a key client"
    assert str(key_reason(None)) == "Not a key client"


def test_a_candidate_s_strategic_marks_are_named():
    status = KeyStatus(is_key=False, reasons=["strategic", "competence"])

    assert str(key_reason(status)) == (
        "Not a key client yet: a candidate marked as — Strategic importance, "
        "Competence client: keeps our standards high"
    )


def test_the_reasons_are_named_in_each_language_and_an_unknown_one_is_left_out():
    assert reason_labels(["gone", "potential"]) == ["Potential sales volume or profitability"]
    with translation.override("ru"):
        assert reason_labels(["potential", "gone"]) == ["Потенциальный объём продаж или рентабельность"]
    assert reason_labels(["potential"]) == ["Potential sales volume or profitability"]
