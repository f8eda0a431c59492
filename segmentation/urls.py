from django.urls import URLPattern, path

from segmentation.calculator import views as calculator
from segmentation.dashboard import views as dashboard
from segmentation.droute import views as droute
from segmentation.keys import views as keys
from segmentation.locations import views as locations
from segmentation.moves import views as moves
from segmentation.notifications import views as notifications
from segmentation.ops import views as ops
from segmentation.potential import views as potential
from segmentation.radar import views as radar
from segmentation.reviews import views as reviews
from segmentation.timesplit import views as timesplit
from segmentation.workload import views as workload

app_name = "segmentation"

urlpatterns: list[URLPattern] = [
    # The admins' side: policy and nightly runs (ops/)
    path("policy/", ops.policy, name="policy"),
    path("runs/", ops.run_list, name="run_list"),
    path("runs/start/", ops.run_start, name="run_start"),
    # Our own locations, "our presence" for the expansion alert (locations/)
    path("locations/", locations.location_list, name="location_list"),
    path("locations/new/", locations.location_create, name="location_create"),
    path("locations/<int:pk>/", locations.location_edit, name="location_edit"),
    path("locations/<int:pk>/retire/", locations.location_retire, name="location_retire"),
    # Notifications (notifications/)
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    # The potential table on the card and the estimates to do (potential/)
    path("clients/<int:pk>/potential/", potential.potential, name="potential"),
    path("clients/<int:pk>/potential/groups/<int:group_pk>/", potential.estimate_new, name="estimate_new"),
    path("clients/<int:pk>/potential/<int:estimate_pk>/", potential.estimate_edit, name="estimate_edit"),
    path(
        "clients/<int:pk>/potential/<int:estimate_pk>/delete/",
        potential.estimate_delete,
        name="estimate_delete",
    ),
    path("todo/", potential.todo, name="todo"),
    # A director's decisions and the key candidates (keys/)
    path("clients/<int:pk>/key/", keys.key_decide, name="key_decide"),
    path("clients/<int:pk>/tier/", keys.tier_override, name="tier_override"),
    path("candidates/", keys.candidates, name="candidates"),
    path("candidates/export/", keys.candidates_export, name="candidates_export"),
    # The coverage radar (radar/)
    path("radar/", radar.radar, name="radar"),
    path("radar/export/", radar.radar_export, name="radar_export"),
    # The key-list review meeting and its action items (reviews/)
    path("reviews/", reviews.review_list, name="review_list"),
    path("reviews/open/", reviews.review_open, name="review_open"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<int:pk>/close/", reviews.review_close, name="review_close"),
    path("reviews/<int:pk>/print/", reviews.review_print, name="review_print"),
    path("reviews/<int:pk>/export/", reviews.review_export, name="review_export"),
    path("reviews/<int:pk>/clients/<int:position>/", reviews.review_client, name="review_client"),
    path("reviews/<int:pk>/clients/<int:position>/decide/", reviews.review_decide, name="review_decide"),
    path("reviews/<int:pk>/clients/<int:position>/actions/", reviews.action_add, name="action_add"),
    path("reviews/actions/", reviews.action_list, name="action_list"),
    path("reviews/actions/<int:pk>/status/", reviews.action_status, name="action_status"),
    # D-group routing: the policy's route applied to D clients picked in the list (droute/)
    path("d-route/", droute.d_route_batches, name="d_route_batches"),
    path("d-route/preview/", droute.d_route_preview, name="d_route_preview"),
    path("d-route/apply/", droute.d_route_apply, name="d_route_apply"),
    path("d-route/<int:pk>/", droute.d_route_batch, name="d_route_batch"),
    path("d-route/<int:pk>/reverse/", droute.d_route_reverse, name="d_route_reverse"),
    # The managers' time split by client category against the policy's targets (timesplit/)
    path("workload/time/", timesplit.time_split, name="time_split"),
    # Moving clients between managers, and a manager who leaves (moves/)
    path("workload/move/", moves.reassign, name="reassign"),
    path("workload/moves/", moves.reassignments, name="reassignments"),
    path("workload/moves/<int:pk>/", moves.reassignment, name="reassignment"),
    path("workload/managers/<int:pk>/leave/", moves.manager_leave, name="manager_leave"),
    # The directors' dashboard (dashboard/)
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    # The workload calculator: touch norms into hours and managers needed (calculator/)
    path("workload/calculator/", calculator.calculator, name="calculator"),
    # The assignment board: every manager's load, the clients nobody is responsible for (workload/)
    path("workload/", workload.workload, name="workload"),
    path("workload/export/", workload.workload_export, name="workload_export"),
]
