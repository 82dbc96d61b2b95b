"""Who may do what in the workspace.

Four roles (the issue's): the city administrator runs the triage queue and sees every
department's cases; a department reviewer decides the cases routed to their department;
station (window) staff hand over results at their station; the auditor reads the audit
log and the ledger and changes nothing.
"""

from __future__ import annotations

from enum import StrEnum

from shared_schema import SubmissionState as S


class Role(StrEnum):
    city_admin = "city_admin"
    reviewer = "reviewer"
    station_staff = "station_staff"
    auditor = "auditor"
    department_head = "department_head"  # 部门负责人: told when a case breaks its time limit
    city_supervisor = "city_supervisor"  # 市级督办: told when the department head let it run on


ROLE_LABELS = {
    Role.city_admin: "市级管理员",
    Role.reviewer: "部门审核人员",
    Role.station_staff: "窗口工作人员",
    Role.auditor: "审计员",
    Role.department_head: "部门负责人",
    Role.city_supervisor: "市级督办",
}

STATE_LABELS = {
    S.draft: "草稿",
    S.finalized: "待上传",
    S.uploading: "上传中",
    S.acknowledged: "已接收",
    S.routed: "待受理",
    S.correction_requested: "待补正",
    S.accepted: "办理中",
    S.special_stage: "特殊环节",
    S.completed: "已办结",
    S.delivered: "已送达",
    S.archived: "已归档",
    S.rejected: "不予受理/许可",
}

# States a department still has to act on (the inbox's default filter).
OPEN_STATES = (S.routed, S.correction_requested, S.accepted, S.special_stage, S.completed)

# Whose cases a role sees (``scope.visible``): the whole city's, or its own department's.
CITY_WIDE = {Role.city_admin, Role.city_supervisor}
DEPARTMENT_OWN = {Role.reviewer, Role.department_head}

# Which roles may open which part of the workspace.
SUPERVISORS = {Role.department_head, Role.city_supervisor}  # read what they are told about
CAN_INBOX = {Role.city_admin, Role.reviewer, *SUPERVISORS}
CAN_REVIEW = {Role.city_admin, Role.reviewer, *SUPERVISORS}
CAN_DECIDE = {Role.reviewer}
CAN_TRIAGE = {Role.city_admin}
CAN_PICKUPS = {Role.station_staff}
CAN_LEDGER = {Role.city_admin, Role.reviewer, Role.auditor, *SUPERVISORS}
CAN_AUDIT = {Role.auditor, Role.city_admin}
CAN_HOLIDAYS = {Role.city_admin}  # import the year's holiday notice
CAN_KIOSKS = {Role.city_admin, Role.station_staff}  # station staff: their own station's
CAN_CATALOG = {Role.city_admin, Role.auditor}  # read catalog versions and their diffs (5.4)
CAN_CATALOG_EDIT = {Role.city_admin}  # drafts, the guide editor, import, publish
CAN_DASHBOARD = CITY_WIDE | DEPARTMENT_OWN  # a department: its own
CAN_ALERTS = {Role.city_admin, Role.city_supervisor, Role.reviewer, Role.department_head, Role.station_staff}


def state_label(state: str) -> str:
    try:
        return STATE_LABELS[S(state)]
    except ValueError:
        return state
