"""Codes the organizations' tests use: real published ones, and a made-up one that passes."""

TENCENT = "9144030071526726XG"  # 腾讯科技（深圳）有限公司
WELFARE_FOUNDATION = "53100000500019795A"  # 中国社会福利基金会
AGENCY_CODE = "52510105MJ2026CQX9"  # made up: 52 社会服务机构, 510105 青羊区
