from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from salesapp.accounts.views import PasswordChange
from salesapp.api.views import unknown as api_unknown

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/password/", PasswordChange.as_view(), name="password_change"),
    path("admin/", admin.site.urls),
    path("api/data/v9.2/", include("salesapp.api.urls")),
    # any other URL under /api/: the API's JSON 404, never the HTML page
    path("api/", include([re_path(r"^(?P<path>[\s\S]*)\Z", api_unknown, name="api_unknown")])),
    path("profile/", include("salesapp.api.profile_urls")),
    path("documents/", include("salesapp.documents.urls")),
    path("", include("salesapp.web_urls")),
]
