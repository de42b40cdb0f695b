"""Every query of office data is scoped to the user's office, region, or (admin) all."""

from bapas.scoping import ALL, office_ids_for, offices_for


def test_office_roles_see_only_their_office(users, office):
    for key in ("pk", "operator", "supervisor", "head"):
        assert office_ids_for(users[key]) == {office.id}


def test_pk_of_other_office_sees_only_that_office(users, other_office, office):
    assert office_ids_for(users["other_pk"]) == {other_office.id}
    assert office not in offices_for(users["other_pk"])


def test_regional_viewer_sees_offices_of_its_region(users, office, other_office, far_office):
    assert office_ids_for(users["regional"]) == {office.id, other_office.id}
    assert far_office.id not in office_ids_for(users["regional"])


def test_admin_sees_all(users, far_office):
    assert office_ids_for(users["admin"]) is ALL
    assert far_office in offices_for(users["admin"])


def test_partner_staff_see_no_office_data(users):
    assert office_ids_for(users["partner"]) == set()


def test_deactivated_user_sees_nothing(users):
    users["supervisor"].is_active = False
    assert office_ids_for(users["supervisor"]) == set()


def test_office_page_of_other_office_is_404(users, login, office, other_office, far_office):
    client = login(users["admin"])
    assert client.get(f"/offices/{far_office.pk}/").status_code == 200
    client = login(users["regional"])
    assert client.get(f"/offices/{other_office.pk}/").status_code == 200
    assert client.get(f"/offices/{far_office.pk}/").status_code == 404
    client = login(users["other_pk"])
    assert client.get(f"/offices/{other_office.pk}/").status_code == 200
    assert client.get(f"/offices/{office.pk}/").status_code == 404
