from tests.web.authz import Rule

RULES = [
    Rule("workshops.index", "GET", "authenticated"),
    # Creating a workshop is for organisers and for people who already facilitate one.
    Rule("workshops.new", "GET", "creator"),
    Rule("workshops.new", "POST", "creator", data=lambda w: {"title": "Nuovo tavolo"}),
    Rule("workshops.show", "GET", "observer", lambda w: {"workshop_id": w.workshop.id}),
]
