"""Forms of the partners app. They parse input; the rules live in ``partners.services``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bapas.models import Office

from .models import (
    MAX_SESSION_MINUTES,
    Agreement,
    AgreementStatus,
    Partner,
    PartnerContact,
    Referral,
    ReferralGoal,
    ReferralStatus,
    Service,
    ServiceSession,
)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors next to the form's fields; unknown keys become form errors."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


# --- Directory and partners ----------------------------------------------------------------------


class DirectoryFilterForm(forms.Form):
    ACTIVE_CHOICES = [("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))]
    AGREEMENT_CHOICES = [
        ("", _("Any agreement status")), *AgreementStatus.choices, ("none", _("no agreement")),
    ]

    q = forms.CharField(label=_("Name"), required=False)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Partner.Kind.choices]
    )
    group = forms.ChoiceField(
        label=_("Pokmas group"), required=False,
        choices=[("", _("All Pokmas groups")), *Partner.PokmasGroup.choices],
    )
    agreement = forms.ChoiceField(label=_("Agreement"), required=False, choices=AGREEMENT_CHOICES)
    active = forms.ChoiceField(label=_("Active"), required=False, choices=ACTIVE_CHOICES)
    service = forms.ModelChoiceField(
        label=_("Service"), required=False, queryset=Service.objects.filter(is_active=True),
        empty_label=_("All services"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.update({"class": "form-select js-autosubmit",
                                           "aria-label": str(field.label)})


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "pokmas_group", "address", "phone", "email", "services",
                  "offices", "is_active"]
        widgets = {
            "services": forms.CheckboxSelectMultiple,
            "offices": forms.CheckboxSelectMultiple,
            "address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = editor
        selected = self.instance.services.values("pk") if self.instance.pk else []
        self.fields["services"].queryset = Service.objects.filter(
            Q(is_active=True) | Q(pk__in=selected)
        )
        self.fields["services"].required = False
        self.fields["pokmas_group"].help_text = _("Only for Pokmas Lipas.")
        if editor.is_admin:
            self.fields["offices"].queryset = Office.objects.filter(is_active=True)
        else:
            # Supervisors link partners to their own office only; other offices' links stay.
            del self.fields["offices"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Partner.Kind.POKMAS and not cleaned.get("pokmas_group"):
            self.add_error("pokmas_group", _("Choose the group of this Pokmas Lipas."))
        return cleaned


ContactFormSet = forms.inlineformset_factory(
    Partner, PartnerContact, fields=["name", "position", "phone", "email"], extra=1,
    can_delete=True,
)


class AgreementForm(forms.Form):
    """Parsed here, validated and saved by ``services.agreement_save`` (office, dates, file)."""

    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())
    kind = forms.ChoiceField(label=_("Type"), choices=Agreement.Kind.choices,
                             initial=Agreement.Kind.PKS)
    number = forms.CharField(label=_("Agreement number"), max_length=150)
    title = forms.CharField(label=_("Title"), max_length=255)
    parties = forms.CharField(
        label=_("Parties"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The signing parties, one per line."),
    )
    start_date = forms.DateField(label=_("Valid from"), widget=date_input())
    end_date = forms.DateField(label=_("Valid until"), widget=date_input())
    document = forms.FileField(
        label=_("Signed document"), required=False,
        help_text=_("The signed agreement as PDF (or a scan: JPG, PNG)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, partner: Partner, editor, **kwargs):
        super().__init__(*args, **kwargs)
        if editor.is_admin:
            self.fields["office"].queryset = partner.offices.all()
        else:
            del self.fields["office"]

    @classmethod
    def initial_from(cls, agreement: Agreement) -> dict:
        return {field: getattr(agreement, field) for field in
                ("office", "kind", "number", "title", "parties", "start_date", "end_date")}

    def clean_document(self):
        from bapas.uploads import validate_upload

        from .services import AGREEMENT_DOCUMENT_TYPES

        document = self.cleaned_data.get("document")
        if document:
            validate_upload(document, AGREEMENT_DOCUMENT_TYPES)
        return document

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The agreement cannot end before it starts."))
        return cleaned


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


# --- Referrals -----------------------------------------------------------------------------------


class PartnerSelect(forms.Select):
    """Each partner option says which services it offers, so the page can hide the others."""

    def __init__(self, *args, services_by_partner: dict[int, list[int]] | None = None, **kw):
        super().__init__(*args, **kw)
        self.services_by_partner = services_by_partner or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)
        if key not in (None, ""):
            ids = self.services_by_partner.get(int(key), [])
            option["attrs"]["data-services"] = " ".join(str(i) for i in ids)
        return option


class ReferralForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    goals = forms.CharField(
        label=_("Goals"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One goal per line, e.g. 'Has a KTP-el within a month'."),
    )
    note_for_partner = forms.CharField(
        label=_("Note for the partner"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The partner's staff read this. Do not write offence details here unless "
                    "you share the offence."),
    )
    share_nik = forms.BooleanField(label=_("NIK (national ID number)"), required=False)
    share_offence = forms.BooleanField(label=_("Offence and article"), required=False)
    share_risk = forms.BooleanField(label=_("Risk level"), required=False)
    share_case_notes = forms.BooleanField(
        label=_("Non-confidential case notes"), required=False
    )
    consent_given_at = forms.DateField(
        label=_("Consent given on"), required=False, widget=date_input()
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"), required=False,
        choices=[("", "---------"), *Referral.ConsentMethod.choices],
    )

    def __init__(self, *args, office_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        services = Service.objects.filter(is_active=True)
        partners = Partner.objects.working_with(office_id).prefetch_related("services")
        mapping = {p.pk: [s.pk for s in p.services.all()] for p in partners}
        self.fields["service"].queryset = services
        self.fields["partner"].queryset = Partner.objects.filter(pk__in=mapping)
        self.fields["partner"].widget = PartnerSelect(services_by_partner=mapping)
        self.fields["partner"].widget.choices = self.fields["partner"].choices
        self.fields["partner"].widget.attrs["data-partner-select"] = "1"
        self.fields["service"].widget.attrs["data-service-select"] = "1"
        self.fields["consent_given_at"].widget.attrs["max"] = timezone.localdate().isoformat()

    @classmethod
    def initial_from(cls, referral: Referral) -> dict:
        return {
            "service": referral.service_id, "partner": referral.partner_id,
            "goals": "\n".join(g.description for g in referral.goals.all()),
            "note_for_partner": referral.note_for_partner, "share_nik": referral.share_nik,
            "share_offence": referral.share_offence, "share_risk": referral.share_risk,
            "share_case_notes": referral.share_case_notes,
            "consent_given_at": referral.consent_given_at,
            "consent_method": referral.consent_method,
        }


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All statuses")), ("open", _("open")), *ReferralStatus.choices],
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), required=False, queryset=Partner.objects.none(),
        empty_label=_("All partners"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.for_user(user)
        for field in self.fields.values():
            field.widget.attrs.update({"class": "form-select js-autosubmit",
                                       "aria-label": str(field.label)})


class ReasonForm(forms.Form):
    # Required by the service (with its own message), so the browser may submit it empty.
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        required=False,
    )


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=date_input())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_SESSION_MINUTES}),
    )
    attendance = forms.ChoiceField(
        label=_("Attendance"), choices=ServiceSession.Attendance.choices,
        widget=forms.RadioSelect, initial=ServiceSession.Attendance.ATTENDED,
    )
    activity = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    progress = forms.CharField(
        label=_("Progress"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the client is doing towards the goals."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the service"), widget=forms.Textarea(attrs={"rows": 4})
    )
    recommendation = forms.CharField(
        label=_("Recommendation for the PK"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, goals: list[ReferralGoal], **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=goal.description, choices=ReferralGoal.Outcome.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}), required=False,
            )
            self.fields[f"goal_{goal.pk}_note"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm",
                                             "placeholder": _("Note on this goal (optional)")}),
            )

    def goal_rows(self):
        return [(goal, self[f"goal_{goal.pk}"], self[f"goal_{goal.pk}_note"])
                for goal in self.goals]

    def outcomes(self) -> dict[int, tuple[str, str]]:
        return {
            goal.pk: (self.cleaned_data.get(f"goal_{goal.pk}") or "",
                      self.cleaned_data.get(f"goal_{goal.pk}_note") or "")
            for goal in self.goals
        }
