from django.urls import URLPattern, path

from segmentation.views import card, lists, ops

app_name = "segmentation"

urlpatterns: list[URLPattern] = [
    # Policy, runs and notifications (views/ops.py)
    path("policy/", ops.policy, name="policy"),
    path("runs/", ops.run_list, name="run_list"),
    path("runs/start/", ops.run_start, name="run_start"),
    path("notifications/", ops.notification_list, name="notification_list"),
    path("notifications/read/", ops.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/", ops.notification_open, name="notification_open"),
    # The card: potential table, segments, key status, tier override (views/card.py)
    path("clients/<int:pk>/potential/", card.potential, name="potential"),
    path("clients/<int:pk>/potential/groups/<int:group_pk>/", card.estimate_new, name="estimate_new"),
    path("clients/<int:pk>/potential/<int:estimate_pk>/", card.estimate_edit, name="estimate_edit"),
    path(
        "clients/<int:pk>/potential/<int:estimate_pk>/delete/", card.estimate_delete, name="estimate_delete"
    ),
    path("clients/<int:pk>/key/", card.key_decide, name="key_decide"),
    path("clients/<int:pk>/tier/", card.tier_override, name="tier_override"),
    # Lists: key candidates, estimates to do (views/lists.py)
    path("candidates/", lists.candidates, name="candidates"),
    path("todo/", lists.todo, name="todo"),
]
