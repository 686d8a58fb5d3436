from tests.web.authz import Rule

RULES = [
    # Everyone logged in has a bell, and sees only their own notices in it.
    Rule("notifications.index", "GET", "authenticated"),
    Rule("notifications.read", "POST", "authenticated", data=lambda w: {}),
]
