"""Every capability's models, so Alembic and the tests see all tables."""

from app.accounts.models import (  # noqa: F401
    AuditEntry,
    ConsentRecord,
    ErasureRequest,
    GuardianConsent,
    RecoveryCode,
    RoleGrant,
    User,
    UserSession,
)
from app.calls.models import Call, CallFunder, Criterion  # noqa: F401
from app.db import Base  # noqa: F401
from app.ledger.models import Contribution, Grant, LedgerEntry, Tranche  # noqa: F401
from app.mail.models import OutboxMessage  # noqa: F401
from app.mentoring.models import (  # noqa: F401
    MatchRound,
    MentorConflict,
    MentorProfile,
    Mentorship,
    MentorVetting,
    ProposedMatch,
    RoundOverride,
    TeamNeeds,
)
from app.notices.models import Notification, NotificationPreference, ProposalComment  # noqa: F401
from app.payments.models import Disbursement, Payee, StripeEvent  # noqa: F401
from app.projects.models import (  # noqa: F401
    AgreementTemplate,
    DueDateChange,
    EvidenceFile,
    EvidenceSubmission,
    GrantAgreement,
    MilestoneEvent,
    MilestoneFeedback,
    ProjectMilestone,
    Publication,
)
from app.proposals.models import Attachment, BudgetLine, PlannedMilestone, Proposal, ProposalVersion  # noqa: F401
from app.reviews.models import CriterionScore, ReviewAssignment  # noqa: F401
from app.safety.models import Appeal, ContentFlag, ContentStatus, FlaggedTerm, ModerationAction, Report  # noqa: F401
from app.teams.models import Invitation, Membership, Team  # noqa: F401
from app.teamspace.models import MeetingLog, TeamMessage, TeamThread  # noqa: F401
