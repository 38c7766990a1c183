"""``tongchou serve``: the web server and a job worker beside it, on one machine."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tongchou.core.jobs import work_forever


def proxy_options() -> dict:
    """Waitress's options for the reverse proxy at ``settings.TRUSTED_PROXY``, if any.

    From that address only, waitress takes the client's address (REMOTE_ADDR) and the
    scheme (wsgi.url_scheme, so HTTPS is seen as HTTPS and not redirected again) from
    the headers named in ``settings.TRUSTED_PROXY_HEADERS``; from anyone else it drops
    those headers.
    """
    if not settings.TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.TRUSTED_PROXY,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": settings.TRUSTED_PROXY_HEADERS,
        "clear_untrusted_proxy_headers": True,
    }


class Command(BaseCommand):
    help = "Serve tongchou (waitress) with a background job worker in the same process."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a job worker (run `tongchou worker` elsewhere)",
        )

    def handle(self, *args, host, port, threads, no_worker, **options):
        from waitress import serve

        # Collect first: WhiteNoise indexes the static folder when the app loads.
        call_command("collectstatic", interactive=False, verbosity=0)
        from tongchou.wsgi import application

        if not no_worker:
            stop = threading.Event()
            threading.Thread(
                target=work_forever, args=(stop,), daemon=True, name="job-worker"
            ).start()
        self.stdout.write(f"tongchou serving on http://{host}:{port}/ (Ctrl+C to stop)")
        serve(
            application, host=host, port=port, threads=threads, ident="tongchou", **proxy_options()
        )
