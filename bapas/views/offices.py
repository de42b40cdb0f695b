from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import OfficeForm
from ..roles import capability_required
from ..scoping import get_scoped_or_404, offices_for


@login_required
@capability_required("offices.manage")
def office_list(request):
    qs = offices_for(request.user).select_related("regional_office").annotate(
        user_count=Count("users")
    ).order_by("name", "pk")  # Meta.ordering does not apply to an aggregated queryset
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "bapas/offices/list.html", {"page": page})


@login_required
@capability_required("offices.manage")
def office_create(request):
    form = OfficeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        office = form.save()
        messages.success(request, _("Office %(name)s created.") % {"name": office.name})
        return redirect("offices")
    return render(request, "bapas/offices/form.html", {"form": form})


@login_required
def office_detail(request, pk: int):
    office = get_scoped_or_404(offices_for(request.user).select_related("regional_office"), pk=pk)
    return render(request, "bapas/offices/detail.html", {"office": office})


@login_required
@capability_required("offices.manage")
def office_edit(request, pk: int):
    office = get_scoped_or_404(offices_for(request.user), pk=pk)
    form = OfficeForm(request.POST or None, request.FILES or None, instance=office)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The office has been saved."))
        return redirect("offices")
    return render(request, "bapas/offices/form.html", {"form": form, "office": office})
