"""What the store modules share: the engine's formats, caps, graph names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import unescape

import pyoxigraph as ox

from .. import formats
from ..errors import NotRepresentable, TooLarge


def rdf_format(name: str) -> ox.RdfFormat:
    """The engine's RDF format of a short name of `formats` (`turtle`)."""
    return ox.RdfFormat.from_media_type(formats.media_type(name))


def is_iri(text: str) -> bool:
    """Whether the engine takes `text` as an absolute IRI (RFC 3987: `http://[::1` is none,
    though it has a scheme and no character IRIs exclude)."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def n_triples(term: Any) -> str:
    """A term's N-Triples form: `str` of an RDF 1.2 triple term leaves out its `<<( … )>>`."""
    return f"<<( {term} )>>" if isinstance(term, ox.Triple) else str(term)


def rdf_bytes(
    triples: Iterable[ox.Triple], name: str, prefixes: dict[str, str] | None = None
) -> bytes:
    """The triples in the RDF format `name`, or NotRepresentable when it cannot write them."""
    try:
        data = ox.serialize(triples, format=rdf_format(name), prefixes=prefixes) or b""
    except OSError as error:  # JSON-LD: "does not support RDF 1.2 yet"
        raise NotRepresentable(
            f"the answer cannot be written as {formats.media_type(name)} ({error}); ask for "
            "Turtle or N-Triples"
        ) from error
    return checked_xml(data, name) if name == "rdfxml" else data


# What XML 1.0 cannot hold (its production Char), raw or as a character reference, though an
# RDF literal may: the C0 controls but tab, line feed and carriage return, and U+FFFE, U+FFFF.
# The writers put them in as they are, and a parser rejects the whole document.
_CONTROLS = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF in UTF-8
_NOT_XML = re.compile(
    rb"(?P<raw>[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf])"
    rb"|&#(?:[xX](?P<hex>0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF]))"
    rb"|(?P<decimal>0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|6553[45])));"
)
# RDF/XML writes a predicate or class as an element name (a QName), which needs a local name:
# for an IRI that ends in none (`urn:isbn:123`, `.../p/9`, `.../p/`) the engine writes an
# element with an empty one, `<oxprefix: xmlns:oxprefix="IRI">`, which is not XML.
_NO_LOCAL_NAME = re.compile(rb'<oxprefix:[\s/>](?:xmlns:oxprefix="([^"]*)")?')
_INSTEAD = {
    "rdfxml": "Turtle, N-Triples or JSON-LD",
    "xml": "SPARQL JSON, CSV or TSV",
}


def _not_xml_character(data: bytes) -> int | None:
    """The first character XML 1.0 cannot hold in `data` (raw or a reference), or None.

    On the usual answer, which has none, this costs a `bytes.translate` and a few substring
    searches (a regular expression over every byte would take as long as writing the answer).
    """
    if (
        len(data.translate(None, _CONTROLS)) == len(data)
        and not any(n in data for n in _NONCHARACTERS)
        and b"&#" not in data
    ):
        return None
    found = _NOT_XML.search(data)
    if found is None:  # only references to characters XML can hold
        return None
    raw, hexadecimal, decimal = found.group("raw", "hex", "decimal")
    if raw:
        return ord(raw.decode("utf-8"))
    return int(hexadecimal, 16) if hexadecimal else int(decimal)


def _xml_fault(data: bytes) -> str | None:
    """Why XML a writer made is not well-formed XML 1.0, or None when it is."""
    character = _not_xml_character(data)
    if character is not None:
        return f"a literal holds the character U+{character:04X}, which XML 1.0 cannot hold"
    if b"<oxprefix:" in data and (empty := _NO_LOCAL_NAME.search(data)):
        iri = unescape(empty.group(1).decode("utf-8"), {"&quot;": '"'}) if empty.group(1) else ""
        return (
            f"the IRI <{iri}> has no XML local name, and RDF/XML writes a predicate or a class "
            "as an element named by one"
        )
    return None


def checked_xml(data: bytes, name: str) -> bytes:
    """XML a writer made in the format `name` (`rdfxml`, `xml`), or NotRepresentable when it is
    not well-formed: a 200 with a document no client can parse helps nobody."""
    fault = _xml_fault(data)
    if fault is None:
        return data
    raise NotRepresentable(
        f"the answer cannot be written as {formats.media_type(name)} ({fault}); ask for "
        f"{_INSTEAD[name]}"
    )


def results_format(name: str) -> ox.QueryResultsFormat:
    """The engine's SPARQL results format of a short name of `formats` (`json`)."""
    return ox.QueryResultsFormat.from_media_type(formats.media_type(name))


def _bounded(chunks: Iterable[str | bytes], limit: int) -> bytes:
    out, size = [], 0
    for chunk in chunks:
        data = chunk.encode() if isinstance(chunk, str) else chunk
        size += len(data)
        if size > limit:
            raise TooLarge(f"the result is larger than {limit} bytes; add LIMIT to page it")
        out.append(data)
    return b"".join(out)


def _graph_node(graph: str | None) -> Any:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
