"""Printable codes, drawn as SVG on the server: no app, no script, no internet."""

import segno
from django.utils.safestring import mark_safe

# A personal code carries this prefix before the token, so a door keeper's scanner
# can tell it from a venue code; the token is random, never the ID number.
PERSONAL_PREFIX = "TCP:"


def qr_svg(text: str, *, scale: int = 6) -> str:
    """The QR code of ``text`` as an inline <svg> element."""
    code = segno.make(text, error="m", micro=False)
    return mark_safe(code.svg_inline(scale=scale, border=2, dark="#000", light="#fff"))  # noqa: S308


def personal_code_text(code_token: str) -> str:
    return f"{PERSONAL_PREFIX}{code_token}"
