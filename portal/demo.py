"""A small believable world from the source reports, for `make run` and the README tour.

Chengdu's 草堂路社区 (courtyard self-governance, 常青树 social organization), Neijiang's 市中区
(culture station, volunteers) and Zhengzhou's 管城区 (楼院 with 楼长/院长, 邻里驿站). Running it
twice changes nothing: every row is looked up by its natural key first.
"""

from importlib import import_module

from portal.accounts.models import RoleGrant, User
from portal.extensions import db
from portal.organizations.models import Organization
from portal.places.tree import plant

DEMO_PASSWORD = "linli2026"

# The domains' demo modules, in the order they seed: the time bank's activities are held at
# the service map's points; the projects' demo builds on a council's decision, bidders of
# the registry and pays out of the community fund. Named, not imported, so this module
# imports no domain.
DOMAIN_DEMOS = ("portal.servicemap.demo", "portal.timebank.demo", "portal.courtyards.demo",
                "portal.courtyards.demo_collections", "portal.councils.demo",
                "portal.organizations.demo", "portal.funds.demo", "portal.projects.demo")

# (kind, name, fields, children); coordinates are WGS-84 and near the real streets.
WORLD = [
    ("city", "成都市", {"province": "四川省"}, [
        ("district", "青羊区", {"postal_code": "610072"}, [
            ("street", "草堂街道", {}, [
                ("community", "草堂路社区",
                 {"phone": "028-87331234", "address": "成都市青羊区草堂路2号",
                  "latitude": 30.6628, "longitude": 104.0385}, [
                    ("group", "第一居民小组", {}, [
                        ("courtyard", "草堂东路133号院",
                         {"address": "草堂东路133号（原蜀绣厂宿舍）",
                          "latitude": 30.6641, "longitude": 104.0402}, [
                            ("building", "1栋", {}, []),
                            ("building", "2栋", {}, []),
                            ("building", "3栋", {}, []),
                        ]),
                        ("courtyard", "草堂北路8号院",
                         {"address": "草堂北路8号", "latitude": 30.6669, "longitude": 104.0361},
                         []),
                    ]),
                    ("group", "第二居民小组", {}, [
                        ("courtyard", "浣花南路21号院",
                         {"address": "浣花南路21号", "latitude": 30.6583, "longitude": 104.0347},
                         []),
                        ("courtyard", "青华路36号院",
                         {"address": "青华路36号", "latitude": 30.6602, "longitude": 104.0318},
                         []),
                    ]),
                ]),
            ]),
        ]),
    ]),
    ("city", "内江市", {"province": "四川省"}, [
        ("district", "市中区", {"postal_code": "641000"}, [
            ("street", "城西街道", {}, [
                ("community", "桂湖街社区",
                 {"phone": "0832-2021234", "address": "内江市市中区桂湖街88号",
                  "latitude": 29.5852, "longitude": 105.0571}, [
                    ("courtyard", "桂湖街12号院",
                     {"address": "桂湖街12号", "latitude": 29.5861, "longitude": 105.0560}, []),
                    ("courtyard", "文英街小区",
                     {"address": "文英街45号", "latitude": 29.5839, "longitude": 105.0592}, []),
                ]),
            ]),
        ]),
    ]),
    ("city", "郑州市", {"province": "河南省"}, [
        ("district", "管城回族区", {"postal_code": "450000"}, [
            ("street", "城东路街道", {}, [
                ("community", "商城路社区",
                 {"phone": "0371-66301234", "address": "郑州市管城回族区商城路56号",
                  "latitude": 34.7553, "longitude": 113.6829}, [
                    ("courtyard", "商城路1号院",
                     {"address": "商城路1号", "latitude": 34.7560, "longitude": 113.6801}, []),
                    ("courtyard", "星月小区",
                     {"address": "城东路98号", "latitude": 34.7531, "longitude": 113.6858}, []),
                ]),
            ]),
            ("street", "陇海马路街道", {}, [
                ("community", "北三街社区",
                 {"phone": "0371-66901234", "address": "郑州市管城回族区北三街10号",
                  "latitude": 34.7380, "longitude": 113.6712}, [
                    ("courtyard", "北三街3号院",
                     {"address": "北三街3号", "latitude": 34.7386, "longitude": 113.6705}, []),
                ]),
            ]),
        ]),
    ]),
]

