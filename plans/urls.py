from django.urls import URLPattern, path

from plans.day import views as day
from plans.winback import views as winback

app_name = "plans"

urlpatterns: list[URLPattern] = [
    # The manager's day (day/)
    path("day/", day.day, name="day"),
    path(
        "day/clients/<int:pk>/contacts/<int:contact_pk>/congratulate/", day.congratulate, name="congratulate"
    ),
    # The win-back list (winback/)
    path("win-back/", winback.win_back, name="win_back"),
]
