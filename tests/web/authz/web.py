from tests.web.authz import Rule

RULES = [
    Rule("web.home", "GET", "public"),
    Rule("web.login_help", "GET", "public"),
    Rule("web.healthz", "GET", "public"),
    Rule("web.set_language", "GET", "public", lambda w: {"code": "en"}),
]
