from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bapas.models import OFFICE_ROLES, Role, User
from bapas.uploads import validate_upload

from .models import ActionItem, Invitation, Meeting, MeetingKind

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def checkboxes() -> forms.CheckboxSelectMultiple:
    """Checkbox lists the templates lay out themselves (Bootstrap's .form-check rows)."""
    return forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


def person_label(user: User) -> str:
    if user.role == Role.PARTNER and user.partner_id:
        return f"{user.full_name} — {user.partner}"
    return f"{user.full_name} — {user.get_role_display()}"


class GroupedUserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user: User) -> str:
        return person_label(user)


def office_people(office, *, include=()):
    """The people a meeting of ``office`` may involve: its officers and its partners' staff."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(office=office, role__in=OFFICE_ROLES)
            | Q(role=Role.PARTNER, partner__offices=office, partner__is_active=True)
            | Q(pk__in=[user.pk for user in include])
        )
        .select_related("partner")
        .distinct()
        .order_by("role", "partner__name", "full_name")
    )


def office_partners(office, *, include=()):
    from partners.models import Partner

    return (
        Partner.objects.filter(Q(offices=office, is_active=True)
                               | Q(pk__in=[p.pk for p in include]))
        .distinct()
        .order_by("name")
    )


def office_officers(office):
    return User.objects.filter(office=office, role__in=OFFICE_ROLES, is_active=True).order_by(
        "full_name"
    )


class MeetingForm(forms.ModelForm):
    duration_minutes = forms.IntegerField(
        label=_("or duration (minutes)"), required=False, min_value=15, max_value=24 * 60,
        help_text=_("Used when no end is given."),
    )
    invitees = GroupedUserChoiceField(
        label=_("Invited people"), queryset=User.objects.none(), required=False,
        widget=checkboxes(),
        help_text=_("Officers of the office and staff of its partner organisations."),
    )

    class Meta:
        model = Meeting
        fields = ["kind", "title", "number", "letter_date", "starts_at", "ends_at", "place",
                  "online_link", "notes", "partners"]
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "letter_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "partners": checkboxes(),
        }

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office
        current_partners = list(self.instance.partners.all()) if self.instance.pk else []
        current_people = (
            [inv.user for inv in self.instance.invitations.select_related("user")]
            if self.instance.pk else []
        )
        self.fields["partners"].queryset = office_partners(office, include=current_partners)
        self.fields["partners"].label = _("Invited organisations")
        self.fields["invitees"].queryset = office_people(office, include=current_people)
        if self.instance.pk:
            self.fields["invitees"].initial = [user.pk for user in current_people]
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                                                  "%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M"]
        self.fields["ends_at"].input_formats = self.fields["starts_at"].input_formats

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        duration = cleaned.get("duration_minutes")
        if starts and not ends and duration:
            cleaned["ends_at"] = starts + timedelta(minutes=duration)
        # The model's clean() refuses an end before the start and a meeting without a place.
        return cleaned


class AgendaRowForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=255, required=False)
    presenter = forms.CharField(label=_("Presented by"), max_length=200, required=False)


AgendaFormSet = forms.formset_factory(AgendaRowForm, extra=2, max_num=40)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=255)


class ResponseForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Will you attend?"),
        choices=[(Invitation.Response.CONFIRMED, _("Yes, I will attend")),
                 (Invitation.Response.DECLINED, _("No, I cannot attend"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note for the organiser"), max_length=255, required=False)


class OrganiserResponseForm(forms.Form):
    """The organiser notes an answer given by telephone or WhatsApp."""

    invitation = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.ChoiceField(choices=Invitation.Response.choices)
    note = forms.CharField(max_length=255, required=False)


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    position = forms.CharField(label=_("Position (jabatan)"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("organisation") or cleaned.get("position")) and not cleaned.get("name"):
            self.add_error("name", _("Give the walk-in's name."))
        return cleaned


WalkInFormSet = forms.formset_factory(WalkInForm, extra=3, max_num=100)


class AttendanceForm(forms.Form):
    present = forms.MultipleChoiceField(
        label=_("Invitees present"), required=False, widget=checkboxes()
    )
    keep_walk_ins = forms.MultipleChoiceField(
        label=_("Walk-ins recorded"), required=False, widget=checkboxes()
    )

    def __init__(self, *args, meeting: Meeting, invitations, walk_ins, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (str(inv.user_id), f"{person_label(inv.user)} ({inv.get_response_display()})")
            for inv in invitations
        ]
        self.fields["keep_walk_ins"].choices = [
            (str(row.pk), row.name) for row in walk_ins
        ]

    def clean_present(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["present"]]

    def clean_keep_walk_ins(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["keep_walk_ins"]]


class MinutesForm(forms.Form):
    chair = forms.ModelChoiceField(label=_("Chaired by"), queryset=User.objects.none(),
                                   required=False)
    minutes_taker = forms.ModelChoiceField(label=_("Minutes taken by"),
                                           queryset=User.objects.none(), required=False)
    minutes = forms.CharField(
        label=_("Minutes (notulen)"), required=False, widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("What was presented and discussed, item by item."),
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = office_officers(office)
        self.fields["minutes_taker"].queryset = office_officers(office)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


DecisionFormSet = forms.formset_factory(DecisionForm, extra=2, max_num=60)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), help_text=_("PDF, photo (JPG, PNG, WebP) or office "
                                                       "document (DOCX, XLSX, ODT)."))
    shared_with_partners = forms.BooleanField(
        label=_("Visible to invited partner staff"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload)
        return upload


class ActionItemForm(forms.Form):
    description = forms.CharField(label=_("What must be done"),
                                  widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("Owner"))
    due_date = forms.DateField(label=_("Due date"), widget=DATE_WIDGET)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        people = office_people(meeting.office)
        organisations = office_partners(meeting.office, include=list(meeting.partners.all()))
        self._people = {f"u{user.pk}": user for user in people}
        self._organisations = {f"p{org.pk}": org for org in organisations}
        self.fields["owner"].choices = [
            ("", "---------"),
            (_("Organisations"), [(key, str(org)) for key, org in self._organisations.items()]),
            (_("People"), [
                (key, person_label(user)) for key, user in self._people.items()
            ]),
        ]

    def clean_due_date(self) -> date:
        due = self.cleaned_data["due_date"]
        if due < self.meeting.day:
            raise forms.ValidationError(
                _("The due date cannot be before the meeting (%(day)s).")
                % {"day": date_format(self.meeting.day, "SHORT_DATE_FORMAT")}
            )
        return due

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("owner", "")
        cleaned["owner_user"] = self._people.get(key)
        cleaned["owner_partner"] = self._organisations.get(key)
        return cleaned


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)
    completion_note = forms.CharField(
        label=_("Completion note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the item is done: what was done, with what result."),
    )

    def __init__(self, *args, may_cancel: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_cancel:
            self.fields["status"].choices = [
                choice for choice in ActionItem.Status.choices
                if choice[0] != ActionItem.Status.CANCELLED
            ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ActionItem.Status.DONE and not cleaned.get(
            "completion_note", ""
        ).strip():
            self.add_error("completion_note", _("Say what was done before closing the item."))
        return cleaned


class LinkClientForm(forms.Form):
    register_number = forms.CharField(
        label=_("Client's register number"), max_length=30,
        widget=forms.TextInput(attrs={"list": "client-numbers", "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("Why the client is discussed"), max_length=255,
                           required=False)

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.clients = clients

    def clean_register_number(self):
        number = self.cleaned_data["register_number"].strip()
        # "Name (2026/0042)" from the suggestion list also works.
        match = re.search(r"\(([^()]+)\)\s*$", number)
        if match:
            number = match.group(1).strip()
        client = self.clients.filter(register_number__iexact=number).first()
        if client is None:
            raise forms.ValidationError(
                _("No client with register number %(number)s is on your list.")
                % {"number": number}
            )
        self.cleaned_data["client"] = client
        return number


class AddRevocationForm(forms.Form):
    proposal = forms.ModelChoiceField(label=_("Pending revocation proposal"),
                                      queryset=None)

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = proposals
        self.fields["proposal"].label_from_instance = lambda proposal: (
            f"{proposal.order.client.full_name} ({proposal.order.client.register_number}) — "
            f"{proposal.order.get_program_display()}"
        )


class RevocationDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda value: value == "yes",
        choices=[("yes", _("Approve: revoke the order")), ("no", _("Reject the proposal"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Grounds for the decision"),
                             widget=forms.Textarea(attrs={"rows": 3}))
    decree_number = forms.CharField(label=_("Revocation decree number"), max_length=100,
                                    required=False)
    decree_date = forms.DateField(label=_("Revocation decree date"), required=False,
                                  widget=DATE_WIDGET)


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("All types")), *MeetingKind.choices])
    partner = forms.TypedChoiceField(label=_("Organisation"), required=False, coerce=int,
                                     empty_value=None)
    month = forms.CharField(label=_("Month"), required=False,
                            widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", _("All organisations")),
                                          *[(p.pk, p.name) for p in partners]]

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data.get("month", "").strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value) or re.fullmatch(
            r"(\d{1,2})/(\d{4})", value
        )
        if not match:
            raise forms.ValidationError(_("Enter a month such as 2024-10."))
        first, second = (int(x) for x in match.groups())
        year, month = (first, second) if first > 12 else (second, first)
        if not 1 <= month <= 12:
            raise forms.ValidationError(_("Enter a month such as 2024-10."))
        return year, month
