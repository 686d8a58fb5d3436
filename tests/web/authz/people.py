from tests.web.authz import Rule

RULES = [
    Rule("people.enter", "GET", "public", lambda w: {"token": w.extras["participant_token"]}),
    Rule("people.logout", "POST", "public"),
]
