"""Account management by administrators and supervisors. No public sign-up exists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..auth import send_invitation
from ..forms import UserForm
from ..models import Role, User
from ..roles import ASSIGNABLE_ROLES, capability_required
from ..scoping import ALL, get_scoped_or_404, office_ids_for


def users_for(editor: User):
    """Accounts an editor may manage: their office's officers and its partners' staff."""
    qs = User.objects.select_related("office", "partner", "regional_office")
    office_ids = office_ids_for(editor)
    if office_ids is ALL:
        return qs
    allowed_roles = ASSIGNABLE_ROLES.get(editor.role, frozenset()) | {editor.role}
    return qs.filter(
        Q(office_id__in=office_ids) | Q(partner__offices__in=office_ids),
        role__in=allowed_roles,
    ).distinct()


@login_required
@capability_required("users.manage")
def user_list(request):
    qs = users_for(request.user)
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if query:
        qs = qs.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    if role in Role.values:
        qs = qs.filter(role=role)
    page = Paginator(qs.order_by("full_name"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "bapas/users/list.html",
        {"page": page, "query": query, "role": role, "roles": Role.choices},
    )


@login_required
@capability_required("users.manage")
def user_create(request):
    # "New staff account" on a partner's page links here with ?role=partner&partner=<id>.
    initial = {key: request.GET[key] for key in ("role", "partner", "office") if key in request.GET}
    form = UserForm(request.POST or None, editor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.set_unusable_password()
            user.save()
            transaction.on_commit(lambda: send_invitation(user, invited_by=request.user))
        messages.success(
            request,
            _("Account created. %(email)s will receive an email to choose a password.")
            % {"email": user.email},
        )
        return redirect("users")
    return render(request, "bapas/users/form.html", {"form": form, "creating": True})


@login_required
@capability_required("users.manage")
def user_edit(request, pk: int):
    account = get_scoped_or_404(users_for(request.user), pk=pk)
    form = UserForm(request.POST or None, instance=account, editor=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The account has been saved."))
        return redirect("users")
    return render(
        request, "bapas/users/form.html", {"form": form, "account": account, "creating": False}
    )


@login_required
@capability_required("users.manage")
@require_POST
def user_invite(request, pk: int):
    account = get_scoped_or_404(users_for(request.user), pk=pk)
    if not account.is_active:
        messages.error(request, _("This account is deactivated; activate it first."))
    else:
        send_invitation(account, invited_by=request.user)
        messages.success(request, _("A new password link has been sent to %(email)s.")
                         % {"email": account.email})
    return redirect("user_edit", pk=account.pk)
