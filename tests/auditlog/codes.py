"""Every action code the application records, read from the source: each `audit.record(actor, "code", ...)` call.

A code built at run time (f"call.{action}", "milestone.due_date_" + state) is expanded from the table that says
which values it takes; a call site this module cannot read fails the test that uses it, with its place.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _dynamic_values() -> dict[str, tuple[str, ...]]:
    """The values each run-time part of a code takes, by the code's constant start."""
    from app.calls import workflow as calls
    from app.ledger import balances as ledger
    from app.mentoring import workflow as mentoring
    from app.proposals import workflow as proposals

    values = {
        "ledger.": ledger.KINDS,
        "call.": calls.ACTIONS,
        "proposal.": proposals.ACTIONS,
        "mentorship.": mentoring.ACTIONS,
        "milestone.": ("sign_off", "concerns"),
        "matching.": ("lock", "ban", "swap"),
        "milestone.due_date_": ("accepted", "refused"),
    }
    try:
        from app.safety.models import MODERATION_KINDS
    except ImportError:  # moderation is not built yet
        MODERATION_KINDS = ()
    values["moderation."] = tuple(MODERATION_KINDS)
    values["moderation.appeal_"] = ("upheld", "rejected")
    return values


def _is_audit_record(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr == "record" and isinstance(func.value, ast.Name) \
        and func.value.id == "audit"


def _codes_of(node: ast.expr, where: str, dynamic: dict, unreadable: list[str]) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _codes_of(node.body, where, dynamic, unreadable) | _codes_of(node.orelse, where, dynamic, unreadable)
    prefix = None
    if isinstance(node, ast.JoinedStr) and len(node.values) == 2 and isinstance(node.values[0], ast.Constant):
        prefix = node.values[0].value
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant):
        prefix = node.left.value
    if prefix is not None and dynamic.get(prefix):
        return {prefix + value for value in dynamic[prefix]}
    unreadable.append(f"{where}: {ast.unparse(node)}")
    return set()


def recorded_codes() -> tuple[dict[str, list[str]], list[str]]:
    """({code: [file:line, ...]}, [call sites whose code cannot be read])."""
    dynamic = _dynamic_values()
    codes: dict[str, list[str]] = {}
    unreadable: list[str] = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_audit_record(node)):
                continue
            where = f"{path.relative_to(APP.parent)}:{node.lineno}"
            action = node.args[1] if len(node.args) > 1 else next(
                (keyword.value for keyword in node.keywords if keyword.arg == "action"), None)
            if action is None:
                unreadable.append(f"{where}: no action")
                continue
            for code in _codes_of(action, where, dynamic, unreadable):
                codes.setdefault(code, []).append(where)
    return codes, unreadable
