"""Orders carry their client's office: office lists and scoping start from it (issue 9).

A client never changes office, so the copy is taken when the order is created, whatever the
caller passed, and the office's list by status and end date reads one index.
"""

from __future__ import annotations

import pytest
from django.db import connection

from clients.models import Client, OrderStatus, SupervisionOrder
from tests.factories import ClientFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_a_new_order_takes_its_clients_office_whatever_was_passed(office, other_office):
    order = OrderFactory(client=ClientFactory(office=office), office=other_office)
    order.refresh_from_db()
    assert order.office_id == office.pk
    order.risk_level = "tinggi"
    order.save()
    assert SupervisionOrder.objects.get(pk=order.pk).office_id == office.pk


def test_office_staff_see_their_offices_orders_only(users, office, other_office):
    own = OrderFactory(client=ClientFactory(office=office))
    OrderFactory(client=ClientFactory(office=other_office))
    assert list(SupervisionOrder.objects.for_user(users["supervisor"])) == [own]


def test_the_office_is_not_kept_in_the_orders_history(office):
    order = OrderFactory(client=ClientFactory(office=office))
    assert not hasattr(order.history.get(), "office_id")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_office_list_by_end_date_reads_the_office_status_index(office, other_office):
    # A small office beside a large one: the (status, end) index would read the large office's
    # active orders too, the office's index only its own three.
    others = Client.objects.bulk_create(ClientFactory.build_batch(400, office=other_office))
    SupervisionOrder.objects.bulk_create(
        [OrderFactory.build(client=client, office=other_office) for client in others]
    )
    for _ in range(3):
        OrderFactory(client=ClientFactory(office=office))
    sql, params = (SupervisionOrder.objects.filter(office=office, status=OrderStatus.ACTIVE)
                   .order_by("supervision_end").values("pk").query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client, clients_supervisionorder")
        cursor.execute("SET LOCAL enable_seqscan = off")  # small tables: compare the indexes
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "clients_order_office_status" in plan, plan
