"""What a test reads from a tagged PDF: the marks a screen reader relies on, and the text
of each page."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import DictionaryObject


@dataclass(frozen=True)
class Tagged:
    has_structure_tree: bool
    marked: bool
    language: str
    title: str
    displays_title: bool
    claims_pdf_ua: bool
    structure_kinds: frozenset[str]  # the structure elements' types: /H1, /P, /Table, ...
    pages: list[str]  # each page's text, spaces collapsed


def read(data: bytes) -> Tagged:
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    mark_info = root.get("/MarkInfo", {})
    preferences = root.get("/ViewerPreferences", {})
    metadata = root.get("/Metadata")
    xmp = metadata.get_object().get_data() if metadata is not None else b""
    tree = root.get("/StructTreeRoot")
    return Tagged(
        has_structure_tree=tree is not None,
        marked=bool(mark_info.get("/Marked", False)),
        language=str(root.get("/Lang", "")),
        title=str((reader.metadata or {}).get("/Title", "")),
        displays_title=bool(preferences.get("/DisplayDocTitle", False)),
        claims_pdf_ua=b"pdfuaid:part" in xmp,
        structure_kinds=_kinds(tree.get_object()) if tree is not None else frozenset(),
        pages=[" ".join((page.extract_text() or "").split()) for page in reader.pages],
    )


def _kinds(node: DictionaryObject) -> frozenset[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        element = stack.pop()
        if "/S" in element:
            found.add(str(element["/S"]))
        children = element.get("/K", [])
        if not isinstance(children, list):
            children = [children]
        for child in children:
            child = child.get_object() if hasattr(child, "get_object") else child
            if isinstance(child, DictionaryObject) and child.get("/Type") != "/MCR":
                stack.append(child)
    return frozenset(found)
