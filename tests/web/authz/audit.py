from tests.web.authz import Rule, World


def _workshop(w: World) -> dict:
    return {"workshop_id": w.workshop.id}


RULES = [
    Rule("audit.log", "GET", "facilitator", _workshop),
    Rule("audit.log_csv", "GET", "facilitator", _workshop),
]
