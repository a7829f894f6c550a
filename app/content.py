"""The facts the rights and support screens show, read from versioned data under ``assets/``.

Each entry carries its source and the date it was last checked, so a force can review and
change the wording without a release (and a Welsh translation can sit beside it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

CONTENT = Path(__file__).resolve().parents[1] / "assets" / "content"


NATIONAL_SOURCE = "Code of Practice for Victims of Crime in England and Wales (Ministry of Justice)"


@dataclass(frozen=True)
class Sourced:
    """A sentence, where it comes from first (a force's own page, else the Victims' Code itself),
    and any summaries of it that were read too."""

    text: str
    source: str
    reviewed: date
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Right:
    number: int
    title: str
    source: str
    reviewed: date
    details: tuple[Sourced, ...] = ()
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class SupportService:
    id: str
    name: str
    purpose: str
    phone: str | None  # as the service writes it: never reformatted
    website: str | None
    source: str | None  # None: nothing to cite (101, 999), and no source line is shown
    reviewed: date


@dataclass(frozen=True)
class ServiceList:
    """A list of support services and the date-version it carries ('2026-11-28')."""

    version: str
    services: tuple[SupportService, ...]


@dataclass(frozen=True)
class StatusWords:
    title: str
    explanation: str


@dataclass(frozen=True)
class Words:
    """Every sentence the screens show, by key, in one language ('en' now; 'cy' can follow)."""

    language: str
    version: str
    table: Mapping[str, str]

    def __call__(self, key: str, **values: object) -> str:
        return self.table[key].format(**values)

    def plural(self, key: str, count: int, **values: object) -> str:
        """'key.one' when count is 1, else 'key.other'."""
        return self(f"{key}.{'one' if count == 1 else 'other'}", count=count, **values)


@dataclass(frozen=True)
class Content:
    version: str
    rights: tuple[Right, ...]
    services: ServiceList
    statuses: dict[str, StatusWords]
    outcomes: dict[str, str]
    words: Words
    force_rights: Mapping[str, Mapping[int, Right]] = field(default_factory=dict)

    def rights_for(self, force_code: str) -> tuple[Right, ...]:
        """The twelve rights as a force's victims read them: where the force gives its own wording
        of a right, its words and sources come first and the Victims' Code follows."""
        own = self.force_rights.get(force_code, {})
        return tuple(_force_first(own[r.number], r) if r.number in own else r for r in self.rights)

    def status(self, code: str) -> StatusWords:
        return self.statuses.get(code, StatusWords(code.replace("_", " ").capitalize(), ""))


def _sourced(raw: dict[str, Any]) -> Sourced:
    return Sourced(raw["text"], raw["source"], date.fromisoformat(raw["reviewed"]), tuple(raw.get("also", ())))


def _right(raw: dict[str, Any]) -> Right:
    details = tuple(_sourced(d) for d in raw.get("details", ()))
    also = tuple(raw.get("also", ()))
    return Right(raw["number"], raw["title"], raw["source"], date.fromisoformat(raw["reviewed"]), details, also)


def _force_first(own: Right, national: Right) -> Right:
    return Right(
        national.number,
        own.title or national.title,
        own.source,
        own.reviewed,
        (*own.details, *national.details),
        (*own.also, national.source, *national.also),
    )


def _force_right(raw: dict[str, Any]) -> Right:
    return _right({"title": "", **raw})


def _source(raw: dict[str, Any]) -> str | None:
    source = (raw.get("source") or "").strip()
    return None if source in ("", "-") else source


def _service(raw: dict[str, Any]) -> SupportService:
    phone = None if raw.get("phone_unconfirmed") else raw.get("phone")
    return SupportService(
        raw["id"],
        raw["name"],
        raw["for"],
        phone,
        raw.get("website"),
        _source(raw),
        date.fromisoformat(raw["reviewed"]),
    )


def parse(rights: dict[str, Any], services: dict[str, Any], statuses: dict[str, Any], words: dict[str, Any]) -> Content:
    return Content(
        version=max(rights["version"], services["version"], statuses["version"], words["version"]),
        rights=tuple(sorted((_right(r) for r in rights["rights"]), key=lambda r: r.number)),
        services=ServiceList(services["version"], tuple(_service(s) for s in services["services"])),
        statuses={code: StatusWords(v["title"], v["explanation"]) for code, v in statuses["statuses"].items()},
        outcomes=dict(statuses["outcomes"]),
        words=Words(words["language"], words["version"], dict(words["words"])),
        force_rights={
            code: {r.number: r for r in map(_force_right, own.get("rights", ()))}
            for code, own in rights.get("forces", {}).items()
        },
    )


def load(folder: Path = CONTENT, language: str = "en") -> Content:
    """The bundled content; the screens' words in ``language`` ('en'; a 'cy' file can follow)."""

    def read(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((folder / name).read_text(encoding="utf-8"))
        return data

    words = f"words.{language}.json" if (folder / f"words.{language}.json").exists() else "words.en.json"
    return parse(read("victims-code.json"), read("support-services.json"), read("status-words.json"), read(words))


def merge_services(
    bundled: ServiceList, force: ServiceList | None
) -> tuple[list[SupportService], list[SupportService]]:
    """(the force's local services, the national ones). The force's list comes from the server:
    where it names a service the app also ships, the newer list's entry is shown."""
    if force is None:
        return [], list(bundled.services)
    force_newer = force.version > bundled.version
    theirs = {s.id: s for s in force.services}
    national = [theirs[s.id] if force_newer and s.id in theirs else s for s in bundled.services]
    shipped = {s.id for s in bundled.services}
    return [s for s in force.services if s.id not in shipped], national


def service_list_to_json(services: ServiceList) -> str:
    return json.dumps(
        {
            "version": services.version,
            "services": [
                {
                    "id": s.id,
                    "name": s.name,
                    "for": s.purpose,
                    "phone": s.phone,
                    "website": s.website,
                    "source": s.source,
                    "reviewed": s.reviewed.isoformat(),
                }
                for s in services.services
            ],
        }
    )


def service_list_from_json(text: str) -> ServiceList:
    raw = json.loads(text)
    return ServiceList(raw["version"], tuple(_service(s) for s in raw["services"]))
