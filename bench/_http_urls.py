"""The project's URLs plus the HTTP baseline: a bare view that checks a small JSON body
and inserts one row, with the same middleware and server as the project's scan."""

import json

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongchou.urls import urlpatterns as project_urlpatterns

BARE_TABLE = "bench_bare_insert"
BARE_PATH = "/bench/bare-insert/"
LIMITS = {"tube": 40, "code": 64, "key": 64}


@csrf_exempt
@login_not_required
@require_POST
def bare_insert(request):
    """Parse, check lengths, insert one row: what any scan endpoint must at least do."""
    try:
        body = json.loads(request.body)
        values = [str(body[name]) for name in LIMITS]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "bad body"}, status=400)
    if not all(0 < len(v) <= limit for v, limit in zip(values, LIMITS.values(), strict=True)):
        return JsonResponse({"detail": "bad length"}, status=400)
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BARE_TABLE} (tube, code, idempotency_key, received_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            [*values, stamp],
        )
    return JsonResponse({"outcome": "added"})


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare_insert), *project_urlpatterns]
