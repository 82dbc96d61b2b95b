"""Request budgets shared by every worker of every node (``sync_server.ratelimit``)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base

RATE_SCOPE_LEN = 32
RATE_CLIENT_LEN = 64


class RateLimitWindow(Base):
    """One client's count in its current fixed window (one row per scope and client)."""

    __tablename__ = "rate_limit_windows"

    scope: Mapped[str] = mapped_column(String(RATE_SCOPE_LEN), primary_key=True)
    client: Mapped[str] = mapped_column(String(RATE_CLIENT_LEN), primary_key=True)
    window_no: Mapped[int] = mapped_column(BigInteger, index=True)  # Unix seconds // window length
    hits: Mapped[int] = mapped_column(Integer)
