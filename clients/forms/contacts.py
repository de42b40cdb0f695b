"""Forms for planning contacts, recording outcomes, schedules, check-in and intervals.

The forms only parse and check what a form can know; the business rules live in
``clients.services.contacts`` and their errors are attached to these forms' fields.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import ContactKind, Outcome, RiskLevel

# Typed dates and times: the browser's datetime-local value, ISO, and the Indonesian habits
# 31/12/2026 14:00, 31/12/2026 14.00, 31-12-2026 14:00.
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H.%M",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H.%M",
    "%d/%m/%y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"step": 60, **(attrs or {})}, format="%Y-%m-%dT%H:%M")


def datetime_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, input_formats=DATETIME_INPUT_FORMATS, widget=DateTimeLocalInput(),
        help_text=_("For example 31/12/2026 14:00."), **kwargs,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (size and real type)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: keyed messages next to their fields."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ContactPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=ContactKind.choices)
    planned_at = datetime_field(_("Date and time"))
    officer = forms.ModelChoiceField(
        label=_("Officer"), queryset=None, required=False,
        help_text=_("Leave as is for the assigned PK."),
    )
    place = forms.CharField(
        label=_("Place"), max_length=255, required=False,
        help_text=_("For visits: the address, workplace or guarantor's house."),
    )
    remote_justification = forms.CharField(
        label=_("Reason for remote reporting"), max_length=255, required=False,
        help_text=_("Required for remote reporting (video call)."),
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = lambda user: (
            f"{user.full_name} ({user.get_role_display()})"
        )
        self.fields["planned_at"].widget.attrs["autofocus"] = True


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )
    happened_at = datetime_field(_("When it took place"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}),
                            required=False)
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    photos = MultipleFileField(
        label=_("Photos"), required=False,
        help_text=_("Optional. JPEG, PNG or WebP, up to 10 MB each."),
    )

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        if not contact.is_visit:
            del self.fields["place"]
            del self.fields["photos"]
        else:
            self.fields["place"].help_text = _("Required unless the absence was excused.")


class QuickOutcomeForm(OutcomeForm):
    """The one-row form of the awaiting-outcome page: outcome and a short note."""

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, contact=contact, **kwargs)
        self.fields["outcome"].widget = forms.Select(
            choices=[("", _("Outcome…")), *Outcome.choices]
        )
        self.fields["notes"].widget = forms.TextInput()


class RescheduleForm(forms.Form):
    planned_at = datetime_field(_("New date and time"))
    reason = forms.CharField(
        label=_("Reason"), max_length=255,
        error_messages={"required": _("Give the reason for rescheduling.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=255,
        error_messages={"required": _("Give the reason for cancelling.")},
    )


class ScheduleForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"},
                                                                format="%Y-%m-%d"),
        help_text=_("Empty: today, or the start of supervision if later."),
    )
    time = forms.TimeField(
        label=_("Time of day"), input_formats=TIME_INPUT_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class IntervalForm(forms.Form):
    """How many days between reports, per risk level, for one office."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in RiskLevel.choices:
            self.fields[value] = forms.IntegerField(
                label=label, min_value=1, max_value=90,
                error_messages={
                    "required": _("Enter a number of days from 1 to 90."),
                    "min_value": _("Enter a number of days from 1 to 90."),
                    "max_value": _("Enter a number of days from 1 to 90."),
                },
            )


class CheckinSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, register number or NIK"), min_length=2, max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off",
                                      "class": "form-control form-control-lg"}),
    )
