from app.core.permissions import Role
from tests.web.authz import Rule, World

IMPORT_LIST = "nome;email;ruolo\nNuova Persona;nuova.persona@example.org;osservatore\n"


def _workshop(w: World) -> dict:
    return {"workshop_id": w.workshop.id}


def _participant(w: World) -> dict:
    return {"workshop_id": w.workshop.id, "membership_id": w.memberships[Role.PARTICIPANT].id}


RULES = [
    Rule("people.enter", "GET", "public", lambda w: {"token": w.extras["participant_token"]}),
    Rule("people.enter_confirm", "POST", "public",
         lambda w: {"token": w.extras["participant_token"]}),
    Rule("people.logout", "POST", "public"),
    # Everyone's own profile; a new link only for what the login itself entered.
    Rule("people.own_profile", "GET", "authenticated"),
    Rule("people.save_profile", "POST", "authenticated", data=lambda w: {"name": "Nome Nuovo"}),
    Rule("people.own_link", "POST", "facilitator",
         lambda w: {"membership_id": w.memberships[Role.FACILITATOR].id}),
    Rule("people.own_organiser_link", "POST", "organiser"),
    Rule("people.members", "GET", "facilitator", _workshop),
    Rule("people.change_role", "POST", "facilitator", _participant,
         data=lambda w: {"role": "observer"}),
    Rule("people.revoke", "POST", "facilitator", _participant, data=lambda w: {"confirm": "1"}),
    Rule("people.new_link", "POST", "facilitator", _participant),
    Rule("people.import_preview", "POST", "facilitator", _workshop,
         data=lambda w: {"text": IMPORT_LIST}),
    Rule("people.import_confirm", "POST", "facilitator", _workshop,
         data=lambda w: {"text": IMPORT_LIST}),
    Rule("people.invitation_sheet", "POST", "facilitator", _workshop,
         data=lambda w: {"membership_ids": [w.memberships[Role.PARTICIPANT].id],
                         "format": "pdf"}),
]
