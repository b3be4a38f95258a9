"""Decision verbs: award, decline or ask for changes, one proposal at a time or in bulk; the call's export.

The ranking, the award suggestion and the locked award itself come from app.reviews.services; this module
adds what a funder's decision needs around them: the justification, the rule that a decision departing from
the suggestion says why, the email to the team, and all-or-nothing bulk decisions. Verbs flush, never commit.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit, db
from app.accounts.models import User
from app.accounts.services import link
from app.calls.models import Call
from app.mail.services import queue_email
from app.money import decimals_of, format_money, to_decimal
from app.pagination import Page
from app.proposals import workflow
from app.proposals.models import Proposal
from app.reviews import awards, scoring
from app.reviews.models import ReviewAssignment
from app.reviews.services import Ranking, RankingRow, available_amount, award, ranking
from app.teams.models import Membership, Team
from app.validation import ValidationFailed

DECISIONS = ("award", "decline", "request_changes")
DEFAULT_FLOOR = 3.0
FLOOR_MIN, FLOOR_MAX = float(scoring.SCALE_MIN), float(scoring.SCALE_MAX)
JUSTIFICATION_LIMIT = 2000

DECISION_LABELS = {
    "award": _l("Award"),
    "decline": _l("Decline"),
    "request_changes": _l("Request changes"),
}
SUGGESTION_LABELS = {
    awards.Reason.FUNDED: _l("funded"),
    awards.Reason.BELOW_FLOOR: _l("below the quality floor"),
    awards.Reason.DOES_NOT_FIT: _l("does not fit what is left of the pool"),
    awards.Reason.NOT_REACHED: _l("not reached: the pool is used up before it"),
}
# Why a decision departs from the suggestion; recorded in the audit entry as the code, shown as the label.
NOT_SUGGESTED, DIFFERENT_AMOUNT, SUGGESTED_FOR_FUNDING = "not_suggested", "different_amount", "suggested_for_funding"
DEPARTURE_LABELS = {
    NOT_SUGGESTED: _l("the suggestion does not fund this proposal"),
    DIFFERENT_AMOUNT: _l("the suggestion funds the amount requested, %(amount)s"),
    SUGGESTED_FOR_FUNDING: _l("the suggestion funds this proposal"),
}
EMAIL_KINDS = {
    "award": "proposal_awarded",
    "decline": "proposal_decided_declined",
    "request_changes": "proposal_changes_requested",
}


# -- the quality floor ------------------------------------------------------------------------------
def parse_floor(text: str | None) -> float:
    """'3', '3.5' or '3,5' → 3.5; ValueError with a message a person can read when it is not 1 to 5."""
    cleaned = (text or "").strip().replace(",", ".")
    if not cleaned:
        return DEFAULT_FLOOR
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not FLOOR_MIN <= value <= FLOOR_MAX:
        raise ValueError(str(_l("Enter a score from 1 to 5, like 3 or 3.5.")))
    return value


def floor_text(value: float) -> str:
    """The floor as it goes back into a field or a link: '3', '3.5'."""
    return f"{value:g}"


# -- the ranking, as the page and the export read it -------------------------------------------------
@dataclass
class Line:
    """One proposal of the ranking with everything the page and the CSV show about it."""

    row: RankingRow
    rank: int | None
    split_names: list[str]

    @property
    def proposal(self) -> Proposal:
        return self.row.proposal

    @property
    def score(self) -> scoring.ProposalScore | None:
        return self.row.score

    @property
    def suggestion(self) -> awards.Decision | None:
        return self.row.decision

    @property
    def suggested_funded(self) -> bool:
        return self.row.decision is not None and self.row.decision.reason is awards.Reason.FUNDED

    @property
    def decidable(self) -> bool:
        return self.proposal.state == "in_review"


@dataclass
class Board:
    """The ranking page's data: the lines best first, the suggestion, and the pool's three figures."""

    call: Call
    floor: float
    ranking: Ranking
    lines: list[Line]
    page: Page

    @property
    def pool(self) -> int:
        return self.call.pool_amount

    @property
    def contributed(self) -> int:
        return self.ranking.contributed

    @property
    def committed(self) -> int:
        return self.ranking.committed

    @property
    def available(self) -> int:
        return self.ranking.available

    @property
    def suggestion(self) -> awards.AwardSuggestion:
        return self.ranking.suggestion

    @property
    def suggested_ids(self) -> list[int]:
        return [line.proposal.id for line in self.lines if line.suggested_funded and line.decidable]


def board(call: Call, floor: float, *, page: int = 1, per_page: int | None = None,
          holding: int | None = None) -> Board:
    """The call's ranking with the award suggestion for this quality floor, every line or one page of them (the
    page holding the proposal `holding`, when given); a constant number of queries."""
    offset = (max(1, page) - 1) * per_page if per_page else 0
    result = ranking(call, floor, offset=offset, limit=per_page, holding=holding)
    titles = {str(c.id): c.title for c in call.criteria}
    lines: list[Line] = []
    for index, row in enumerate(result.rows):
        # Scored proposals come first, so a line's rank is its place in the whole ranking.
        names = [titles.get(cid, cid) for cid in row.score.split_criteria] if row.score else []
        lines.append(Line(row=row, rank=result.offset + index + 1 if row.score is not None else None,
                          split_names=names))
    shown = Page(items=lines, page=result.offset // per_page + 1 if per_page else 1,
                 per_page=per_page or max(1, result.total), total=result.total)
    return Board(call=call, floor=floor, ranking=result, lines=lines, page=shown)


def suggestion_for(call: Call, floor: float) -> awards.AwardSuggestion:
    """The award suggestion alone: no proposal is loaded."""
    return ranking(call, floor, limit=0).suggestion


def disagreement_text(line: Line) -> str:
    """Not colour alone: the flag says in words why the reviewers are far apart."""
    score = line.score
    if score is None:
        return ""
    if not score.disagreement:
        return str(_l("No"))
    parts = []
    if score.spread >= scoring.DEFAULT_DISAGREEMENT_SPREAD:
        parts.append(str(_l("reviewers are %(spread)s points apart", spread=format_decimal(score.spread, "0.00"))))
    if line.split_names:
        parts.append(str(_l("a 1 and a 5 on %(criteria)s", criteria=", ".join(line.split_names))))
    return str(_l("Yes: %(why)s", why="; ".join(parts)))


def suggestion_text(line: Line, currency: str) -> str:
    """The suggestion for a proposal still in review, in words; empty once it is decided."""
    decision = line.suggestion
    if decision is None:
        if line.decidable:
            return str(_l("no score yet"))
        return ""
    text = str(SUGGESTION_LABELS[decision.reason])
    if decision.reason is awards.Reason.DOES_NOT_FIT:
        text = str(_l("does not fit: asks %(asked)s, %(left)s left",
                      asked=format_money(decision.candidate.amount_requested, currency),
                      left=format_money(decision.remaining_before, currency)))
    if decision.for_discussion:
        text = str(_l("%(suggestion)s; for discussion: its uncertainty straddles the funding line", suggestion=text))
    return text


# -- deciding ---------------------------------------------------------------------------------------
def departure(suggestion: awards.AwardSuggestion, proposal: Proposal, action: str, amount: int | None) -> str | None:
    """Why this decision departs from the suggestion (a code of DEPARTURE_LABELS), or None when it follows it."""
    try:
        funded = suggestion.decision_for(proposal.id).reason is awards.Reason.FUNDED
    except KeyError:  # decided already, or not scored: the suggestion funds it no more than the others
        funded = False
    if action == "award":
        if not funded:
            return NOT_SUGGESTED
        if amount is not None and amount != proposal.amount_requested:
            return DIFFERENT_AMOUNT
        return None
    if action in ("decline", "request_changes") and funded:
        return SUGGESTED_FOR_FUNDING
    return None


def departure_text(code: str, proposal: Proposal) -> str:
    return str(DEPARTURE_LABELS[code] % {"amount": format_money(proposal.amount_requested, proposal.call.currency)})


def decision_problems(proposal: Proposal, action: str | None, *, amount: int | None, justification: str | None,
                      departure_reason: str | None, suggestion: awards.AwardSuggestion,
                      ) -> list[tuple[str | None, str]]:
    """Everything that stops this decision, each named by the field to fix; all of them at once."""
    call = proposal.call
    money = lambda cents: format_money(cents, call.currency)  # noqa: E731
    problems: list[tuple[str | None, str]] = []
    if proposal.state != "in_review":
        problems.append((None, str(_l("“%(title)s” is %(state)s: only a proposal in review can be decided.",
                                      title=proposal.title, state=workflow.STATE_LABELS[proposal.state]))))
    if action not in DECISIONS:
        problems.append(("decision", str(_l("Choose a decision: award, decline or request changes."))))
        return problems
    if not (justification or "").strip():
        problems.append(("justification", str(_l("Give a justification: the team reads it on their proposal's "
                                                 "page and in an email."))))
    if action == "award":
        available = available_amount(call)
        if amount is None:
            problems.append(("amount", str(_l("Enter the amount to award."))))
        elif amount <= 0:
            problems.append(("amount", str(_l("Award more than zero, or decline the proposal."))))
        elif amount > proposal.amount_requested:
            problems.append(("amount", str(_l("Award at most the amount requested, %(amount)s.",
                                              amount=money(proposal.amount_requested)))))
        elif amount > available:
            problems.append(("amount", str(_l("Only %(available)s is left in the pool: award at most that, or "
                                              "less.", available=money(available)))))
    code = departure(suggestion, proposal, action, amount)
    if code and not (departure_reason or "").strip():
        problems.append(("departure_reason", str(_l(
            "This decision departs from the suggestion (%(why)s): say why.", why=departure_text(code, proposal)))))
    return problems


def decide(actor: User, proposal: Proposal, action: str, *, justification: str, suggestion: awards.AwardSuggestion,
           amount: int | None = None, departure_reason: str | None = None) -> str | None:
    """Award (through the locked award of app.reviews), decline or request changes, and tell the team.

    Returns the departure code when the decision departs from the suggestion; its reason is then recorded
    in the proposal's audit trail next to the decision itself."""
    problems = decision_problems(proposal, action, amount=amount, justification=justification,
                                 departure_reason=departure_reason, suggestion=suggestion)
    if problems:
        raise ValidationFailed(problems)
    justification = justification.strip()
    code = departure(suggestion, proposal, action, amount)
    if action == "award":
        award(actor, proposal, amount, justification)
    else:
        workflow.transition(proposal, action, actor, justification)
    if code:
        try:
            suggested = str(suggestion.decision_for(proposal.id).reason)
        except KeyError:
            suggested = None
        audit.record(actor, "proposal.decision_departure", proposal, decision=action, departure=code,
                     suggested=suggested, amount=amount if action == "award" else None,
                     amount_requested=proposal.amount_requested, reason=departure_reason.strip())
    db.session.flush()
    _tell_team(proposal, action, justification)
    return code


