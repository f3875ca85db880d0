"""Helpers the tests of several apps share."""

from __future__ import annotations

import shutil
import subprocess


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with whitespace collapsed, as pdftotext (poppler-utils, in debian-packages.txt) reads it."""
    pdftotext = shutil.which("pdftotext") or "/usr/bin/pdftotext"
    out = subprocess.run([pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603
    return " ".join(out.stdout.decode("utf-8").split())
