from django.contrib import admin
from django.urls import include, path

from .views import audit, health, home, offices, users

urlpatterns = [
    path("", include("reports.home_urls"), {"fallback": home.home}),  # role dashboards
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/invite/", users.user_invite, name="user_invite"),
    path("offices/", offices.office_list, name="offices"),
    path("offices/new/", offices.office_create, name="office_create"),
    path("offices/<int:pk>/", offices.office_detail, name="office_detail"),
    path("offices/<int:pk>/edit/", offices.office_edit, name="office_edit"),
    path("audit/changes/", audit.change_history, name="audit_changes"),
    path("audit/access/", audit.access_log, name="audit_access"),
    path("audit/access.csv", audit.access_log_csv, name="audit_access_csv"),
    path("privacy/", include("bapas.views.privacy")),
    path("clients/", include("clients.urls")),
    path("partners/", include("partners.urls")),
    path("meetings/", include("meetings.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("bapas.notifications.urls")),
    path("django-admin/", admin.site.urls),
]
