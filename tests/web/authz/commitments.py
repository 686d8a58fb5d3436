from app.core.commitments import Draft, Status
from app.core.permissions import Role
from app.modules.commitments import services as commitments
from app.modules.timeutil import utcnow
from tests.web.authz import Rule, World

VALID = {"institution": "Comune di Iseo", "action": "Apre uno sportello per l'abitare."}


def _commitment(status: Status = Status.PROPOSED, clause: bool = False):  # type: ignore[no-untyped-def]
    def setup(w: World) -> None:
        membership = w.memberships[Role.FACILITATOR]
        commitment = commitments.record_commitment(
            membership.person,
            membership,
            Draft(**VALID),
            commitments.Clause(w.section) if clause else None,
            utcnow().date(),
        )
        if status is not Status.PROPOSED:
            commitments.change_status(membership.person, membership, commitment, status, "")
        w.extras["commitment"] = commitment
        w.extras["token"] = commitments.issue_link(membership.person, commitment).rsplit("/", 1)[1]

    return setup


def _workshop(w: World) -> dict:
    return {"workshop_id": w.workshop.id}


def _one(w: World) -> dict:
    return {"workshop_id": w.workshop.id, "commitment_id": w.extras["commitment"].id}


def _token(w: World) -> dict:
    return {"token": w.extras["token"]}


RULES = [
    Rule("commitments.register", "GET", "observer", _workshop),
    Rule("commitments.register_csv", "GET", "observer", _workshop, setup=_commitment()),
    Rule("commitments.create", "POST", "participant", _workshop, data=lambda w: VALID),
    # Participants may ask, and are told why agreeing is not theirs.
    Rule(
        "commitments.change_status",
        "POST",
        "facilitator",
        _one,
        data=lambda w: {"status": "agreed", "note": "Approvato in plenaria"},
        setup=_commitment(),
    ),
    Rule(
        "commitments.edit",
        "POST",
        "facilitator",
        _one,
        data=lambda w: {**VALID, "responsible": "Maria Rossi"},
        setup=_commitment(),
    ),
    Rule("commitments.issue_link", "POST", "facilitator", _one, setup=_commitment()),
    Rule("commitments.put_to_vote", "POST", "facilitator", _one, setup=_commitment(clause=True)),
    Rule("commitments.register_version", "GET", "observer", _workshop, setup=_commitment()),
    Rule("commitments.revoke_link", "POST", "facilitator", _one, setup=_commitment()),
    # The institution's link is the credential: anyone holding it, logged in or not.
    Rule("commitments.institution", "GET", "public", _token, setup=_commitment(Status.AGREED)),
    Rule(
        "commitments.institution_update",
        "POST",
        "public",
        _token,
        data=lambda w: {"status": "in_progress", "note": "Bando pubblicato"},
        setup=_commitment(Status.AGREED),
    ),
]
