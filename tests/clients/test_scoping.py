"""Client, order and contact querysets are scoped by office and caseload."""

from clients.models import Client, Contact, SupervisionOrder
from tests.factories import ContactFactory


def test_pk_sees_own_caseload_only(users, own_client, colleague_order, foreign_order):
    visible = set(Client.objects.for_user(users["pk"]))
    assert visible == {own_client}


def test_cover_pk_sees_but_cannot_edit(users, colleague_order):
    colleague_order.cover_pk = users["pk"]
    colleague_order.save()
    assert colleague_order.client in Client.objects.for_user(users["pk"])
    assert colleague_order.client not in Client.objects.editable_by(users["pk"])


def test_managers_and_operator_see_the_office(users, own_client, colleague_order, foreign_order):
    for role in ("supervisor", "head", "operator"):
        visible = set(Client.objects.for_user(users[role]))
        assert visible == {own_client, colleague_order.client}


def test_regional_and_partner_see_no_clients(users, own_client):
    assert not Client.objects.for_user(users["regional"]).exists()
    assert not Client.objects.for_user(users["partner"]).exists()
    assert not SupervisionOrder.objects.for_user(users["regional"]).exists()


def test_admin_sees_every_office(users, own_client, foreign_order):
    assert set(Client.objects.for_user(users["admin"])) >= {own_client, foreign_order.client}


def test_contacts_follow_the_order_scope(users, own_order, foreign_order):
    mine = ContactFactory(order=own_order)
    ContactFactory(order=foreign_order)
    assert list(Contact.objects.for_user(users["pk"])) == [mine]
    assert list(Contact.objects.for_user(users["other_pk"])) != [mine]


def test_stage_follows_the_thirds_of_the_period(own_order):
    from datetime import timedelta

    start = own_order.supervision_start
    own_order.supervision_end = start + timedelta(days=300)
    assert own_order.stage_on(start + timedelta(days=10)) == "awal"
    assert own_order.stage_on(start + timedelta(days=150)) == "lanjutan"
    assert own_order.stage_on(start + timedelta(days=250)) == "akhir"


def test_search_name_folds_spelling_variants(users, office):
    from clients.models import normalise_name

    assert normalise_name("Moh. Rizky") == normalise_name("Mohammad Rizky")
    assert normalise_name("Muhammad Rizky") == "muhammad rizky"


def test_consecutive_missed_counts_the_trailing_run(own_order):
    from datetime import timedelta

    from django.utils import timezone

    from clients.models import Outcome
    from clients.selectors import consecutive_missed

    now = timezone.now()
    for days, outcome in [(40, Outcome.MISSED), (30, Outcome.ATTENDED), (20, Outcome.MISSED),
                          (15, Outcome.EXCUSED), (10, Outcome.MISSED), (5, "")]:
        ContactFactory(order=own_order, planned_at=now - timedelta(days=days), outcome=outcome)
    assert consecutive_missed([own_order.id]) == {own_order.id: 2}
