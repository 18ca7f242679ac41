"""Reading the privacy notice in force (no writes): used by registration and the pages."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import ErasureRequest, PrivacyNotice, Registration


def current_notice(work_plan_id: int | None) -> PrivacyNotice | None:
    """The latest published version of the work plan's notice, or None."""
    if work_plan_id is None:
        return None
    return db.session.scalar(
        select(PrivacyNotice).where(PrivacyNotice.work_plan_id == work_plan_id)
        .order_by(PrivacyNotice.version.desc()).limit(1))


def current_notice_version(work_plan_id: int | None) -> int | None:
    """The version a registration made now accepts (None: no notice published yet)."""
    if work_plan_id is None:
        return None
    return db.session.scalar(
        select(PrivacyNotice.version).where(PrivacyNotice.work_plan_id == work_plan_id)
        .order_by(PrivacyNotice.version.desc()).limit(1))


def notice_version(work_plan_id: int, version: int) -> PrivacyNotice | None:
    return db.session.scalar(select(PrivacyNotice).where(
        PrivacyNotice.work_plan_id == work_plan_id, PrivacyNotice.version == version))


def open_erasure_request(reg: Registration) -> ErasureRequest | None:
    """The registration's erasure request not yet confirmed, if any."""
    return db.session.scalar(select(ErasureRequest).where(
        ErasureRequest.registration_id == reg.id, ErasureRequest.confirmed_at.is_(None)))