def _tell_team(proposal: Proposal, action: str, justification: str) -> None:
    url = link("proposals.show", proposal_id=proposal.id)
    edit_url = link("proposals.edit", proposal_id=proposal.id) if action == "request_changes" else None
    for member in proposal.team.members:
        queue_email(member.email, EMAIL_KINDS[action], member.locale, proposal=proposal, member=member,
                    call=proposal.call, justification=justification, url=url, edit_url=edit_url)


@dataclass
class BulkProblem:
    proposal: Proposal | None
    messages: list[str]


class BulkFailed(Exception):
    """At least one selected decision cannot be made, so none is: each problem is named by its proposal."""

    def __init__(self, problems: list[BulkProblem], fields: dict[str, list[str]] | None = None):
        super().__init__("; ".join(m for p in problems for m in p.messages))
        self.problems = problems
        self.fields = fields or {}


@dataclass
class BulkResult:
    decided: list[Proposal] = field(default_factory=list)
    departures: list[Proposal] = field(default_factory=list)


def decide_in_bulk(actor: User, call: Call, proposal_ids: Iterable[int], action: str, *, justification: str,
                   departure_reason: str | None, suggestion: awards.AwardSuggestion,
                   order: Sequence[int] = ()) -> BulkResult:
    """The same decision for every selected proposal, each awarded the amount it requested; all or nothing.

    Every selected proposal is tried, best-ranked first (so a pool that runs out refuses the lower ones), and
    every problem is collected; if there is one, BulkFailed is raised and the caller rolls the whole
    transaction back, so none of the decisions (nor their emails) happens."""
    ids = list(dict.fromkeys(proposal_ids))
    rank = {pid: position for position, pid in enumerate(order)}
    proposals = {p.id: p for p in db.session.scalars(
        select(Proposal).where(Proposal.id.in_(ids), Proposal.call_id == call.id)
        .options(selectinload(Proposal.team).selectinload(Team.memberships).selectinload(Membership.user)))}
    problems: list[BulkProblem] = []
    fields: dict[str, list[str]] = {}
    if any(pid not in proposals for pid in ids):
        problems.append(BulkProblem(None, [str(_l("One of the selected proposals is not in this call."))]))
    result = BulkResult()
    for proposal in sorted(proposals.values(), key=lambda p: (rank.get(p.id, len(rank)), p.id)):
        amount = proposal.amount_requested if action == "award" else None
        try:
            code = decide(actor, proposal, action, justification=justification, suggestion=suggestion,
                          amount=amount, departure_reason=departure_reason)
        except ValidationFailed as error:
            messages = []
            for name, message in error.errors:
                if name in ("decision", "justification"):
                    fields.setdefault(name, [])
                    if str(message) not in fields[name]:
                        fields[name].append(str(message))
                    continue  # said once, beside the field, rather than once per proposal
                if name == "departure_reason":
                    fields.setdefault(name, [str(_l("Some of the selected decisions depart from the suggestion: "
                                                    "say why."))])
                messages.append(str(message))
            if messages:
                problems.append(BulkProblem(proposal, messages))
            continue
        result.decided.append(proposal)
        if code:
            result.departures.append(proposal)
    if problems or fields:
        raise BulkFailed(problems, fields)
    return result


