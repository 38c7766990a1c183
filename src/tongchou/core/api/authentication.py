"""API token authentication: ``Authorization: Bearer tc_...`` (or ``Token tc_...``)."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from tongchou.common.statements import prepared_cursor
from tongchou.core.api.throttling import TokenFailureThrottle
from tongchou.core.models import ApiToken, User


class ApiTokenAuthentication(BaseAuthentication):
    """Look the token's hash up; a revoked token, one older than its lifetime
    (``settings.API_TOKEN_MAX_DAYS``) or an inactive user is refused.

    An address that sent too many wrong tokens is refused (429) before any lookup.
    """

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        failures = TokenFailureThrottle()
        failures.refuse_if_over(request)
        if len(parts) != 2:
            failures.record_failure()
            raise AuthenticationFailed(_("Invalid token header."))
        key = parts[1].decode("latin-1")
        token = _active_token(ApiToken.hash_key(key))
        if token is None or not token.user.is_active:
            failures.record_failure()
            raise AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        # An absolute lifetime, however busy the token: a leaked one stops working.
        if now - token.created_at > timedelta(days=settings.API_TOKEN_MAX_DAYS):
            failures.record_failure()
            raise AuthenticationFailed(
                f"令牌已超过 {settings.API_TOKEN_MAX_DAYS} 天的有效期，请在“API 令牌”页面新建一个。"
            )
        # Record use at most once a minute, so a busy device does not write on every call.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Bearer"


# In the model's field order: Model.from_db takes the values of a partial row in that order.
_TOKEN_FIELDS = ("id", "user_id", "created_at", "last_used_at")
_TOKEN_QUERY: dict[str, tuple] = {}


def _token_query() -> tuple:
    """The token lookup written out once per database, with each column's converters."""
    if connection.vendor not in _TOKEN_QUERY:
        quote = connection.ops.quote_name
        user_fields = [f.attname for f in User._meta.concrete_fields]
        columns = [ApiToken._meta.get_field(name).get_col("t") for name in _TOKEN_FIELDS]
        columns += [User._meta.get_field(name).get_col("u") for name in user_fields]
        split = len(_TOKEN_FIELDS)
        sql = (
            f"SELECT {', '.join(f't.{quote(c.target.column)}' for c in columns[:split])}, "
            f"{', '.join(f'u.{quote(c.target.column)}' for c in columns[split:])} "
            f"FROM {quote(ApiToken._meta.db_table)} t "
            f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
            "WHERE t.key_hash = %s AND t.revoked_at IS NULL"
        )
        converters = [
            (n, c, connection.ops.get_db_converters(c) + c.get_db_converters(connection))
            for n, c in enumerate(columns)
        ]
        _TOKEN_QUERY[connection.vendor] = (sql, converters, user_fields)
    return _TOKEN_QUERY[connection.vendor]


def _active_token(key_hash: str) -> ApiToken | None:
    """The unrevoked token of this hash with its user, in one statement.

    Devices call the API many times a second; compiling the ORM query and planning
    it on every call cost more than running it, so the statement is written once
    per database and prepared once per connection.
    """
    sql, converters, user_fields = _token_query()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for n, column, functions in converters:
        for convert in functions:
            values[n] = convert(values[n], column, connection)
    split = len(_TOKEN_FIELDS)
    token = ApiToken.from_db(connection.alias, list(_TOKEN_FIELDS), values[:split])
    token.user = User.from_db(connection.alias, user_fields, values[split:])
    return token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describe the token scheme in the OpenAPI schema."""

    target_class = "tongchou.core.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Bearer tc_..."}
