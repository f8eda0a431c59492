from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kam.users import views as user_views

urlpatterns = [
    path("", user_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("language/", user_views.set_language, name="set_language"),
    path("clients/", include("accounts.urls")),
    path("users/", include("kam.users.urls")),
    path("segments/", include("segmentation.urls")),
    path("django-admin/", admin.site.urls),
]