# -- the export -------------------------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with a quote (OWASP "CSV injection")."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def money_cell(minor: int | None, currency: str) -> str:
    """Exact decimal text with the currency's own number of decimals ('1500.00', or '1500' for XOF)."""
    if minor is None:
        return ""
    places = decimals_of(currency)
    return f"{to_decimal(minor, currency):.{places}f}"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def criterion_means(call: Call) -> dict[int, dict[int, float]]:
    """{proposal id: {criterion id: mean score}} over the submitted reviews, "not applicable" left out."""
    totals: dict[int, dict[int, list[int]]] = {}
    assignments = db.session.scalars(
        select(ReviewAssignment).join(Proposal).where(Proposal.call_id == call.id,
                                                      ReviewAssignment.state == "submitted"))
    for assignment in assignments:
        per_criterion = totals.setdefault(assignment.proposal_id, {})
        for score in assignment.scores:
            if score.score is not None:
                per_criterion.setdefault(score.criterion_id, []).append(score.score)
    return {pid: {cid: sum(values) / len(values) for cid, values in per.items()} for pid, per in totals.items()}


def export_rows(call: Call, floor: float) -> list[list[object]]:
    """The header and one row per proposal submitted to the call (drafts stay the team's own)."""
    data = board(call, floor)
    lines = {line.proposal.id: line for line in data.lines}
    others = db.session.scalars(
        select(Proposal).where(Proposal.call_id == call.id, Proposal.id.not_in(list(lines)),
                               Proposal.state != "draft", Proposal.submitted_at.is_not(None))
        .options(selectinload(Proposal.team)).order_by(Proposal.id))
    means = criterion_means(call)
    criteria = list(call.criteria)
    header = [str(_l("Proposal id")), str(_l("Title")), str(_l("Team")), str(_l("State")), str(_l("Currency")),
              str(_l("Amount requested")), str(_l("Amount awarded")), str(_l("Rank")), str(_l("Raw mean")),
              str(_l("Calibrated score")), str(_l("Uncertainty")), str(_l("Spread")), str(_l("Reviews")),
              str(_l("Disagreement")), str(_l("Suggestion"))]
    header += [str(_l("%(criterion)s (mean)", criterion=c.title)) for c in criteria]
    rows: list[list[object]] = [header]

    def emit(proposal: Proposal, line: Line | None) -> None:
        score = line.score if line else None
        row = [proposal.id, proposal.title, proposal.team.name, str(workflow.STATE_LABELS[proposal.state]),
               call.currency, money_cell(proposal.amount_requested, call.currency),
               money_cell(proposal.amount_awarded, call.currency), line.rank if line and line.rank else "",
               _number(score.raw_mean if score else None), _number(score.calibrated if score else None),
               _number(score.uncertainty if score else None), _number(score.spread if score else None),
               score.n_reviews if score else 0, disagreement_text(line) if line else "",
               suggestion_text(line, call.currency) if line else ""]
        row += [_number(means.get(proposal.id, {}).get(c.id)) for c in criteria]
        rows.append(row)

    for line in data.lines:
        emit(line.proposal, line)
    for proposal in others:
        emit(proposal, None)
    return [[safe_cell(cell) for cell in row] for row in rows]


def export_csv(call: Call, floor: float) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet apps read accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(export_rows(call, floor))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_filename(call: Call) -> str:
    """ASCII letters, digits and dashes only: safe in any header and on any file system."""
    words = re.sub(r"\W+", " ", call.title)  # an apostrophe or a slash separates words, as a space does
    ascii_title = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"call-{call.id}-{slug or 'proposals'}-decisions.csv"
