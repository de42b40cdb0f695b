"""Forms for supervision orders, status changes, warning letters and revocation.

The forms check what a single field can tell; the services in clients/services/orders.py hold
the rules, and the views put a service's ValidationError back next to the fields.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bapas.models import Role, User
from bapas.roles import can
from clients.models import OrderStatus, SupervisionOrder, WarningLetter
from clients.services.orders import ORDER_FIELDS, assignable_pks, status_choices_for


class DateInput(forms.DateInput):
    """A native date picker; the field still accepts typed 31/12/2024 (bapas/formats)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


def _section(title) -> HTML:
    return HTML(f'<h2 class="h6 text-uppercase text-muted mt-3 mb-2">{title}</h2>')


class OrderForm(forms.ModelForm):
    class Meta:
        model = SupervisionOrder
        fields = ORDER_FIELDS
        widgets = {
            "decree_date": DateInput(),
            "court_decision_date": DateInput(),
            "offence_date": DateInput(),
            "supervision_start": DateInput(),
            "supervision_end": DateInput(),
            "special_conditions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, client, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.user = user
        current = self.instance.assigned_pk_id if self.instance.pk else None
        pks = assignable_pks(client.office_id)
        if current:
            # Keep a PK who has since left selectable, so the order stays editable.
            pks = pks | User.objects.filter(pk=current)
        field = self.fields["assigned_pk"]
        field.queryset = pks.order_by("full_name")
        field.label_from_instance = lambda u: u.full_name
        field.empty_label = _("— not yet assigned —")
        if not self.instance.pk and user.role == Role.PK:
            field.initial = user.pk
        if not can(user, "clients.assign") and (user.role == Role.PK or current):
            field.disabled = True
            field.help_text = _("Only a supervisor assigns or reassigns a case.")
        self.fields["risk_level"].help_text = _(
            "From the RRI risk instrument; decides how often the client reports."
        )
        self.fields["decree_number"].help_text = _(
            "The decree (SK) or the court decision number is required."
        )
        self.helper = _helper()
        self.helper.layout = Layout(
            _section(_("Programme and legal basis")),
            Row(Column("program", css_class="col-md-6"),
                Column("risk_level", css_class="col-md-6")),
            Row(Column("decree_number", css_class="col-md-8"),
                Column("decree_date", css_class="col-md-4")),
            Row(Column("court_decision_number", css_class="col-md-8"),
                Column("court_decision_date", css_class="col-md-4")),
            _section(_("Offence and sentence")),
            Row(Column("offence", css_class="col-md-8"),
                Column("offence_date", css_class="col-md-4")),
            Row(Column("article", css_class="col-md-6"), Column("sentence", css_class="col-md-6")),
            Row(Column("institution_type", css_class="col-md-4"),
                Column("institution_name", css_class="col-md-8")),
            _section(_("Supervision")),
            Row(Column("supervision_start", css_class="col-md-4"),
                Column("supervision_end", css_class="col-md-4"),
                Column("assigned_pk", css_class="col-md-4")),
            "special_conditions",
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("supervision_start"), cleaned.get("supervision_end")
        if start and end and end < start:
            self.add_error(
                "supervision_end", _("The supervision end cannot be before its start.")
            )
        return cleaned


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    effective_date = forms.DateField(label=_("Effective date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the order's history; it cannot be changed later."),
    )
    reference = forms.CharField(
        label=_("Reference (decree, letter)"), max_length=200, required=False,
        help_text=_("For example the number of the letter confirming the transfer or death."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = status_choices_for(user)
        self.fields["effective_date"].initial = timezone.localdate()
        self.helper = _helper()

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class WarningForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=WarningLetter.Level.choices)
    number = forms.CharField(label=_("Letter number"), max_length=100)
    issued_on = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, suggested_level: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].initial = suggested_level
        self.fields["issued_on"].initial = timezone.localdate()
        self.helper = _helper()
        self.helper.layout = Layout(
            Row(Column("level", css_class="col-md-4"), Column("number", css_class="col-md-5"),
                Column("issued_on", css_class="col-md-3")),
            "reason",
        )


class RevocationProposalForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The breaches, the warnings already given and what the review board (TPP) "
                    "should consider."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class RevocationDecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[(APPROVE, _("Approve: revoke the order")), (REJECT, _("Reject the proposal"))],
    )
    reason = forms.CharField(
        label=_("Grounds for the decision"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For an approval this becomes the reason of the order's status change."),
    )
    decree_number = forms.CharField(
        label=_("Revocation decree number"), max_length=100, required=False,
    )
    decree_date = forms.DateField(
        label=_("Revocation decree date"), required=False, widget=DateInput(),
        help_text=_("The order is revoked from this date."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.helper.layout = Layout(
            "decision",
            "reason",
            Row(Column("decree_number", css_class="col-md-8"),
                Column("decree_date", css_class="col-md-4"),
                css_class="js-decree-fields"),
        )

    @property
    def approve(self) -> bool:
        return self.cleaned_data.get("decision") == self.APPROVE

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.APPROVE:
            if not (cleaned.get("decree_number") or "").strip():
                self.add_error(
                    "decree_number", _("Enter the number of the revocation decree to approve.")
                )
            if not cleaned.get("decree_date") and "decree_date" not in self.errors:
                self.add_error(
                    "decree_date", _("Enter the date of the revocation decree to approve.")
                )
        return cleaned


# Closing statuses a user could pick from an overview page (?to=selesai).
PRESELECTABLE_STATUSES = {s.value for s in OrderStatus} - {OrderStatus.ACTIVE}
