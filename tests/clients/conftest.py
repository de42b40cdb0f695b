"""Client fixtures: pk's own client, pk2's client, and a client of the other office."""

import pytest

from tests.factories import ClientFactory, OrderFactory


@pytest.fixture
def own_order(users, office):
    """An active order of a client on the caseload of users['pk']."""
    return OrderFactory(client=ClientFactory(office=office, full_name="Muhammad Rizky"),
                        assigned_pk=users["pk"])


@pytest.fixture
def own_client(own_order):
    return own_order.client


@pytest.fixture
def colleague_order(users, office):
    """An order of the same office, on the caseload of users['pk2']."""
    return OrderFactory(client=ClientFactory(office=office, full_name="Siti Aminah"),
                        assigned_pk=users["pk2"])


@pytest.fixture
def foreign_order(users, other_office):
    """An order of the other office (its PK is users['other_pk'])."""
    return OrderFactory(client=ClientFactory(office=other_office, full_name="Bayu Saputra"),
                        assigned_pk=users["other_pk"])
