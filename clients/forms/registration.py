"""Registering a client: the quick duplicate check, then the identity form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bapas.uploads import validate_image

from ..models import Client, District, Province, Regency, Village
from ..nik import InvalidNik, clean_nik, nik_warnings, parse_nik
from ..services.clients import IDENTITY_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _validated_nik(value: str) -> str:
    nik = clean_nik(value)
    if nik:
        try:
            parse_nik(nik)
        except InvalidNik as error:
            raise ValidationError(str(error)) from None
    return nik


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("The date of birth cannot be in the future."))
    return value


class DuplicateCheckForm(forms.Form):
    """Step 1: is this person already registered somewhere in the deployment?"""

    nik = forms.CharField(
        label=_("NIK"), required=False, max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                      "autofocus": True}),
        help_text=_("16 digits, from the identity card (KTP) or family card (KK)."),
    )
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=200)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_WIDGET)

    def clean_nik(self) -> str:
        return _validated_nik(self.cleaned_data.get("nik", ""))

    def clean_birth_date(self):
        return _not_in_future(self.cleaned_data.get("birth_date"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not cleaned.get("nik") and not (cleaned.get("full_name") and cleaned.get("birth_date")):
            raise ValidationError(
                _("Type the NIK, or the full name and the date of birth (or all three).")
            )
        return cleaned


class RegionSelect(forms.Select):
    """A region <select> that reloads the one below it (static/js/clients-register.js)."""

    def __init__(self, child: str | None = None):
        attrs = {"class": "form-select"}
        if child:
            attrs.update({"data-region-child": child})
        super().__init__(attrs=attrs)


class ClientForm(forms.ModelForm):
    """Every identity field of a client. NIK contradictions are warnings the user confirms."""

    nik = forms.CharField(
        label=_("NIK"), required=False, max_length=30,  # spaces and dots typed from a card
        error_messages={"unique": _("A client with this NIK is already registered.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("16 digits. Leave empty only if the client has none."),
    )
    photo = forms.FileField(
        label=_("Photo"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPG, PNG or WEBP, at most 10 MB."),
    )
    remove_photo = forms.BooleanField(label=_("Remove the current photo"), required=False)
    nik_checked = forms.BooleanField(
        label=_("I have checked the NIK against the identity card: it is typed correctly."),
        required=False,
    )

    class Meta:
        model = Client
        fields = list(IDENTITY_FIELDS)
        widgets = {
            "birth_date": DATE_WIDGET,
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "whatsapp": forms.TextInput(attrs={"inputmode": "tel"}),
            "guarantor_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "guarantor_address": forms.Textarea(attrs={"rows": 2}),
            "province": RegionSelect("regency"),
            "regency": RegionSelect("district"),
            "district": RegionSelect("village"),
            "village": RegionSelect(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nik_warnings: list[str] = []
        self.fields["aliases"].help_text = _("Other names, separated by commas.")
        self.fields["rt"].widget.attrs["inputmode"] = "numeric"
        self.fields["rw"].widget.attrs["inputmode"] = "numeric"
        options_url = reverse("clients:region_options")
        for name in ("province", "regency", "district", "village"):
            self.fields[name].widget.attrs["data-region-url"] = options_url
        self.fields["province"].queryset = Province.objects.all()
        # Each level offers only the children of the level above, as chosen or typed.
        parents = {"regency": (Regency, "province"), "district": (District, "regency"),
                   "village": (Village, "district")}
        for name, (model, parent) in parents.items():
            code = self._current(parent)
            self.fields[name].queryset = (
                model.objects.filter(**{f"{parent}_id": code}) if code else model.objects.none()
            )
        # Contradictions the record already had were confirmed when it was saved.
        self._known_warnings = set()
        if self.instance.pk:
            self._known_warnings = set(nik_warnings(
                self.instance.nik, self.instance.birth_date, self.instance.sex,
                self.instance.regency_id, self.instance.district_id,
            ))
        if not self.instance.pk or not self.instance.photo:
            del self.fields["remove_photo"]

    def _current(self, name: str) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix(name), "") or ""
        value = self.initial.get(name)
        if value is None:
            value = getattr(self.instance, f"{name}_id", None)
        return getattr(value, "pk", value) or ""

    def clean_nik(self):
        return _validated_nik(self.cleaned_data.get("nik", "")) or None

    def clean_birth_date(self):
        return _not_in_future(self.cleaned_data.get("birth_date"))

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_image(photo)
            try:
                from PIL import Image

                with Image.open(photo) as image:
                    image.verify()
            except Exception:
                raise ValidationError(
                    _("This file is not a readable image. Take or choose the photo again.")
                ) from None
            finally:
                photo.seek(0)
        return photo

    def clean(self):
        cleaned = super().clean()
        self.nik_warnings = nik_warnings(
            cleaned.get("nik"), cleaned.get("birth_date"), cleaned.get("sex"),
            cleaned.get("regency"), cleaned.get("district"),
        )
        unconfirmed = set(self.nik_warnings) - self._known_warnings
        if unconfirmed and not cleaned.get("nik_checked"):
            self.add_error(
                "nik_checked",
                _("The NIK does not match the record (see above). Correct it, or tick this box "
                  "if the NIK is right."),
            )
        return cleaned

    def service_fields(self) -> dict:
        """What ``client_register`` / ``client_update`` take."""
        fields = {name: self.cleaned_data.get(name) for name in IDENTITY_FIELDS}
        photo = self.cleaned_data.get("photo")
        if not photo and self.cleaned_data.get("remove_photo"):
            photo = False
        return {**fields, "photo": photo}
