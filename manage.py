#!/usr/bin/env python
"""Django's command-line utility; `incasso` (the installed console script) is the same thing."""

from incasso.cli import main

if __name__ == "__main__":
    main()
