from django.urls import path

from kam.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.run_list, name="log"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/progress/", views.run_progress, name="progress"),
    path("<int:pk>/download/", views.download, name="download"),
]
