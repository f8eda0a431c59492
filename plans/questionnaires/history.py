"""What the questionnaires add to the card's history tab (see `accounts.extensions.HistorySource`):
surveys recorded and corrected, and every answer given or changed (and the plan step made of it)."""

from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy

from accounts.audit import TrackedModel
from accounts.extensions import HistorySource
from plans.history import tracked_entries
from plans.models import Answer, Question, Questionnaire, Survey


def _survey(row: Any, names: Any) -> str:
    """The questionnaire and the date it was answered on."""
    taken_on = formats.date_format(row.taken_on, "SHORT_DATE_FORMAT")
    return f"{names.lookup(Questionnaire, row.questionnaire_id)} {taken_on}"


def _answer(row: Any, names: Any) -> str:
    return names.lookup(Question, row.question_id)


SURVEY = TrackedModel(
    Survey,
    "client_id",
    gettext_lazy("Questionnaire"),
    describe=_survey,
    hidden=("questionnaire", "created_by"),
)
ANSWER = TrackedModel(
    Answer, "survey__client_id", gettext_lazy("Answer"), describe=_answer, hidden=("survey", "question")
)

SOURCES = [
    HistorySource("surveys", tracked_entries(SURVEY), SURVEY.dates),
    HistorySource("answers", tracked_entries(ANSWER), ANSWER.dates),
]
