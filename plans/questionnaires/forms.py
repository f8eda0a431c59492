"""The forms of the questionnaires: a question (admins) and a survey (a score and a comment per
question, the date and the respondent). Each carries the version of the record it was opened at."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import DATE_INPUT, CrispyMixin
from accounts.models import Client, Contact
from accounts.validators import validate_not_future
from plans.models import MAX_SCORE, MIN_SCORE, Question, Survey
from plans.questionnaires import selectors
from plans.questionnaires.services import SurveyValues

COMMENT_MAX = 1000
SCORES = [(n, str(n)) for n in range(MIN_SCORE, MAX_SCORE + 1)]


class QuestionForm(CrispyMixin, forms.ModelForm):
    """A question's wording in both languages (one is enough)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = Question
        fields = ["text_en", "text_ru"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text_en") and not data.get("text_ru") and not self.has_error("text_en"):
            raise forms.ValidationError(
                _("Write the question in English, in Russian or in both."), code="no_text"
            )
        return data

    def question_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RespondentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        contact: Contact = obj
        return f"{contact.name} — {contact.position}" if contact.position else contact.name


class SurveyForm(forms.Form):
    """A score from 1 to 5 and an optional comment for each question, the date and the respondent.

    A new survey asks the questions in use and remembers which ones the page showed (`asked`): if
    an admin changed them meanwhile, the form says so instead of saving answers to other questions.
    A survey being corrected asks the questions it was taken with.
    """

    taken_on = forms.DateField(label=_("Date"), widget=DATE_INPUT, validators=[validate_not_future])
    respondent = RespondentChoice(
        label=_("Respondent"),
        queryset=Contact.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the client's contacts.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    asked = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        client: Client,
        questions: list[Question],
        survey: Survey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        keep = survey.respondent_id if survey else None
        self.fields["respondent"].queryset = selectors.respondents(client, keep=keep)  # type: ignore[attr-defined]
        self.fields["respondent"].help_text = _("One of the client's contacts.")
        for question in questions:
            self.fields[f"score_{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Give this question a score."),
                    "invalid_choice": _("A score is a whole number from 1 to 5."),
                },
            )
            self.fields[f"comment_{question.pk}"] = forms.CharField(
                label=_("Comment"), required=False, max_length=COMMENT_MAX
            )
        self._initial(survey)

    def _initial(self, survey: Survey | None) -> None:
        if survey is None:
            self.fields["taken_on"].initial = timezone.localdate()
            self.fields["asked"].initial = _ids(self.questions)
            del self.fields["version"]
            return
        del self.fields["asked"]
        self.fields["version"].initial = survey.version
        self.fields["taken_on"].initial = survey.taken_on
        self.fields["respondent"].initial = survey.respondent_id
        for answer in survey.answers.all():
            self.fields[f"score_{answer.question_id}"].initial = answer.score
            self.fields[f"comment_{answer.question_id}"].initial = answer.comment

    def rows(self) -> list[tuple[Question, forms.BoundField, forms.BoundField]]:
        """Each question with its score and comment fields, for the template's table."""
        return [(q, self[f"score_{q.pk}"], self[f"comment_{q.pk}"]) for q in self.questions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "asked" in self.fields and data.get("asked") != _ids(self.questions):
            raise forms.ValidationError(
                _(
                    "The questions changed while you were answering: the form now shows them as they are. "
                    "Check your answers and save again."
                ),
                code="questions_changed",
            )
        missing = sum(1 for q in self.questions if self.has_error(f"score_{q.pk}", "required"))
        if missing:
            message = ngettext(
                "%(count)s question has no score: every question needs one.",
                "%(count)s questions have no score: every question needs one.",
                missing,
            )
            raise forms.ValidationError(message % {"count": missing}, code="missing")
        return data

    def survey_values(self) -> SurveyValues:
        data = self.cleaned_data
        scores = {q.pk: (data[f"score_{q.pk}"], data[f"comment_{q.pk}"].strip()) for q in self.questions}
        return SurveyValues(taken_on=data["taken_on"], respondent=data["respondent"], scores=scores)


def _ids(questions: list[Question]) -> str:
    return ",".join(str(q.pk) for q in questions)
