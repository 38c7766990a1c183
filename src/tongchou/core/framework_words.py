"""The framework's messages whose Chinese we say ourselves.

Django's Simplified Chinese catalogue answers a NUL character in a text field with
不允许是用空字符串 ("using an empty string is not allowed", misspelt). Our catalogue
comes first (LOCALE_PATHS) and carries the right words; naming the message here keeps
``makemessages`` from setting it aside as unused.
"""

from django.utils.translation import gettext_noop

WORDS = [gettext_noop("Null characters are not allowed.")]
