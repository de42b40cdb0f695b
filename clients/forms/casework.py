"""Forms on the client page: case notes and documents."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bapas.uploads import DOCUMENT_TYPES, validate_upload

from ..models import CaseNote, ClientDocument

ACCEPT = ",".join(f".{kind}" for kind in DOCUMENT_TYPES)


class CaseNoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["text", "order", "confidential"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, orders=None, **kwargs):
        super().__init__(*args, prefix="note", **kwargs)
        self.fields["order"].queryset = orders if orders is not None else self.fields[
            "order"].queryset.none()
        self.fields["order"].required = False
        self.fields["order"].label = _("About which order")
        self.fields["order"].empty_label = _("(the client in general)")
        self.fields["order"].label_from_instance = lambda order: (
            f"{order.get_program_display()} · {order.supervision_start:%d/%m/%Y}"
        )

    def clean_text(self) -> str:
        text = self.cleaned_data.get("text", "").strip()
        if not text:
            raise forms.ValidationError(_("Write the note."))
        return text


class DocumentForm(forms.ModelForm):
    class Meta:
        model = ClientDocument
        fields = ["kind", "title", "document_date", "file"]
        widgets = {
            "document_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "file": forms.FileInput(attrs={"accept": ACCEPT}),
        }
        help_texts = {
            "file": _("PDF, JPG, PNG, WEBP, DOCX, XLSX or ODT, at most 10 MB."),
            "title": _("For example: SK PB nomor PAS-123.PK.05.09/2026."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="doc", **kwargs)
        self.fields["document_date"].initial = timezone.localdate
        self.fields["file"].max_length = None  # stored under a random name of our own

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            validate_upload(upload)
        return upload

    def clean_document_date(self):
        value = self.cleaned_data.get("document_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The document date cannot be in the future."))
        return value
