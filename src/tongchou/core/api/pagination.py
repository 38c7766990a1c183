"""API lists page by ``?limit=&offset=``, within bounds the database can hold."""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from tongchou.common.limits import MAX_ID

_DIGITS = re.compile(r"[0-9]{1,19}")


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """DRF's limit/offset paging, but a limit past ``max_limit``, an offset past any row,
    or either not written in plain digits (``²``, ``-1``) answers 400 and says why.

    DRF's own class handed a limit past 64 bits to the database (500 on both engines) and
    quietly replaced an unreadable one with the page size.
    """

    max_limit = 500

    def get_limit(self, request):
        text = request.query_params.get(self.limit_query_param, "")
        if not text:
            return self.default_limit
        limit = _number(text)
        if limit is None or not 1 <= limit <= self.max_limit:
            raise ValidationError(
                {self.limit_query_param: [f"每页条数应为1至{self.max_limit}之间的整数。"]}
            )
        return limit

    def get_offset(self, request):
        text = request.query_params.get(self.offset_query_param, "")
        if not text:
            return 0
        offset = _number(text)
        if offset is None or offset > MAX_ID:
            raise ValidationError({self.offset_query_param: ["起始位置应为不小于0的整数。"]})
        return offset


def _number(text: str) -> int | None:
    # int() also reads digits of other scripts ("١٢"), spaces, signs and underscores.
    return int(text) if _DIGITS.fullmatch(text) else None
