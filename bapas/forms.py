from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Office, RegionalOffice, Role, User
from .roles import assignable_roles
from .scoping import ALL, office_ids_for


class UserForm(forms.ModelForm):
    """Create or edit an account. What the editor may choose depends on their own role."""

    class Meta:
        model = User
        fields = ["full_name", "email", "nip", "phone", "role", "office", "regional_office",
                  "partner", "is_active"]

    def __init__(self, *args, editor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = editor
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["role"].choices = assignable_roles(editor)
        office_ids = office_ids_for(editor)
        if office_ids is not ALL:
            self.fields["office"].queryset = Office.objects.filter(id__in=office_ids)
            self.fields["office"].empty_label = None
            self.fields["office"].required = True
            del self.fields["regional_office"]
            from partners.models import Partner

            self.fields["partner"].queryset = Partner.objects.filter(
                offices__in=office_ids
            ).distinct()
        else:
            self.fields["regional_office"].queryset = RegionalOffice.objects.all()
        if self.instance.pk and self.instance.pk == editor.pk:
            # Nobody changes their own role or deactivates themselves.
            self.fields["role"].disabled = True
            self.fields["is_active"].disabled = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        clash = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == Role.PARTNER:
            # Partner staff belong to their organisation, not to an office.
            cleaned["office"] = None
        if role not in {Role.PARTNER}:
            cleaned["partner"] = None
        if role != Role.REGIONAL and "regional_office" in cleaned:
            cleaned["regional_office"] = None
        return cleaned


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["name", "office_class", "city", "address", "phone", "email", "regional_office",
                  "letterhead_lines", "head_name", "head_nip", "logo", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_logo(self):
        from .uploads import validate_image

        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            validate_image(logo)
        return logo


class DateRangeForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("date range", "From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("date range", "To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        return cleaned
