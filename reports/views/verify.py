"""The public verification page that a printed document's QR code opens.

Anyone holding the paper may check it, so the page needs no login and shows no personal data:
only whether the document is authentic (it exists, was completed and its stored file still
matches the checksum recorded when it was made), its kind, issuer, period and checksum. Whoever
holds the digital file may also compare it with the record.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from ..models import GeneratedReport, ReportStatus


class CompareForm(forms.Form):
    file = forms.FileField(label=_("Compare a file with this record"),
                           help_text=_("The PDF or XLSX you received; it is not stored."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large to be one of our documents."))
        return upload


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def _authentic(report: GeneratedReport) -> bool:
    if report.status != ReportStatus.READY:
        return False
    try:
        return report.file_matches_checksum()
    except OSError:  # the stored file is gone
        return False


@never_cache
def verify(request, code: str):
    report = get_object_or_404(
        GeneratedReport.objects.select_related("office", "regional_office"),
        verification_code=code,
    )
    form = CompareForm(request.POST or None, request.FILES or None)
    compared = None
    if request.method == "POST" and form.is_valid():
        compared = report.status == ReportStatus.READY and bool(report.checksum) and (
            _sha256(form.cleaned_data["file"]) == report.checksum
        )
    return render(request, "reports/verify.html", {
        "report": report, "authentic": _authentic(report), "form": form, "compared": compared,
    })


urlpatterns = [
    path("verify/<str:code>/", verify, name="verify"),
]
