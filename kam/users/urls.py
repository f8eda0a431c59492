from django.urls import path

from kam.users import views

app_name = "users"

urlpatterns: list = []
