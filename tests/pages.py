"""Reading pages as a person would: the visible text, a field's error, a form's values."""

from __future__ import annotations

import html
import re


def text(response) -> str:
    """The page with tags removed and entities decoded, whitespace collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def field_error(response, field: str) -> str | None:
    """The error shown beside a field (the `<field>-error` paragraph), or None when there is none."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">(.*?)</p>', body, flags=re.S)
    if match is None:
        return None
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split()).removeprefix("Error: ")


def input_value(response, name: str) -> str | None:
    """The value a text input carries when the page is shown again."""
    body = response.get_data(as_text=True)
    for tag in re.findall(r"<input\b[^>]*>", body):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else None
    return None


def html_lang(response) -> str | None:
    match = re.search(r'<html lang="([^"]*)"', response.get_data(as_text=True))
    return match.group(1) if match else None


def checked_values(response, name: str) -> list[str]:
    """The values of the checked radio buttons or checkboxes named `name`."""
    body = response.get_data(as_text=True)
    values = []
    for tag in re.findall(r"<input\b[^>]*>", body):
        if re.search(rf'\bname="{re.escape(name)}"', tag) and re.search(r"\bchecked\b", tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            values.append(html.unescape(value.group(1)) if value else "")
    return values
