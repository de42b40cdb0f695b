"""A client's copy of their data (UU PDP right of access), for supervisors, heads and admins.

The page says what the export holds; the download (POST, so a link preview or a prefetch
cannot trigger it) builds the ZIP and writes an ``export`` row in the access log.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..audit import log_access
from ..models import AccessLog
from ..privacy import client_access_log, client_data_export, client_records
from ..roles import capability_required
from ..scoping import get_scoped_or_404

app_name = "privacy"

# Handing a client everything held about them is a data-protection duty of the office's
# managers (and the administrator), the same people who answer breach questions.
CAPABILITY = "audit.view"


def _client(request, client_pk: int):
    client_model = apps.get_model("clients", "Client")
    return get_scoped_or_404(
        client_model.objects.for_user(request.user).select_related("office"), pk=client_pk
    )


@never_cache
@login_required
@capability_required(CAPABILITY)
def client_export_page(request, client_pk: int):
    client = _client(request, client_pk)
    records = client_records(client)
    contents = [
        (_("Identity, address, phones and guarantor"), 1),
        (_("Supervision orders"), len(records.orders)),
        (_("Status changes, warning letters and revocation proposals"),
         len(records.status_changes) + len(records.warnings) + len(records.revocations)),
        (_("Contacts and visits"), len(records.contacts)),
        (_("Case notes"), len(records.notes)),
        (_("Documents (files included)"), len(records.documents)),
        (_("Visit photos (files included)"), len(records.contact_photos)),
        (_("Referrals to partners, with goals, sessions and reports"), len(records.referrals)),
        (_("Meetings where the client was discussed"), len(records.meeting_links)),
        (_("Consents to reminders"), len(records.consents)),
        (_("Generated documents (files included)"), len(records.reports)),
        (_("Access-log entries about the client"), client_access_log(client, records).count()),
    ]
    log_access(request, client, AccessLog.Action.VIEW,
               label=f"{client} · {_('personal data export')}")
    return render(request, "bapas/privacy/client_export.html",
                  {"client": client, "contents": contents})


@login_required
@capability_required(CAPABILITY)
@require_POST
def client_export_download(request, client_pk: int):
    client = _client(request, client_pk)
    export = client_data_export(client=client, by=request.user, request=request)
    log_access(request, client, AccessLog.Action.EXPORT,
               label=f"{client} · {_('all personal data (ZIP)')}")
    response = FileResponse(export.file, as_attachment=True, filename=export.filename,
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("clients/<int:client_pk>/", client_export_page, name="client_export"),
    path("clients/<int:client_pk>/download/", client_export_download,
         name="client_export_download"),
]
