"""Import every model module so SQLAlchemy and Alembic see all tables."""

from portal.accounts.models import ActingSession, RoleGrant, User  # noqa: F401
from portal.audit import AuditEntry  # noqa: F401
from portal.councils.models import (  # noqa: F401
    AgendaItem,
    Attendance,
    Council,
    CouncilMember,
    Decision,
    Department,
    Meeting,
    Motion,
    ReplyTemplate,
    Request,
    RequestEvent,
    RequestPhoto,
    RequestSupport,
    Satisfaction,
    Vote,
)
from portal.courtyards.models import (  # noqa: F401
    Agreement,
    Answer,
    AnswerItem,
    Collection,
    ConventionVersion,
    Household,
    Notice,
    NoticeView,
    Option,
    Question,
)
from portal.funds.models import Donation, Fund, FundAccount, FundEntry, FundTransfer  # noqa: F401
from portal.kiosks.models import Kiosk  # noqa: F401
from portal.notifications.models import Message, SmsDelivery  # noqa: F401
from portal.organizations.models import (  # noqa: F401
    IncubationStep,
    Organization,
    ServedCommunity,
)
from portal.places.models import Place  # noqa: F401
from portal.projects.models import (  # noqa: F401
    Bid,
    Call,
    Criterion,
    FundingLine,
    PanelMember,
    Payment,
    ProgressReport,
    Project,
    ProjectSatisfaction,
    ProjectTask,
    Score,
)
from portal.publicity.models import Objection, Publication  # noqa: F401
from portal.servicemap.models import HoursException, ServiceHours, ServicePoint  # noqa: F401
from portal.timebank.models import (  # noqa: F401
    Account,
    Activity,
    Certificate,
    CorrectionRequest,
    Entry,
    HelpRequest,
    HourLog,
    MonthlyHours,
    Redemption,
    Reward,
    SignUp,
    SpendingRight,
    Transfer,
    Volunteer,
)
