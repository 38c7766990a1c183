#!/usr/bin/env python
"""Django's manage.py; ``tongchou`` is the same thing once installed."""

from tongchou.cli import main

if __name__ == "__main__":
    main()
