"""Forms of the reports app: choose a month; write a progress report's period and evaluation."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .figures import previous_month
from .services import validate_month, validate_period

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y"]
# The browser's <input type="month"> sends 2026-10; typed habits are 10/2026 and 10-2026.
MONTH_PATTERNS = (re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$"),
                  re.compile(r"^(?P<m>\d{1,2})[/-](?P<y>\d{4})$"))


class MonthInput(forms.TextInput):
    input_type = "month"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def parse_month(value: str) -> tuple[int, int] | None:
    for pattern in MONTH_PATTERNS:
        match = pattern.match((value or "").strip())
        if match:
            return int(match["y"]), int(match["m"])
    return None


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), widget=MonthInput(attrs={"placeholder": "2026-10"}),
        help_text=_("For example 10/2026. The month must have started."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        year, month = previous_month(timezone.localdate())
        kwargs["initial"].setdefault("month", f"{year}-{month:02d}")
        super().__init__(*args, **kwargs)

    def clean_month(self) -> tuple[int, int]:
        parsed = parse_month(self.cleaned_data["month"])
        if parsed is None:
            raise ValidationError(_("Enter a month such as 10/2026."), code="invalid")
        validate_month(*parsed)
        return parsed


class ProgressReportForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), input_formats=DATE_INPUT_FORMATS,
                                   widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), input_formats=DATE_INPUT_FORMATS,
                                 widget=DateInput())
    evaluation = forms.CharField(
        label=_("Evaluation"), max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The PK's assessment of the client's progress in the period: compliance, "
                    "attitude, work, family, the services received."),
    )
    recommendation = forms.CharField(
        label=_("Recommendation"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: continue guidance in the next stage, more frequent reporting, "
                    "a referral, a warning."),
    )

    def __init__(self, *args, order=None, **kwargs):
        self.order = order
        if order is not None:
            kwargs.setdefault("initial", {})
            today = timezone.localdate()
            year, month = previous_month(today)
            start = max(date(year, month, 1), order.supervision_start)
            kwargs["initial"].setdefault("period_start", start)
            kwargs["initial"].setdefault("period_end", min(max(start, today.replace(day=1)
                                                               - timezone.timedelta(days=1)),
                                                           today))
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("period_start"), cleaned.get("period_end")
        try:
            validate_period(first, last)
        except ValidationError as error:
            self.add_error(None, error)
        if self.order is not None and last and last < self.order.supervision_start:
            self.add_error("period_end", ValidationError(
                _("The period ends before this order's supervision started."),
                code="before_order"))
        return cleaned
