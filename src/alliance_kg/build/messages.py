"""What a SHACL finding says: the shape's own ``sh:message``, else one wording of ours for each
core constraint component, made from the shape's parameters (``fewer than 1 value``, ``value is
not a literal of datatype xsd:date``).

Both engines write messages of their own where a shape has none (pyshacl ``Less than 1 values
on <…>->schema:about``, the compiled engine none at all), so the same violation read differently
by engine, and a report or a baseline changed with the engine that ``--engine auto`` takes by
the data's size. Made here from the shapes graph, the message is the same whichever engine found
the violation. The focus, path and value are a finding's own fields; a message does not repeat
them.
"""

from __future__ import annotations

from typing import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import SH
from ..rdf import prefixed_name, shown

_KINDS = {SH.IRI: "an IRI", SH.BlankNode: "a blank node", SH.Literal: "a literal",
          SH.BlankNodeOrIRI: "a blank node or an IRI", SH.BlankNodeOrLiteral: "a blank node or a literal",
          SH.IRIOrLiteral: "an IRI or a literal"}


def message(shapes: Graph, shape: Node, component: str | None, value: Node | None) -> str | None:
    """The message of a finding of ``component`` from ``shape`` (a node of ``shapes``): its
    ``sh:message``s, sorted, else ours; ``None`` for a component without a wording here (a
    SPARQL-based or a custom one: its engine's message stands)."""
    own = sorted(str(m) for m in shapes.objects(shape, SH.message))
    if own:
        return "; ".join(own)
    wording = _WORDINGS.get(component or "")
    if wording is None:
        return None
    return wording(_Parameters(shapes, shape), value)


class _Parameters:
    """The values of a shape's parameters, as a message writes them."""

    def __init__(self, shapes: Graph, shape: Node):
        self.shapes, self.shape = shapes, shape

    def terms(self, parameter: str) -> list[Node]:
        return sorted(self.shapes.objects(self.shape, SH[parameter]), key=lambda t: (type(t).__name__, str(t)))

    def text(self, parameter: str, joined: str = ", ") -> str:
        """The parameter's values (an IRI as a prefixed name, a literal by its lexical form)."""
        return joined.join(_term(t) for t in self.terms(parameter)) or "?"

    def listed(self, parameter: str) -> str:
        """The members of the parameter's list (``sh:in``, ``sh:languageIn``)."""
        return ", ".join(_term(t) for head in self.terms(parameter) for t in self.shapes.items(head)) or "none"

    def shapes_named(self, parameter: str) -> str:
        """The shapes the parameter names: by name, a blank node one as the parameter's."""
        return " and ".join(f"the sh:{parameter} shape" if isinstance(t, BNode) else _term(t)
                            for t in self.terms(parameter)) or "?"

    def count(self, parameter: str) -> str:
        number = self.text(parameter)
        return f"{number} value" if number == "1" else f"{number} values"


def _term(term: Node) -> str:
    if isinstance(term, URIRef):
        return prefixed_name(str(term))
    if isinstance(term, Literal):
        return str(term)
    return shown(term) or ""


def _datatype(p: _Parameters, value: Node | None) -> str:
    datatype = p.text("datatype")
    if isinstance(value, Literal) and value.datatype is not None and prefixed_name(str(value.datatype)) == datatype:
        return f"value is not a valid {datatype}"  # "2017-04-31"^^xsd:date: of the datatype, but ill-formed
    return f"value is not a literal of datatype {datatype}"


_Wording = Callable[[_Parameters, "Node | None"], str]
_WORDINGS: dict[str, _Wording] = {str(SH[f"{name}ConstraintComponent"]): wording for name, wording in {
    "Class": lambda p, v: f"value is not an instance of {p.text('class', ' and ')}",
    "Datatype": _datatype,
    "NodeKind": lambda p, v: "value is not " + " or ".join(_KINDS.get(k, _term(k)) for k in p.terms("nodeKind")),
    "MinCount": lambda p, v: f"fewer than {p.count('minCount')}",
    "MaxCount": lambda p, v: f"more than {p.count('maxCount')}",
    "MinExclusive": lambda p, v: f"value is not greater than {p.text('minExclusive')}",
    "MinInclusive": lambda p, v: f"value is less than {p.text('minInclusive')}",
    "MaxExclusive": lambda p, v: f"value is not less than {p.text('maxExclusive')}",
    "MaxInclusive": lambda p, v: f"value is greater than {p.text('maxInclusive')}",
    "MinLength": lambda p, v: f"value is shorter than {p.text('minLength')} characters",
    "MaxLength": lambda p, v: f"value is longer than {p.text('maxLength')} characters",
    "Pattern": lambda p, v: f"value does not match the pattern {p.text('pattern')}"
                            + (f" (flags {p.text('flags')})" if p.terms("flags") else ""),
    "LanguageIn": lambda p, v: f"value's language is not one of {p.listed('languageIn')}",
    "UniqueLang": lambda p, v: "more than one value in the same language",
    "Equals": lambda p, v: f"values differ from those of {p.text('equals')}",
    "Disjoint": lambda p, v: f"value is also a value of {p.text('disjoint')}",
    "LessThan": lambda p, v: f"value is not less than the values of {p.text('lessThan')}",
    "LessThanOrEquals": lambda p, v: f"value is greater than a value of {p.text('lessThanOrEquals')}",
    "Not": lambda p, v: f"value conforms to {p.shapes_named('not')}, which it must not",
    "And": lambda p, v: "value does not conform to every shape of sh:and",
    "Or": lambda p, v: "value conforms to none of the shapes of sh:or",
    "Xone": lambda p, v: "value does not conform to exactly one of the shapes of sh:xone",
    "Node": lambda p, v: f"value does not conform to {p.shapes_named('node')}",
    "QualifiedMinCount": lambda p, v: f"fewer than {p.text('qualifiedMinCount')} of the values conform to "
                                      f"{p.shapes_named('qualifiedValueShape')}",
    "QualifiedMaxCount": lambda p, v: f"more than {p.text('qualifiedMaxCount')} of the values conform to "
                                      f"{p.shapes_named('qualifiedValueShape')}",
    "Closed": lambda p, v: "a predicate the closed shape does not allow",
    "HasValue": lambda p, v: f"the value {p.text('hasValue', ' and ')} is missing",
    "In": lambda p, v: f"value is not one of {p.listed('in')}",
}.items()}
