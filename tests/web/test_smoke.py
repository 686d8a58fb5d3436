from app.core.permissions import Role
from tests.conftest import login


def test_facilitator_enters_and_sees_workshop(client, make):
    workshop = make.workshop("Tavolo «Abitare» <script>")
    _, token = make.member(workshop, Role.FACILITATOR)
    login(client, token)
    page = client.get(f"/workshops/{workshop.id}")
    assert page.status_code == 200
    assert "Tavolo «Abitare» &lt;script&gt;" in page.text
    assert client.get("/healthz").json == {"status": "ok"}
