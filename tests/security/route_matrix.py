"""The allow-list: every URL of the site, with what each role must get when it asks for it.

``test_route_matrix.py`` discovers every URL pattern of the project and fails for one that has
no entry here, so a new page cannot go live without someone deciding who may open it.

An entry says which demo objects fill the URL (``args``: URL keyword → key of ``Demo.ids``)
and the answer each role must get to a GET and to a POST with empty data. The roles are those
of ``conftest.ROLE_LOGINS`` plus ``anonymous``; the objects belong to pk1's client referred to
Dinas Sosial (``partner``), so ``other_pk`` is the PK of another office, ``partner_other`` the
staff of a partner without a referral for that client.

Answers: an HTTP status, ``LOGIN`` (302 to the login page), ``REDIRECT`` (302 anywhere but the
login page: a form that bounces back with a message, or a page that sends a role elsewhere).
A refused POST (403/404/405/LOGIN) must also leave every table as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LOGIN = "login"
REDIRECT = "redirect"
OK = 200

ALL_ROLES = ("anonymous", "pk", "other_pk", "operator", "supervisor", "head", "partner",
             "partner_other", "regional", "admin")
STAFF = ("pk", "other_pk", "operator", "supervisor", "head", "partner", "partner_other",
         "regional", "admin")
OFFICE = ("pk", "operator", "supervisor", "head")  # Jember office roles
MANAGERS = ("supervisor", "head")
PARTNERS = ("partner", "partner_other")


def answers(default, *, anonymous=LOGIN, **by_role) -> dict[str, object]:
    """Every role gets ``default`` except those named (groups may be passed as tuples)."""
    result = dict.fromkeys(ALL_ROLES, default)
    result["anonymous"] = anonymous
    for role, value in by_role.items():
        if role not in result:
            raise KeyError(role)
        result[role] = value
    return result


def roles(mapping: dict[tuple[str, ...] | str, object], default, *, anonymous=LOGIN):
    """``roles({OFFICE: 200, "other_pk": 404}, 403)``: groups of roles to an answer."""
    result = answers(default, anonymous=anonymous)
    for names, value in mapping.items():
        for role in (names,) if isinstance(names, str) else names:
            if role not in result:
                raise KeyError(role)
            result[role] = value
    return result


@dataclass(frozen=True)
class Route:
    get: dict[str, object]
    post: dict[str, object] | None = None  # None: a POST gets what a GET gets
    args: dict[str, str] = field(default_factory=dict)
    optional: bool = False  # only present in some configurations (DEBUG-only pages)
    why: str = ""
    # (method, role) -> a defect found here, left out of the matrix while its own strict
    # xfail test (named in the text) proves it; remove the entry when the defect is fixed.
    known: dict[tuple[str, str], str] = field(default_factory=dict)


# Patterns not listed one by one: their code is not ours, and what matters about them is
# checked as a group in test_route_matrix.py.
GROUPS = {
    "allauth": (
        "allauth.",
        "django-allauth's login, logout, password reset and MFA pages: open to anonymous "
        "visitors by design, protected by allauth itself (rate limits, re-authentication). "
        "Checked: every page answers an anonymous visitor without a server error, and the "
        "authentication tests cover login, MFA and reset.",
    ),
    "admin": (
        "django.contrib.admin",
        "Django's technical admin site: staff accounts only. Checked: every role but the "
        "administrator is refused its index and the access log's change list.",
    ),
}

ROUTES: dict[str, Route] = {}

# Shorthands for the common shapes. ``officers`` = roles holding the capability (200), every
# other logged-in role 403; a role listed in ``not_found`` gets 404 (it holds the capability
# but the object is not theirs). Partner staff refused an office page get 404, not 403
# (``bapas.roles.capability_required``: nothing outside their portal admits it exists);
# ``partners=403`` where they may see the object but not do this to it.
def capability(allowed, *, not_found=(), ok=OK, others=403, anonymous=LOGIN, partners=404):
    mapping = {tuple(allowed): ok}
    refused_partners = tuple(r for r in PARTNERS if r not in allowed and r not in not_found)
    if others == 403 and refused_partners:
        mapping[refused_partners] = partners
    if not_found:
        mapping[tuple(not_found)] = 404
    return roles(mapping, others, anonymous=anonymous)


def post_only(get_allowed, post: dict, *, others=403, not_found=()):
    """A view that only takes POST: roles past the permission check get 405 to a GET."""
    return {"get": capability(get_allowed, ok=405, others=others, not_found=not_found),
            "post": post}


ROUTES.update({
    # --- the site ----------------------------------------------------------------------
    "home": Route(get=answers(OK)),
    "healthz": Route(get=answers(OK, anonymous=OK), post=answers(405, anonymous=405),
                     why="monitoring probe, public, GET only"),
    "set_language": Route(get=answers(REDIRECT, anonymous=REDIRECT),
                          why="Django's language switch; open to everyone"),
    # --- users and offices ---------------------------------------------------------------
    "users": Route(get=capability(("supervisor", "head", "admin"))),
    "user_create": Route(get=capability(("supervisor", "head", "admin"))),
    "user_edit": Route(get=capability(("supervisor", "head", "admin")),
                       args={"pk": "colleague"}),
    "user_invite": Route(args={"pk": "colleague"}, **post_only(
        ("supervisor", "head", "admin"), capability(("supervisor", "head", "admin"),
                                                    ok=REDIRECT))),
    "offices": Route(get=capability(("admin",))),
    "office_create": Route(get=capability(("admin",))),
    "office_detail": Route(get=capability((*OFFICE, "regional", "admin"),
                                          others=404), args={"pk": "office"}),
    "office_edit": Route(get=capability(("admin",)), args={"pk": "office"}),
    # --- audit -------------------------------------------------------------------------------
    "audit_changes": Route(get=capability(("supervisor", "head", "admin"))),
    "audit_access": Route(get=capability(("supervisor", "head", "admin"))),
    "audit_access_csv": Route(get=capability(("supervisor", "head", "admin"))),
    # --- notifications -----------------------------------------------------------------------
    "notifications:inbox": Route(get=answers(OK)),
    "notifications:open": Route(get=capability(("pk",), ok=REDIRECT, others=404),
                                args={"pk": "notification"}),
    "notifications:mark_read": Route(args={"pk": "notification"}, **post_only(
        STAFF, capability(("pk",), ok=REDIRECT, others=404), others=405)),
    "notifications:mark_all_read": Route(**post_only(STAFF, answers(REDIRECT), others=405)),
    "notifications:preferences": Route(get=answers(OK)),
    "notifications:outbox": Route(get=capability(("admin",))),
    "notifications:retry": Route(args={"pk": "outbox_notification"}, **post_only(
        STAFF, capability(("admin",), ok=REDIRECT))),
})

CLIENT = {"client_pk": "client"}
ORDER = {"client_pk": "client", "order_pk": "order"}
VIEWERS = (*OFFICE, "admin")            # clients.view in the client's office (admin: all)
CASEWORK = ("pk", "supervisor", "head")  # clients.casework
REGISTER = ("pk", "operator", "supervisor", "head")  # clients.register
CHECKIN = ("pk", "operator", "supervisor", "head")   # clients.checkin

ROUTES.update({
    # --- caseload and registration -------------------------------------------------------
    # A search is POSTed (names and NIKs stay out of URLs) and redirected back.
    "clients:caseload": Route(get=capability((*VIEWERS, "other_pk")),
                              post=capability((*VIEWERS, "other_pk"), ok=REDIRECT)),
    "clients:assign": Route(get=capability(MANAGERS), args={"order_pk": "order"}),
    "clients:assign_bulk": Route(**post_only(MANAGERS, capability(MANAGERS))),
    "clients:caseload_move": Route(get=capability(MANAGERS)),
    "clients:caseload_sizes": Route(get=capability(MANAGERS)),
    "clients:register": Route(get=capability((*REGISTER, "other_pk"))),
    "clients:region_options": Route(get=capability((*REGISTER, "other_pk"), ok=400),
                                    why="htmx helper: 400 without the parent region asked"),
    "clients:edit": Route(get=capability(REGISTER, not_found=("other_pk", "partner",
                                                              "partner_other", "regional"))
                          , args=CLIENT),
    # --- the client page -----------------------------------------------------------------
    "clients:detail": Route(get=capability(VIEWERS, others=404), args=CLIENT),
    "clients:photo": Route(get=capability(VIEWERS, others=404), args=CLIENT),
    "clients:document": Route(get=capability(VIEWERS, others=404),
                              args={"client_pk": "client", "doc_pk": "document"}),
    "clients:note_add": Route(args=CLIENT, **post_only(
        STAFF, capability(CASEWORK, ok=OK, not_found=("other_pk", "partner",
                                                            "partner_other", "regional")),
        others=405)),
    "clients:document_add": Route(args=CLIENT, **post_only(
        STAFF, capability(REGISTER, ok=OK, not_found=("other_pk", "partner", "partner_other",
                                                       "regional")), others=405)),
    "clients:consent_add": Route(args=CLIENT, **post_only(
        STAFF, capability(REGISTER, ok=REDIRECT, not_found=(
            "other_pk", "partner", "partner_other", "regional")), others=405)),
    "clients:consent_withdraw": Route(
        args={"client_pk": "client", "consent_pk": "consent"},
        **post_only(
            STAFF, capability(REGISTER, ok=REDIRECT, not_found=(
                "other_pk", "partner", "partner_other", "regional")), others=405)),
    # --- orders --------------------------------------------------------------------------
    "clients:order_create": Route(get=capability(REGISTER, not_found=("other_pk",)),
                                  args=CLIENT),
    "clients:order_detail": Route(get=capability(VIEWERS, not_found=("other_pk",)),
                                  args=ORDER),
    "clients:order_edit": Route(get=capability(REGISTER, not_found=("other_pk",)), args=ORDER),
    "clients:order_status": Route(get=capability(CASEWORK, not_found=("other_pk",)),
                                  args=ORDER),
    "clients:warning_add": Route(get=capability(CASEWORK, not_found=("other_pk",)), args=ORDER),
    "clients:revocation_propose": Route(get=capability(CASEWORK, not_found=("other_pk",)),
                                        args=ORDER),
    "clients:revocations": Route(get=capability((*CASEWORK, "other_pk"))),
    # Another office's users and those who do not see the order get 404, as on every client URL.
    "clients:revocation_decide": Route(get=capability(MANAGERS, not_found=("other_pk",
                                                                          "regional")),
                                       args={"proposal_pk": "proposal"}),
    "clients:orders_to_close": Route(get=capability((*CASEWORK, "other_pk"))),
    # --- contacts ------------------------------------------------------------------------
    "clients:contact_plan": Route(get=capability(CASEWORK, not_found=("other_pk",)),
                                  args={"order_pk": "order"}),
    "clients:schedule_generate": Route(get=capability(CASEWORK, not_found=("other_pk",)),
                                       args={"order_pk": "order"}),
    "clients:contact_detail": Route(get=capability(CASEWORK, not_found=("other_pk",)),
                                    args={"contact_pk": "contact"}),
    "clients:contact_outcome": Route(get=capability(CASEWORK, not_found=("other_pk",)),
                                     args={"contact_pk": "contact"}),
    "clients:contact_reschedule": Route(get=capability(CASEWORK, not_found=("other_pk",)),
                                        args={"contact_pk": "contact"}),
    "clients:contact_cancel": Route(get=capability(CASEWORK, not_found=("other_pk",)),
                                    args={"contact_pk": "contact"}),
    "clients:contact_photo": Route(get=capability(CASEWORK, not_found=("other_pk",)),
                                   args={"photo_pk": "contact_photo"}),
    "clients:awaiting_outcomes": Route(get=capability((*CASEWORK, "other_pk"))),
    "clients:agenda": Route(get=capability((*CASEWORK, "other_pk"))),
    "clients:checkin": Route(get=capability((*CHECKIN, "other_pk"))),
    "clients:checkin_confirm": Route(args={"order_pk": "order"}, **post_only(
        (*CHECKIN, "other_pk"), capability(CHECKIN, ok=REDIRECT, not_found=("other_pk",)))),
    "clients:intervals": Route(get=capability(MANAGERS)),
})

REFERRAL = {"pk": "referral"}
PARTNER = {"pk": "partner"}
AGREEMENT = {"pk": "partner", "agreement_pk": "agreement"}
PORTAL_OTHERS = ("pk", "other_pk", "operator", "supervisor", "head", "regional", "admin")

ROUTES.update({
    # --- catalogue and directory (partner staff get 404 on officer pages) -------------------
    "partners:services": Route(get=capability(("admin",), not_found=PARTNERS)),
    "partners:service_create": Route(get=capability(("admin",), not_found=PARTNERS)),
    "partners:service_edit": Route(get=capability(("admin",), not_found=PARTNERS),
                                   args={"pk": "service"}),
    "partners:directory": Route(get=capability((*VIEWERS, "other_pk"), not_found=PARTNERS)),
    "partners:create": Route(get=capability(("supervisor", "head", "admin"),
                                            not_found=PARTNERS)),
    "partners:detail": Route(get=capability(VIEWERS, not_found=(*PARTNERS, "other_pk")),
                             args=PARTNER),
    "partners:edit": Route(get=capability(("supervisor", "head", "admin"),
                                          not_found=PARTNERS), args=PARTNER),
    "partners:agreement_create": Route(get=capability(("supervisor", "head", "admin"),
                                                      not_found=PARTNERS), args=PARTNER),
    "partners:agreement_edit": Route(get=capability(("supervisor", "head", "admin"),
                                                    not_found=PARTNERS), args=AGREEMENT),
    "partners:agreement_document": Route(
        get=capability(VIEWERS, not_found=(*PARTNERS, "other_pk")), args=AGREEMENT),
    # --- referrals, officer side -------------------------------------------------------------
    "partners:referrals": Route(get=capability((*CASEWORK, "other_pk"), not_found=PARTNERS)),
    "partners:referral_create": Route(get=capability((*CASEWORK, "other_pk"),
                                                     not_found=PARTNERS)),
    "partners:referral_detail": Route(
        get=capability(CASEWORK, not_found=(*PARTNERS, "other_pk")), args=REFERRAL),
    # The referral was sent: no longer editable, the officer is sent to its page.
    "partners:referral_edit": Route(get=capability(CASEWORK, ok=REDIRECT,
                                                   not_found=(*PARTNERS, "other_pk")),
                                    args=REFERRAL),
    # An empty POST names no action: 404 (unknown action), as for a referral not theirs.
    "partners:referral_action": Route(args=REFERRAL, **post_only(
        (*CASEWORK, "other_pk"),
        capability(CASEWORK, ok=404, not_found=(*PARTNERS, "other_pk")), not_found=PARTNERS)),
    # --- the partner portal: partner staff only, and only their organisation's referrals ----
    "partners:portal": Route(get=capability(PARTNERS, others=404)),
    "partners:portal_referral": Route(get=capability(("partner",), others=404), args=REFERRAL),
    "partners:portal_action": Route(args=REFERRAL, **post_only(
        PARTNERS, capability(("partner",), ok=404, others=404), others=404),
        why="an empty POST names no action: 404, as for a referral of another partner"),
    "partners:portal_session": Route(get=capability(("partner",), others=404), args=REFERRAL),
    "partners:portal_report": Route(get=capability(("partner",), others=404), args=REFERRAL),
    "partners:portal_client_photo": Route(get=capability(("partner",), others=404),
                                          args=REFERRAL),
})

MEETING = {"pk": "meeting"}
MEETING_VIEWERS = OFFICE + PARTNERS + ("admin",)   # meetings.view, invited or of the office
MEETING_MANAGERS = ("pk", "supervisor", "head")    # meetings.manage

ROUTES.update({
    "meetings:list": Route(get=capability((*MEETING_VIEWERS, "other_pk"))),
    "meetings:create": Route(get=capability((*MEETING_MANAGERS, "other_pk"))),
    "meetings:detail": Route(get=capability(MEETING_VIEWERS, not_found=("other_pk",)),
                             args=MEETING),
    "meetings:edit": Route(get=capability(MANAGERS, not_found=("other_pk",)), args=MEETING),
    "meetings:cancel": Route(args=MEETING, **post_only(
        (*MEETING_MANAGERS, "other_pk"), capability(MANAGERS, ok=REDIRECT,
                                                      not_found=("other_pk",)))),
    # Only invitees answer an invitation: the operator and the administrator may read the
    # meeting but are not invited (403).
    "meetings:respond": Route(args=MEETING, **post_only(
        (*MEETING_VIEWERS, "other_pk"), capability(
            ("pk", "supervisor", "head", *PARTNERS), ok=REDIRECT, not_found=("other_pk",)))),
    "meetings:invitations": Route(get=capability(MANAGERS, not_found=("other_pk",)),
                                  post=capability(MANAGERS, ok=REDIRECT,
                                                  not_found=("other_pk",)), args=MEETING),
    "meetings:attendance": Route(get=capability(MANAGERS, not_found=("other_pk",)),
                                 args=MEETING),
    "meetings:minutes": Route(get=capability(MANAGERS, not_found=("other_pk",)), args=MEETING),
    "meetings:attachment_upload": Route(get=capability(MANAGERS, not_found=("other_pk",)),
                                        args=MEETING),
    "meetings:attachment": Route(get=capability(VIEWERS, not_found=(*PARTNERS, "other_pk")),
                                 args={"pk": "attachment"}),
    "meetings:attachment_delete": Route(args={"pk": "attachment"}, **post_only(
        (*MEETING_MANAGERS, "other_pk"), capability(MANAGERS, ok=REDIRECT,
                                                      not_found=("other_pk",)))),
    "meetings:link_client": Route(get=capability(MANAGERS, not_found=("other_pk",)),
                                  args=MEETING),
    "meetings:unlink_client": Route(
        args={"pk": "link_meeting", "link_pk": "meeting_link"}, **post_only(
            (*MEETING_MANAGERS, "other_pk"), capability(MANAGERS, ok=REDIRECT,
                                                          not_found=("other_pk",)))),
    "meetings:add_revocation": Route(args={"pk": "tpp_meeting"}, **post_only(
        (*MEETING_MANAGERS, "other_pk"), capability(MANAGERS, ok=REDIRECT,
                                                      not_found=("other_pk",)))),
    "meetings:remove_revocation": Route(
        args={"pk": "tpp_meeting", "proposal_pk": "proposal"}, **post_only(
            (*MEETING_MANAGERS, "other_pk"), capability(MANAGERS, ok=REDIRECT,
                                                          not_found=("other_pk",)))),
    # An empty POST before the hearing: the form again with its errors (200).
    "meetings:decide_revocation": Route(
        get=capability(MANAGERS), args={"pk": "tpp_meeting", "proposal_pk": "proposal"}),
    "meetings:action_create": Route(get=capability(MANAGERS, not_found=("other_pk",)),
                                    args=MEETING),
    "meetings:my_actions": Route(get=capability((*MEETING_VIEWERS, "other_pk"))),
    # Partner staff see the meeting (invited) but the item is pk1's: 403, not 404.
    "meetings:action_update": Route(get=capability(("pk", "supervisor", "head"),
                                                   not_found=("other_pk",), partners=403),
                                    args={"pk": "action_item"}),
    "meetings:print_invitation": Route(get=capability(MEETING_VIEWERS,
                                                      not_found=("other_pk",)), args=MEETING),
    # The attendance sheet is printed by the office, not by its guests.
    "meetings:print_attendance": Route(get=capability((*OFFICE, "admin"),
                                                      not_found=("other_pk",), partners=403),
                                       args=MEETING),
    "meetings:print_minutes": Route(get=capability(MEETING_VIEWERS, not_found=("other_pk",)),
                                    args=MEETING),
    "meetings:ics": Route(get=capability(MEETING_VIEWERS, not_found=("other_pk",)),
                          args=MEETING),
    "meetings:calendar_settings": Route(get=capability((*MEETING_VIEWERS, "other_pk"))),
    "meetings:calendar_regenerate": Route(**post_only(
        (*MEETING_VIEWERS, "other_pk"), capability((*MEETING_VIEWERS, "other_pk"),
                                                     ok=REDIRECT))),
    "meetings:calendar_revoke": Route(**post_only(
        (*MEETING_VIEWERS, "other_pk"), capability((*MEETING_VIEWERS, "other_pk"),
                                                     ok=REDIRECT))),
    "meetings:calendar_feed": Route(get=answers(OK, anonymous=OK),
                                    post=answers(405, anonymous=405),
                                    args={"token": "calendar_token"},
                                    why="calendar apps cannot log in: the secret token is the "
                                        "key (another user's or a revoked token is 404, "
                                        "test_object_access)"),
})

REPORTS_OFFICE = ("supervisor", "head", "admin")

ROUTES.update({
    # Regional viewers get their region's reports on the same page. An empty POST is a
    # request with errors, except for the administrator, who has no office of their own:
    # 404 (no such office).
    # An empty POST: the form again with its errors (the administrator has no office or
    # region of their own to default to: "choose one", not a 404).
    "reports:index": Route(get=capability((*REPORTS_OFFICE, "regional"))),
    "reports:regional": Route(get=capability(("regional", "admin"))),
    "reports:detail": Route(get=capability(REPORTS_OFFICE, others=404),
                            args={"pk": "office_report"}),
    # A finished report's status page sends the reader to the report itself.
    "reports:status": Route(get=capability(REPORTS_OFFICE, ok=REDIRECT, others=404),
                            args={"pk": "office_report"}),
    "reports:download": Route(get=capability(REPORTS_OFFICE, others=404),
                              args={"pk": "office_report"}),
    "reports:regenerate": Route(args={"pk": "office_report"}, **post_only(
        STAFF, capability(REPORTS_OFFICE, ok=REDIRECT, others=404), others=405)),
    # Reading the progress page is clients.view; writing the report (POST) is casework.
    "reports:progress": Route(get=capability(VIEWERS, not_found=("other_pk",)),
                              post=capability(CASEWORK, not_found=("other_pk",)), args=CLIENT),
    "reports:guidance_card": Route(args=CLIENT, **post_only(
        (*REGISTER, "other_pk"), capability(REGISTER, ok=REDIRECT,
                                             not_found=("other_pk",)))),
    "reports:guidance_contract": Route(args=CLIENT, **post_only(
        (*REGISTER, "other_pk"), capability(REGISTER, ok=REDIRECT,
                                             not_found=("other_pk",)))),
    "reports:dashboard": Route(get=answers(OK)),
    "reports:verify": Route(get=answers(OK, anonymous=OK), args={"code": "office_report_code"},
                            why="the public check of a printed document's QR code: says "
                                "whether the code is genuine, shows no personal data"),
})

ROUTES.update({
    # --- data-subject rights (bapas.views.privacy) -------------------------------------------
    "privacy:client_export": Route(get=capability(("supervisor", "head", "admin")), args=CLIENT),
    "privacy:client_export_download": Route(args=CLIENT, **post_only(
        ("supervisor", "head", "admin"), capability(("supervisor", "head", "admin")))),
})

CSV = {"fmt": "csv"}
CLIENT_IMPORTERS = ("operator", "supervisor", "head")     # clients.register, PKs excluded
PARTNER_IMPORTERS = ("supervisor", "head", "admin")       # partners.manage
CLIENT_BATCH = {"batch_pk": "client_batch"}
PARTNER_BATCH = {"batch_pk": "partner_batch"}


def _import_routes(prefix: str, allowed, batch: dict, *, not_found=()) -> dict[str, Route]:
    """The seven pages of an import; confirm and recheck only take POST."""
    get = capability(allowed, not_found=not_found)
    return {
        f"{prefix}:imports": Route(get=get),
        f"{prefix}:import_template": Route(get=get),
        f"{prefix}:import_upload": Route(get=get, why="an empty POST: the form with its error"),
        f"{prefix}:import_preview": Route(get=get, args=batch),
        f"{prefix}:import_progress": Route(get=get, args=batch),
        f"{prefix}:import_file": Route(get=get, args=batch),
        f"{prefix}:import_report": Route(get=get, args={**batch, **CSV}),
        f"{prefix}:import_confirm": Route(args=batch, **post_only(
            allowed, capability(allowed, ok=REDIRECT, not_found=not_found),
            not_found=not_found)),
        f"{prefix}:import_recheck": Route(args=batch, **post_only(
            allowed, capability(allowed, ok=REDIRECT, not_found=not_found),
            not_found=not_found)),
    }


ROUTES.update({
    # --- imports and exports (issue 10) -----------------------------------------------------
    **_import_routes("clients", CLIENT_IMPORTERS, CLIENT_BATCH, not_found=PARTNERS),
    **_import_routes("partners", PARTNER_IMPORTERS, PARTNER_BATCH, not_found=PARTNERS),
    # Exports answer a POST as a GET: they read only the query string's filters.
    "clients:export_caseload": Route(get=capability((*VIEWERS, "other_pk"),
                                                    not_found=PARTNERS), args=CSV),
    "clients:export_awaiting": Route(get=capability((*CASEWORK, "other_pk"),
                                                    not_found=PARTNERS), args=CSV),
    "clients:export_agenda": Route(get=capability((*CASEWORK, "other_pk"),
                                                  not_found=PARTNERS), args=CSV),
    "partners:export_directory": Route(get=capability((*VIEWERS, "other_pk"),
                                                      not_found=PARTNERS), args=CSV),
    "partners:export_referrals": Route(get=capability((*CASEWORK, "other_pk"),
                                                      not_found=PARTNERS), args=CSV),
    "partners:export_portal": Route(get=capability(PARTNERS, others=404), args=CSV),
    "meetings:export": Route(get=capability((*MEETING_VIEWERS, "other_pk")), args=CSV),
})
