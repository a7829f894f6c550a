"""Phone numbers as stored: parsed (UK by default) and written in E.164."""

from __future__ import annotations

import phonenumbers

from sync.server.errors import BadRequest


def normalise_phone(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException as exc:
        raise BadRequest("The phone number is not a phone number.", code="invalid_phone") from exc
    if not phonenumbers.is_possible_number(number):
        raise BadRequest("The phone number is not a phone number.", code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
