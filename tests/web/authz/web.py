from tests.web.authz import Rule

RULES = [
    Rule("web.home", "GET", "authenticated"),  # anonymous people are sent to /entra
    Rule("web.login_help", "GET", "public"),
    Rule("web.healthz", "GET", "public"),
    Rule("web.set_language", "POST", "public", lambda w: {"code": "en"}),
]
