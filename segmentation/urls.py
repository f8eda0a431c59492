from django.urls import URLPattern, path  # noqa: F401

from segmentation.views import card, lists, ops  # noqa: F401

app_name = "segmentation"

urlpatterns: list[URLPattern] = [
    # Policy, runs and notifications (views/ops.py)
    # The card: potential table, segments, key status, tier override (views/card.py)
    # Lists: key candidates, estimates to do (views/lists.py)
]
