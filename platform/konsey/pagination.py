"""A page of a long list: what the shared pager (templates/_pager.html) needs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(kw_only=True)
class Paged:
    total: int
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
