"""Personal codes (个人码): what a resident's QR code holds, and reading it back.

The code holds a random token (``Person.code_token``), never the ID number, so a
photo of someone's code tells nothing about them. The ``TCP:`` prefix lets a
scanning page tell a personal code from a tube barcode or a venue code (the venue
door reads the same prefix).
"""

PREFIX = "TCP:"


def personal_code_payload(code_token: str) -> str:
    """The text a resident's QR code holds."""
    return PREFIX + code_token


def token_from_personal_code(scanned: str) -> str:
    """The token of a scanned personal code; a bare token (typed by hand) is taken as is."""
    text = (scanned or "").strip()
    return text.removeprefix(PREFIX).strip()
