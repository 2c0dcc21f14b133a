from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from salesapp.accounts.views import PasswordChange

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/password/", PasswordChange.as_view(), name="password_change"),
    path("admin/", admin.site.urls),
    path("api/data/v9.2/", include("salesapp.api.urls")),
    path("profile/", include("salesapp.api.profile_urls")),
    path("documents/", include("salesapp.documents.urls")),
    path("", include("salesapp.web_urls")),
]
