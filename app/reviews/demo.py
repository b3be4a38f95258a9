"""Demo reviews: Léa's submitted proposal is screened, passed to review and scored by two reviewers,
so the reviewer queue, the reviews page and the call's ranking have something to show."""

from __future__ import annotations

from app.proposals.models import Proposal
from app.reviews import services


def load_demo_reviews(users: dict, proposals: dict[str, Proposal]) -> None:
    coordinator = users["coordinator"]
    proposal = proposals["submitted"]
    services.screen(coordinator, proposal, "start_screening")
    services.screen(coordinator, proposal, "pass_to_review")
    marks = {
        # reviewer key: (scores in rubric order, recommendation, comment)
        "mentor1": (5, "fund", "Un projet porté par les élèves eux-mêmes, avec un plan de diffusion réaliste."),
        "funder": (4, "fund_with_changes", "Strong idea; the editing budget looks high for ten episodes."),
    }
    for key, (score, recommendation, comment) in marks.items():
        assignment = services.assign(coordinator, proposal, users[key])
        services.accept(assignment)
        criteria = proposal.call.criteria
        scores = {criterion.id: max(1, score - (index % 2)) for index, criterion in enumerate(criteria)}
        optional = [criterion for criterion in criteria if criterion.allow_not_applicable]
        if key == "funder" and optional:
            scores[optional[0].id] = None  # shows that "not applicable" is left out of the mean
        services.submit_review(assignment, scores=scores, comments={}, recommendation=recommendation,
                               comment=comment)