# (name, kind, home place, phone, summary)
ORGANIZATIONS = [
    ("常青树社会服务中心", "service_agency", "草堂街道", "028-87339876",
     "扎根草堂街道的社工机构，在院落里开展“草堂叙语”等居民活动，培育社区社会组织。"),
    ("草堂路社区志愿服务队", "volunteer_team", "草堂路社区", None,
     "社区居民组成的志愿服务队：助老、环境整治、院落活动。"),
    ("草堂蜀绣传习社", "community_group", "草堂路社区", None,
     "由原蜀绣厂退休职工组成的社区社会组织，教院里的孩子和老人蜀绣。"),
    ("桂湖文化驿站服务社", "social_enterprise", "桂湖街社区", "0832-2025678",
     "运营桂湖街文化驿站：读书、书画、川剧坐唱。"),
    ("管城邻里驿站志愿服务队", "volunteer_team", "商城路社区", None,
     "商城路社区楼院的志愿者：楼院清洁、邻里互助、为老服务。"),
]

# (mobile, name, roles as (role, place or organization name), home courtyard, preferences)
PEOPLE = [
    ("13900000000", "管理员", [("admin", "成都市"), ("admin", "内江市"), ("admin", "郑州市")],
     None, {}),
    ("13900000001", "李晓梅", [("community_worker", "草堂路社区")], "草堂北路8号院", {}),
    ("13900000002", "胡国强", [("courtyard_leader", "草堂东路133号院")], "草堂东路133号院", {}),
    ("13900000003", "陈淑芬", [("council_member", "草堂路社区")], "浣花南路21号院", {}),
    ("13900000004", "朱红", [("org_staff", "常青树社会服务中心")], None, {}),
    ("13900000005", "李志鹏", [("volunteer", "草堂路社区志愿服务队")], "草堂东路133号院", {}),
    ("13900000006", "张桂芳", [], "草堂东路133号院", {"text_size": "large"}),
    ("13900000007", "王建国", [("community_worker", "商城路社区")], "商城路1号院", {}),
]


def seed_world():
    """Create the places, organizations and demo people; return them by name."""
    named = plant(WORLD, None, {})
    for name, kind, home, phone, summary in ORGANIZATIONS:
        organization = db.session.scalar(db.select(Organization).filter_by(name=name))
        if organization is None:
            organization = Organization(name=name, kind=kind, home_place=named[home],
                                        phone=phone, summary=summary)
            db.session.add(organization)
        named[name] = organization
    db.session.flush()
    for mobile, name, roles, home, preferences in PEOPLE:
        user = db.session.scalar(db.select(User).filter_by(mobile=mobile))
        if user is None:
            user = User(mobile=mobile, name=name,
                        home_courtyard=named.get(home) if home else None, **preferences)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
        named[mobile] = user
        for role, target_name in roles:
            target = named[target_name]
            column = "organization_id" if isinstance(target, Organization) else "place_id"
            if not db.session.scalar(db.select(RoleGrant).filter_by(
                    user_id=user.id, role=role, **{column: target.id})):
                db.session.add(RoleGrant(user=user, role=role, **{column: target.id}))
    db.session.flush()
    return named


def domain_demos():
    """Each domain's demo module, in seeding order: each has ``seed(world, password)`` and
    may have ``logins()`` ((mobile, name, what they are) for the console)."""
    return [import_module(name) for name in DOMAIN_DEMOS]


def seed_demo():
    """Build the whole demo world, every domain included; return it by name."""
    world = seed_world()
    for demo in domain_demos():
        demo.seed(world, DEMO_PASSWORD)
    db.session.commit()
    return world


def demo_logins():
    """Lines telling who to sign in as, for the console."""
    people = [(mobile, name, ", ".join(role for role, _t in roles) or "resident")
              for mobile, name, roles, _home, _prefs in PEOPLE]
    for demo in domain_demos():
        people += getattr(demo, "logins", list)()
    return [f"  {mobile}  {name:<4}  {what}" for mobile, name, what in people]
