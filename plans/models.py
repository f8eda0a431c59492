"""Retention, development and win-back plans (DOMAIN §7, §10), the templates they are made from, and
the development activities that climb the loyalty ladder (DOMAIN §7).

A plan copies its template's steps when it is created, so a later change to the template never
alters a plan already running. Plans and their steps carry a `version` that every save moves on
(see `accounts.services._claim`): a stale save is refused, never silently applied.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Client, Contact, Touch, date_in_range
from accounts.validators import validate_date_range

MAX_OFFSET_DAYS = 3650


class PlanKind(models.TextChoices):
    RETENTION = "retention", _("Retention plan")
    DEVELOPMENT = "development", _("Development plan")
    WIN_BACK = "win_back", _("Win-back plan")


class Bilingual(models.Model):
    """A step's wording in English and Russian; the page shows the active language's, or the other."""

    text_en = models.CharField(_("wording in English"), max_length=300, blank=True)
    text_ru = models.CharField(_("wording in Russian"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def text(self) -> str:
        if translation.get_language() == "ru":
            return self.text_ru or self.text_en
        return self.text_en or self.text_ru


class PlanTemplate(models.Model):
    """The steps a new plan of one kind starts with; admins edit them in the app."""

    kind = models.CharField(_("kind"), max_length=12, choices=PlanKind.choices, unique=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("plan template")
        verbose_name_plural = _("plan templates")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class TemplateStep(Bilingual):
    """One step of a template, due `offset_days` after a plan starts. Retired steps stay (with their
    history) but new plans leave them out."""

    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"))
    offset_days = models.PositiveSmallIntegerField(
        _("due after, days"),
        default=0,
        validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
        help_text=_("Days from the plan's start to the step's due date."),
    )
    is_active = models.BooleanField(pgettext_lazy("template step", "in use"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("template step")
        verbose_name_plural = _("template steps")
        constraints = [
            models.CheckConstraint(condition=~Q(text_en="", text_ru=""), name="templatestep_has_text"),
            models.CheckConstraint(
                condition=Q(offset_days__lte=MAX_OFFSET_DAYS), name="templatestep_offset_max"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Plan(models.Model):
    """A client's plan of one kind, owned by its responsible manager; at most one active per kind.

    A win-back plan also holds what made the client lost (`lost_criteria`, copied from the nightly
    run's figures when it starts) and the offer made to win it back.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("plan", "Active")
        CLOSED = "closed", pgettext_lazy("plan", "Closed")

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        WON_BACK = "won_back", pgettext_lazy("plan outcome", "Won back")
        ABANDONED = "abandoned", _("Abandoned")

    class Offer(models.TextChoices):
        SPECIAL = "special", _("Special offer")
        GIFT = "gift", _("Gift")
        DISCOUNT = "discount", _("Discount")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(_("kind"), max_length=12, choices=PlanKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("plan", "owner"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(_("started on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome in words"), blank=True)
    lost_criteria = models.JSONField(_("lost criteria met"), default=dict, blank=True, editable=False)
    offer_kind = models.CharField(_("offer"), max_length=8, choices=Offer.choices, blank=True)
    offer_text = models.TextField(_("the offer in words"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-started_on", "-id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        indexes = [models.Index(fields=["client", "status"], name="plan_client_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind"],
                condition=Q(status="active"),
                name="plan_one_active_per_kind",
                violation_error_message=_("The client already has an active plan of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(status="active", closed_on__isnull=True, outcome="")
                | (Q(status="closed", closed_on__isnull=False) & ~Q(outcome="")),
                name="plan_closed_has_outcome",
            ),
            models.CheckConstraint(condition=date_in_range("closed_on"), name="plan_closed_on_range"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class PlanStep(Bilingual):
    """One step of a plan: its wording (copied from the template), who does it and by when, when it
    was done, a note, and optionally the touch that did it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_steps",
    )
    due = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    touch = models.ForeignKey(
        Touch,
        verbose_name=_("the touch that did it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_steps",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        indexes = [
            # A user's undone steps in the order the day lists them, so that its first rows
            # are read off the index instead of joining every due step to its plan and client.
            models.Index(
                fields=["assignee", "due", "id"],
                condition=Q(done_on__isnull=True),
                name="planstep_undone_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=date_in_range("due"), name="planstep_due_range"),
            models.CheckConstraint(condition=date_in_range("done_on"), name="planstep_done_on_range"),
        ]

    def __str__(self) -> str:
        return self.text


# The "Ideal supplier" and "Ideal service" questionnaires (DOMAIN §7: step 6 of the retention plan,
# steps 1-2 of the development plan). The texts name them but list no questions and no scale; the
# seeded questions are starters an admin rewords. Scores run 1-5, the Russian school grade everyone
# reads without a legend (5 excellent, 2 unsatisfactory), so a score of LOW_SCORE or less is a
# shortcoming to fix.

MIN_SCORE = 1
MAX_SCORE = 5
LOW_SCORE = 2


class QuestionnaireKind(models.TextChoices):
    IDEAL_SUPPLIER = "ideal_supplier", _("“Ideal supplier”")
    IDEAL_SERVICE = "ideal_service", _("“Ideal service”")


class Questionnaire(models.Model):
    """One of the two questionnaires; its questions are edited by admins in the app."""

    kind = models.CharField(_("kind"), max_length=16, choices=QuestionnaireKind.choices, unique=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Question(Bilingual):
    """One question, answered with a score and a comment. Retired questions stay (with their
    answers and history) but new surveys leave them out."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"))
    is_active = models.BooleanField(pgettext_lazy("template step", "in use"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["questionnaire", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=~Q(text_en="", text_ru=""), name="question_has_text"),
        ]

    def __str__(self) -> str:
        return self.text


class Survey(models.Model):
    """A questionnaire answered by one of the client's contacts on a date (not in the future)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="surveys")
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="surveys"
    )
    taken_on = models.DateField(_("date"))
    respondent = models.ForeignKey(
        Contact,
        verbose_name=_("respondent"),
        on_delete=models.SET_NULL,  # deleting a contact keeps the answers
        null=True,
        related_name="surveys",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["client", "questionnaire", "taken_on"], name="survey_client_idx")]
        constraints = [
            models.CheckConstraint(condition=date_in_range("taken_on"), name="survey_taken_on_range"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} {self.taken_on:%Y-%m-%d}"


class Answer(models.Model):
    """The score and comment given to one question, and the plan step made of it, if any."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(MIN_SCORE), MaxValueValidator(MAX_SCORE)]
    )
    comment = models.TextField(_("comment"), blank=True)
    plan_step = models.OneToOneField(
        PlanStep,
        verbose_name=_("plan step made of it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answer",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=Q(score__gte=MIN_SCORE, score__lte=MAX_SCORE), name="answer_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.score}"

    @property
    def is_low(self) -> bool:
        return self.score <= LOW_SCORE


class ActivityKind(models.TextChoices):
    """The development activities the texts name for A, B and C clients."""

    PROJECT_GROUP = "project_group", _("Joint project group")
    TRAINING = "training", _("Training for the client's staff")
    CONSULTING = "consulting", _("Consulting for top management")
    VIP_EVENT = "vip_event", _("VIP event")


class Rung(models.IntegerChoices):
    """The loyalty ladder: what an activity's content works on, by its effect on loyalty, lowest first."""

    PRODUCT_USE = 1, _("Product-use efficiency")
    STAFF = 2, _("Developing all the client's staff")
    PROCESSES = 3, _("Business-process efficiency")
    BUSINESS = 4, _("The client's business efficiency")
    TOP_MANAGERS = 5, _("Top managers' competence")
    THEIR_CLIENTS = 6, _("Satisfying the client's own clients")


class Activity(models.Model):
    """A development activity with a client: its kind, date, people on both sides and the rung of
    the loyalty ladder it works on, optionally as part of one of the client's plans.

    An activity may be planned ahead (a future date); a rung counts as reached only once an
    activity on it has taken place, that is, its date is today or earlier.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    date = models.DateField(_("date"), validators=[validate_date_range])
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    rung = models.PositiveSmallIntegerField(_("rung of the loyalty ladder"), choices=Rung.choices)
    duration_minutes = models.PositiveIntegerField(
        _("duration, minutes"), null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    our_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our people"), blank=True, related_name="activities"
    )
    their_people = models.ManyToManyField(
        Contact, verbose_name=_("their people"), blank=True, related_name="activities"
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("development activity")
        verbose_name_plural = _("development activities")
        indexes = [
            models.Index(fields=["client", "date", "rung"], name="activity_client_date_idx"),
            # The time split reads a month of everyone's activities.
            models.Index(fields=["date"], name="activity_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=date_in_range("date"), name="activity_date_range"),
            models.CheckConstraint(condition=Q(rung__gte=1, rung__lte=6), name="activity_rung_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class HandoverNote(models.Model):
    """What the new manager of a key or gold client needs to know, written when the client moved
    (DOMAIN §9): generated from the card (see `plans.handover.services`), then edited by hand.

    The text carries a `version` that every save moves on (see `accounts.services._claim`).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="handover_notes")
    reassignment = models.ForeignKey(
        "segmentation.Reassignment",
        verbose_name=_("reassignment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handover_notes",
    )
    from_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("new manager"),
        on_delete=models.PROTECT,
        related_name="handover_notes",
    )
    text = models.TextField(_("handover note"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("handover note")
        verbose_name_plural = _("handover notes")
        indexes = [models.Index(fields=["client", "-created_at"], name="handover_client_idx")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="handover_has_text")]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.from_manager_id} → {self.to_manager_id}"
