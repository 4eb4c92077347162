"""The JSON report, version 1 (DESIGN 4); its JSON Schema ships beside this module."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from driftgate.findings import (
    Finding,
    FindingParts,
    FindingsPart,
    Rendering,
    Report,
    findings_json,
    rendering_pieces,
)
from driftgate.report import write_atomically

REPORT_VERSION = 1


def report_document(report: Report, *, with_findings: bool = True) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "database": report.database,
        "started_at": report.started_at,
        "tools": report.tool_versions,
        "sources": [{"label": s.label, "files": list(s.files), "detail": s.detail} for s in report.sources],
        "summary": report.summary(),
        "gate": {
            "pass": report.gate_pass,
            "reasons": report.gate_reasons(),
            "baseline": report.gate_tag,
            "stamp_allowed": report.stamp_allowed,
            "verdict": report.verdict(),
        },
        "findings": findings_json(report.findings) if with_findings else [],
    }


def report_json(document: dict[str, Any]) -> bytes:
    """The document as indented UTF-8 JSON, byte for byte what ``json.dumps(indent=2, ensure_ascii=False)``
    gives, with :func:`driftgate.report.safe.json_bytes`'s escapes.

    orjson is about 20x faster on 80,000 findings; for what it refuses (a lone surrogate, say) the standard
    library's encoder decides, as it always did.  Serialised once, non-ASCII reports included.
    """
    import orjson

    from driftgate.report.safe import json_bytes, json_text

    try:
        return json_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return json_text(json.dumps(document, indent=2, ensure_ascii=False)).encode("utf-8")


def report_bytes(report: Report) -> bytes:
    """The report as :func:`report_json` writes its document, byte for byte (see :func:`report_chunks`)."""
    return b"".join(report_chunks(report))


def report_chunks(report: Report) -> list[Rendering]:
    """:func:`report_bytes` in consecutive pieces, built part by part and never joined.

    The findings are rendered per part of the report (:func:`rendered_findings`) and set into the
    rest of the document, so a conforming part kept in the expected-model cache is written as it was
    kept: a 1,000-table conforming check builds none of its 80,000 findings, and the pieces are never
    joined into one document.  What orjson refuses goes through :func:`report_json` whole, as it always
    did.  The escapes of :func:`driftgate.report.safe.json_bytes` apply to each piece (each is whole
    JSON text, so no character is split; an ASCII piece is passed on as it is).
    """
    import orjson

    from driftgate.report.safe import json_bytes

    findings = report.findings
    parts = findings.parts if isinstance(findings, FindingParts) else (FindingsPart.in_hand(findings),)
    try:
        head = orjson.dumps(report_document(report, with_findings=False), option=orjson.OPT_INDENT_2)
        rendered = [part.rendered(rendered_findings) for part in parts]
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return [report_json(report_document(report))]
    rendered = [r for r in rendered if r]
    if not rendered:
        return [json_bytes(head)]
    assert head.endswith(_NO_FINDINGS), "findings is the document's last key"
    chunks: list[Rendering] = [json_bytes(head[: -len(_NO_FINDINGS)]) + b'"findings": [\n']
    for index, body in enumerate(rendered):
        if index:
            chunks.append(_BETWEEN)
        # A view is rendered_findings' own, escaped before it was cut out; bytes come from the cache.
        chunks.extend(piece if isinstance(piece, memoryview) else json_bytes(piece) for piece in rendering_pieces(body))
    chunks.append(_ARRAY_CLOSE)
    return chunks


_NO_FINDINGS = b'"findings": []\n}'


def rendered_findings(findings: Sequence[Finding]) -> Rendering:
    """Findings as they stand in the report's findings array: each object indented four spaces, separated
    by ",\n", no brackets (empty for no findings).  orjson writes them as the one key of an object,
    which indents them as deep as the report does; the text between the brackets is theirs.

    That text is a view of orjson's, not a copy: at 1,000 tables it is 26 MB, and copying it into fresh
    memory took 15-25 ms.  It is escaped (:func:`driftgate.report.safe.json_bytes`) before it is cut out,
    which is escaping the findings alone: what is cut off is ASCII."""
    import orjson

    from driftgate.report.safe import json_bytes

    if not findings:
        return b""
    text = json_bytes(orjson.dumps({"findings": findings_json(findings)}, option=orjson.OPT_INDENT_2))
    return memoryview(text)[len(_ARRAY_OPEN) : -len(_ARRAY_CLOSE)]


_ARRAY_OPEN, _ARRAY_CLOSE = b'{\n  "findings": [\n', b"\n  ]\n}"
_BETWEEN = memoryview(b",\n")  # between two findings' objects in the array (and two renderings of them)


def joined_renderings(renderings: Iterable[Rendering]) -> tuple[memoryview, ...]:
    """Renderings of consecutive findings (:func:`rendered_findings`, each escaped) as the pieces of one
    rendering of them all, never joined into one text: views, so that none is escaped again."""
    pieces: list[memoryview] = []
    for rendering in renderings:
        for piece in rendering_pieces(rendering):
            if piece:
                pieces.extend((_BETWEEN, memoryview(piece)) if pieces else (memoryview(piece),))
    return tuple(pieces)


def write_json(report: Report, path: Path) -> None:
    write_atomically(path, *report_chunks(report), b"\n")


def report_schema() -> dict[str, Any]:
    from importlib import resources  # here: writing a report does without it

    return json.loads(resources.files("driftgate.report").joinpath("schema_v1.json").read_text(encoding="utf-8"))


def report_from_document(document: dict[str, Any]) -> Report:
    """The inverse of :func:`report_document` (an xdist worker hands the controller JSON)."""
    from driftgate.findings import Finding, SourceInfo

    return Report(
        database=document["database"],
        sources=tuple(SourceInfo(s["label"], tuple(s["files"]), s.get("detail", "")) for s in document["sources"]),
        findings=tuple(Finding(**f) for f in document["findings"]),
        started_at=document.get("started_at", ""),
        tool_versions=dict(document.get("tools", {})),
        gate_tag=document["gate"].get("baseline"),
    )
