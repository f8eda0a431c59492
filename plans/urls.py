from django.urls import URLPattern, path

from plans import views
from plans.activities import views as activities
from plans.day import views as day
from plans.handover import views as handover
from plans.questionnaires import views as questionnaires
from plans.winback import views as winback

app_name = "plans"

urlpatterns: list[URLPattern] = [
    # The card's Plans tab: start a plan, its steps, its offer, closing it
    path("clients/<int:pk>/", views.client_plans, name="client_plans"),
    path("clients/<int:pk>/start/<str:kind>/", views.plan_start, name="plan_start"),
    path("clients/<int:pk>/steps/<int:step_pk>/", views.step_edit, name="step_edit"),
    path("clients/<int:pk>/steps/<int:step_pk>/tick/", views.step_tick, name="step_tick"),
    path("clients/<int:pk>/plans/<int:plan_pk>/close/", views.plan_close, name="plan_close"),
    path("clients/<int:pk>/plans/<int:plan_pk>/offer/", views.plan_offer, name="plan_offer"),
    # The card's Activities tab: development activities and the loyalty ladder (activities/)
    path("clients/<int:pk>/activities/", activities.client_activities, name="client_activities"),
    path("clients/<int:pk>/activities/new/", activities.activity_form, name="activity_new"),
    path("clients/<int:pk>/activities/<int:activity_pk>/", activities.activity_form, name="activity_edit"),
    path(
        "clients/<int:pk>/activities/<int:activity_pk>/delete/",
        activities.activity_delete,
        name="activity_delete",
    ),
    # The card's Handover tab: the notes for a moved client's new manager (handover/)
    path("clients/<int:pk>/handover/", handover.client_handover, name="client_handover"),
    path("clients/<int:pk>/handover/<int:note_pk>/", handover.handover_edit, name="handover_edit"),
    # The plan templates (admins)
    path("templates/", views.template_list, name="template_list"),
    path("templates/<str:kind>/", views.template_detail, name="template_detail"),
    path("templates/steps/<int:pk>/", views.template_step_edit, name="template_step_edit"),
    path("templates/steps/<int:pk>/move/", views.template_step_move, name="template_step_move"),
    path("templates/steps/<int:pk>/retire/", views.template_step_retire, name="template_step_retire"),
    # The card's Questionnaires tab: run one, correct a survey, a low score to a plan step
    path("clients/<int:pk>/questionnaires/", questionnaires.client_surveys, name="client_surveys"),
    path("clients/<int:pk>/questionnaires/<str:kind>/new/", questionnaires.survey_new, name="survey_new"),
    path("clients/<int:pk>/surveys/<int:survey_pk>/", questionnaires.survey_edit, name="survey_edit"),
    path("clients/<int:pk>/answers/<int:answer_pk>/step/", questionnaires.answer_step, name="answer_step"),
    # The questions of the questionnaires (admins)
    path("questionnaires/", questionnaires.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/<str:kind>/", questionnaires.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/questions/<int:pk>/", questionnaires.question_edit, name="question_edit"),
    path("questionnaires/questions/<int:pk>/move/", questionnaires.question_move, name="question_move"),
    path("questionnaires/questions/<int:pk>/retire/", questionnaires.question_retire, name="question_retire"),
    # The manager's day (day/)
    path("day/", day.day, name="day"),
    path(
        "day/clients/<int:pk>/contacts/<int:contact_pk>/congratulate/", day.congratulate, name="congratulate"
    ),
    # The directors' loyalty ladder across the base (activities/)
    path("ladder/", activities.ladder, name="ladder"),
    # The win-back list (winback/)
    path("win-back/", winback.win_back, name="win_back"),
    path("win-back/export/", winback.win_back_export, name="win_back_export"),
]
