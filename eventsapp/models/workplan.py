"""The work plan of a group for one year, its focus areas and deliverables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

if TYPE_CHECKING:
    from .event import Event


class WorkPlan(Base):
    __tablename__ = "work_plan"
    __table_args__ = (UniqueConstraint("group_abbr", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_name: Mapped[str] = mapped_column(String(200))
    group_abbr: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    introduction: Mapped[str] = mapped_column(Text, default="")
    # The Ministers' statement the plan rests on, quoted.
    mandate_statement: Mapped[str] = mapped_column(Text, default="")
    mandate_source: Mapped[str] = mapped_column(String(300), default="")
    host_theme: Mapped[str] = mapped_column(String(300), default="")
    host_priorities: Mapped[list[str]] = mapped_column(JSON, default=list)

    focus_areas: Mapped[list[FocusArea]] = relationship(
        back_populates="work_plan", order_by="FocusArea.number", cascade="all, delete-orphan"
    )
    deliverables: Mapped[list[Deliverable]] = relationship(
        back_populates="work_plan", order_by="Deliverable.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[Event]] = relationship(back_populates="work_plan")


class FocusArea(Base):
    __tablename__ = "focus_area"
    __table_args__ = (UniqueConstraint("work_plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_plan_id: Mapped[int] = mapped_column(ForeignKey("work_plan.id"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    work_plan: Mapped[WorkPlan] = relationship(back_populates="focus_areas")


class Deliverable(Base):
    __tablename__ = "deliverable"
    __table_args__ = (UniqueConstraint("work_plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_plan_id: Mapped[int] = mapped_column(ForeignKey("work_plan.id"))
    number: Mapped[str] = mapped_column(String(10))  # "1.6"
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    mandate: Mapped[str] = mapped_column(Text, default="")
    ecotech_priority: Mapped[str] = mapped_column(String(200), default="")
    collaborators: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    # Focus areas (numbers) this deliverable serves; the source gives none, organisers set them.
    focus_area_numbers: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Organisers' short account for the year's report.
    narrative: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))

    work_plan: Mapped[WorkPlan] = relationship(back_populates="deliverables")
    event: Mapped[Event | None] = relationship(back_populates="deliverables")
