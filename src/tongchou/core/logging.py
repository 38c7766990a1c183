"""Logs never hold a whole ID number or mobile number.

A request that fails is logged with its path, its exception and (by Django's error
reporter) its locals; a service's error message may quote what was typed. The filter
below is set on every handler in ``settings.LOGGING``, so whatever logger a record comes
from, its message, its arguments and its traceback text are masked as pages mask them
(``common.masking``) before any handler writes them.
"""

import logging
import re

from tongchou.common.masking import mask_id_number, mask_phone

# 17 digits and a digit or X, not inside a longer run of digits or letters.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
# A mainland mobile number, with or without +86 before it and spaces or dashes inside it.
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4})(?![0-9])")


def mask_personal_numbers(text: str) -> str:
    """``text`` with every ID number and mobile number in it masked."""
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return MOBILE.sub(lambda m: mask_phone(re.sub(r"[- ]", "", m.group(1))), text)


def _has_personal_numbers(text: str) -> bool:
    return bool(ID_NUMBER.search(text) or MOBILE.search(text))


class PersonalNumbersFilter(logging.Filter):
    """Mask ID numbers and mobile numbers in a record; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_personal_numbers(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _masked_arg(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked_arg(value) for value in record.args)
        # An argument that is not text (a dict, a model, a request) may still print one:
        # then the record keeps its message as rendered, masked.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = None
        if message is not None and _has_personal_numbers(message):
            record.msg, record.args = mask_personal_numbers(message), ()
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when it is set: render the traceback here, masked.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_numbers(record.stack_info)
        return True


def _masked_arg(value):
    return mask_personal_numbers(value) if isinstance(value, str) else value
