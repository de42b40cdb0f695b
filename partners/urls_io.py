"""URL patterns of the partners import and exports (``partners.views_io``).

Included from ``partners/urls.py`` with ``*urls_io.urlpatterns``.
"""

from django.urls import path

from . import views_io

urlpatterns = [
    path("imports/", views_io.imports_list, name="imports"),
    path("imports/template.xlsx", views_io.import_template, name="import_template"),
    path("imports/upload/", views_io.import_upload, name="import_upload"),
    path("imports/<int:batch_pk>/", views_io.import_preview, name="import_preview"),
    path("imports/<int:batch_pk>/progress/", views_io.import_progress, name="import_progress"),
    path("imports/<int:batch_pk>/confirm/", views_io.import_confirm, name="import_confirm"),
    path("imports/<int:batch_pk>/recheck/", views_io.import_recheck, name="import_recheck"),
    path("imports/<int:batch_pk>/file/", views_io.import_file, name="import_file"),
    path("imports/<int:batch_pk>/report.<str:fmt>", views_io.import_report,
         name="import_report"),
    path("export/directory.<str:fmt>", views_io.directory_export, name="export_directory"),
    path("export/referrals.<str:fmt>", views_io.referrals_export, name="export_referrals"),
    path("export/portal-referrals.<str:fmt>", views_io.portal_export, name="export_portal"),
]
