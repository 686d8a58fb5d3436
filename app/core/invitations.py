from __future__ import annotations


def validate_invitee(name: str, email: str, role: str) -> list[str]:
    problems = []
    if not name.strip():
        problems.append("Il nome è obbligatorio.")
    if "@" not in email:
        problems.append("L'indirizzo e-mail non è valido.")
    return problems
