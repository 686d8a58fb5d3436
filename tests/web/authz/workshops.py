from tests.web.authz import Rule

RULES = [
    Rule("workshops.index", "GET", "authenticated"),
    # Creating a workshop is for people who already facilitate one.
    Rule("workshops.new", "GET", "facilitator"),
    Rule("workshops.new", "POST", "facilitator", data=lambda w: {"title": "Nuovo tavolo"}),
    Rule("workshops.show", "GET", "observer", lambda w: {"workshop_id": w.workshop.id}),
]
