from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kam.demo.content import DEMO_PASSWORD
from kam.demo.login import login_page_logins
from kam.users import views as user_views

# A callable: the template asks for the demo logins each time the page is shown.
LOGIN_CONTEXT = {"demo_logins": login_page_logins, "demo_password": DEMO_PASSWORD}

urlpatterns = [
    path("", user_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, extra_context=LOGIN_CONTEXT),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("language/", user_views.set_language, name="set_language"),
    path("clients/", include("accounts.urls")),
    path("users/", include("kam.users.urls")),
    path("segments/", include("segmentation.urls")),
    path("plans/", include("plans.urls")),
    path("imports/", include("kam.imports.urls")),
    path("exports/", include("kam.exports.urls")),
    path("django-admin/", admin.site.urls),
]
