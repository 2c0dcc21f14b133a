"""Checks on text that goes where a line break does harm: an email header ends at the first one."""

from __future__ import annotations

import re

# What str.splitlines() splits on: the email package folds and splits headers on these too.
LINE_BREAK_RE = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def has_line_break(text: str) -> bool:
    return bool(LINE_BREAK_RE.search(text))


def one_line(text: str) -> str:
    """The text with each line break (and the blanks around it) turned into one space."""
    return " ".join(part.strip() for part in LINE_BREAK_RE.split(text) if part.strip())
