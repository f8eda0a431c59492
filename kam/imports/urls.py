from django.urls import path

from kam.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("log/", views.run_list, name="log"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/progress/", views.run_progress, name="progress"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/undo/", views.undo, name="undo"),
    path("templates/<slug:kind>/<slug:language>/<slug:extension>/", views.template_file, name="template"),
]
