"""PlainSelect renders exactly what Django's Select renders through its templates."""

import pytest
from django import forms
from django.utils.translation import gettext_lazy as _

from bapas.widgets import PlainSelect

CHOICES = [("", "— all —"), ("a", "A & <b>"), (1, 12345), (None, "none"),
           ("group <g>", [("x", "X\"'"), (2, _("Office"))]), ("z", _("Name (A-Z)"))]


@pytest.mark.parametrize("value", [None, "", "a", 1, "1", "x", 2, ["a"], "missing"])
@pytest.mark.parametrize("attrs", [None, {"class": "c", "id": "i", "required": True,
                                          "disabled": False, "data-x": None,
                                          "aria-invalid": "true"}])
def test_same_html_as_django_select(value, attrs):
    plain = PlainSelect(choices=CHOICES, attrs={"class": "form-select <x>"})
    django_select = forms.Select(choices=CHOICES, attrs={"class": "form-select <x>"})
    assert plain.render("f<1>", value, attrs) == django_select.render("f<1>", value, attrs)


def test_other_templates_are_used():
    class Custom(PlainSelect):
        option_template_name = "django/forms/widgets/radio_option.html"

    custom = Custom(choices=CHOICES).render("f", "a")
    assert custom == forms.Select.render(Custom(choices=CHOICES), "f", "a")
    assert 'type="radio"' in custom or "<input" in custom
