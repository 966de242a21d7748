"""The API finds a member by any spelling of the phone number."""

from tests import factories


def test_the_api_finds_the_member_by_any_spelling(client, headers):
    member = factories.member(contact="13900000004")
    for spelling in ("13900000004", "+86 139 0000 0004", "139-0000-0004"):
        found = client.get(f"/api/v1/members/{spelling}", headers=headers)
        assert found.status_code == 200 and found.get_json()["member_no"] == member.member_no
    bought = client.post(
        "/api/v1/purchases",
        json={"member": "+86 139-0000-0004", "order_ref": "PH-1", "amount_cents": 5000},
        headers=headers,
    )
    assert bought.status_code == 201 and bought.get_json()["member_no"] == member.member_no
