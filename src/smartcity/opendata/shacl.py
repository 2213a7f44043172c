"""Validation against the official DCAT-AP.de SHACL shapes (pyshacl), with German messages.

The shapes and vocabularies are read from ``OPENDATA_SHACL_DIR`` (the layout of GovData's
validator: shapes/*.ttl and vocabularies/**). Without that folder only the built-in quality
checks run. As GovData's validator does, the vocabularies are merged into the data graph; to keep
one validation fast, only the vocabulary triples about IRIs used in the data (plus the class
hierarchy) are merged, which is all the shapes look at.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

logger = logging.getLogger(__name__)
SHAPE_FILES = ["dcat-ap-SHACL.ttl", "dcat-ap-SHACL-DE.ttl", "dcat-ap-de-deprecated.ttl",
               "dcat-ap-spec-german-additions.ttl", "dcat-ap-de-controlledvocabularies.ttl"]


@dataclass(frozen=True)
class Finding:
    severity: str  # "Violation" | "Warning" | "Info"
    focus: str
    path: str
    message: str


def standards_dir() -> Path | None:
    path = Path(settings.OPENDATA_SHACL_DIR)
    return path if (path / "shapes").is_dir() else None


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    folder = standards_dir()
    g = Graph()
    for name in SHAPE_FILES:
        g.parse(folder / "shapes" / name, format="turtle")
    return g


@lru_cache(maxsize=1)
def _vocabularies() -> tuple[Graph, Graph]:
    """(all vocabulary triples, the class hierarchy)."""
    folder = standards_dir()
    vocab = Graph()
    for path in sorted((folder / "vocabularies").rglob("*")):
        if path.suffix in (".rdf", ".ttl"):
            vocab.parse(path, format="turtle" if path.suffix == ".ttl" else "xml")
    hierarchy = Graph()
    for triple in vocab.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    return vocab, hierarchy


def _with_vocabularies(data: Graph) -> Graph:
    vocab, hierarchy = _vocabularies()
    merged = Graph()
    for triple in data:
        merged.add(triple)
    for triple in hierarchy:
        merged.add(triple)
    iris = {o for o in data.objects() if isinstance(o, URIRef)}
    for iri in iris:
        for triple in vocab.triples((iri, None, None)):
            merged.add(triple)
        for scheme in vocab.objects(iri, URIRef("http://www.w3.org/2004/02/skos/core#inScheme")):
            for triple in vocab.triples((scheme, RDF.type, None)):
                merged.add(triple)
    return merged


def validate(data: Graph) -> tuple[bool, list[Finding]]:
    """Return (conforms, findings). Raises RuntimeError when the shapes folder is missing."""
    import pyshacl

    if standards_dir() is None:
        raise RuntimeError(f"DCAT-AP.de shapes not found in {settings.OPENDATA_SHACL_DIR}")
    conforms, report, _text = pyshacl.validate(_with_vocabularies(data), shacl_graph=_shapes(), inference="none",
                                               allow_warnings=True)
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        messages = list(report.objects(result, SH.resultMessage))
        german = [m for m in messages if str(m).startswith("DE:") or getattr(m, "language", None) == "de"]
        findings.append(Finding(severity, str(report.value(result, SH.focusNode)),
                                str(report.value(result, SH.resultPath) or ""),
                                str((german or messages or [""])[0]).removeprefix("DE: ")))
    return bool(conforms), sorted(findings, key=lambda f: (f.severity != "Violation", f.focus, f.path))


def dataset_findings(dataset) -> list[Finding] | None:
    """Findings for one dataset as the DCAT endpoint would publish it; None when shapes are unavailable."""
    from . import dcat
    from .ckan.dictize import prefetch
    from .models import Dataset

    if standards_dir() is None:
        return None
    ds = prefetch(Dataset.objects.filter(pk=dataset.pk)).get()
    g = dcat.new_graph()
    dcat.add_catalog(g, [ds])
    _conforms, findings = validate(g)
    return findings
