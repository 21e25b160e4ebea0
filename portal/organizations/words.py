"""Words for the registry's codes: statuses, incubation stages, service areas."""

from portal.i18n import lazy_gettext as _l

STATUS_LABELS = {
    "incubating": _l("Being incubated"),  # 培育中
    "filed": _l("Filed with the sub-district"),  # 已备案
    "registered": _l("Registered with civil affairs"),  # 已登记
    "suspended": _l("Suspended"),  # 暂停
}

STAGE_LABELS = {
    "talent": _l("Capable residents found"),  # 能人发现
    "core_group": _l("Core group formed"),  # 骨干抱团
    "filed": _l("Filed as a community organization"),  # 社区社会组织备案
    "micro_project": _l("Running a micro-project"),  # 承接微项目
    "registered": _l("Registration"),  # 登记注册
}

# What an organization works on; stored comma-separated in Organization.service_areas.
SERVICE_AREAS = {
    "elderly": _l("Services for older people"),  # 为老服务
    "children": _l("Children and young people"),  # 儿童青少年
    "disability": _l("Disability support"),  # 助残
    "culture_sports": _l("Culture and sports"),  # 文化体育
    "environment": _l("Environment and cleanliness"),  # 环境卫生
    "mutual_aid": _l("Neighbourly help"),  # 邻里互助
    "legal_mediation": _l("Legal help and mediation"),  # 法律调解
    "other": _l("Other services"),  # 其他
}


def area_keys(organization):
    """The organization's service areas as keys, in the order of ``SERVICE_AREAS``."""
    chosen = set(filter(None, (organization.service_areas or "").split(",")))
    return [key for key in SERVICE_AREAS if key in chosen]


def area_labels(organization):
    return [SERVICE_AREAS[key] for key in area_keys(organization)]
