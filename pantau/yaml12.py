"""The YAML loader of pantau's files: YAML 1.2 core scalars, no duplicate keys, libyaml's speed."""

from __future__ import annotations

import re
from typing import Any

import yaml

_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    assert isinstance(node, yaml.ScalarNode)
    return int(loader.construct_scalar(node))  # decimal only: no octal, no base 60


def _loader(base: Any, duplicate: str) -> Any:
    """`base` (a PyYAML safe loader) with YAML 1.2 core scalars and no duplicate keys.

    PyYAML follows YAML 1.1, where `max_wait: 1:30` is the number 90 (base 60), `010` is 8
    and an office called `no` is False: silent surprises in a hand-written file.
    """

    class Loader(base):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str | int | float | bool):
                    continue  # PyYAML refuses an unhashable key itself
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        duplicate.format(key=key),
                        key_node.start_mark,
                    )
                seen.add(key)
            return super().construct_mapping(node, deep)

    Loader.yaml_implicit_resolvers = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag.rsplit(":", 1)[-1] not in ("bool", "int", "float", "timestamp")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
    Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789"))
    Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    return Loader


_DUPLICATE = "found duplicate key {key!r}"
_SECRET_DUPLICATE = "a token is listed twice"  # the tokens file: its keys are secrets
# libyaml's parser when PyYAML was built with it; the pure-Python one words the errors (the
# same messages whether or not libyaml is there).
_FAST: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Loader = _loader(yaml.SafeLoader, _DUPLICATE)
_LOADERS = {
    False: (_loader(_FAST, _DUPLICATE), Loader),
    True: (_loader(_FAST, _SECRET_DUPLICATE), _loader(yaml.SafeLoader, _SECRET_DUPLICATE)),
}


def load(text: str, secret_keys: bool = False) -> Any:
    """The document in `text`; yaml.YAMLError (worded by PyYAML's own parser) if invalid."""
    fast, careful = _LOADERS[secret_keys]
    if fast is not careful:  # libyaml is there
        try:
            return _from_events(fast(text), marked=any(c in text for c in "&!*"))
        except (_Unusual, yaml.YAMLError):
            pass  # PyYAML's own constructor decides (merge keys, tags, errors)
    try:
        return yaml.load(text, Loader=fast)
    except yaml.YAMLError:
        if fast is careful:
            raise
    return yaml.load(text, Loader=careful)  # raises the error with PyYAML's wording


class _Unusual(Exception):
    """Something the event reader leaves to PyYAML's constructor: it words the error."""


_SCALAR_CONSTRUCTOR = Loader("")  # turns one resolved plain scalar into its value


def _plain(value: str) -> Any:
    """A plain scalar's value by the loaders' YAML 1.2 resolvers and constructors."""
    for tag, regexp in Loader.yaml_implicit_resolvers.get(value[:1], ()):
        if regexp.match(value):
            construct = Loader.yaml_constructors.get(tag)
            if construct is None:
                raise _Unusual(tag)  # merge keys (<<), `=` and the like
            return construct(_SCALAR_CONSTRUCTOR, yaml.ScalarNode(tag, value))
    return value


def _from_events(parser: Any, marked: bool = True) -> Any:
    """The single document of libyaml's event stream, built without PyYAML's composer and
    constructor (several times faster on a large file); _Unusual where they must decide.

    Gives what PyYAML gives for the documents it accepts: plain scalars by the same
    resolvers and constructors, anchors and aliases shared, no duplicate key. `marked`
    False: the text has no `&`, `!` or `*`, so no event has an anchor or a tag."""
    get = parser.get_event
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, mapping_end = yaml.MappingStartEvent, yaml.MappingEndEvent
    sequence_start, sequence_end = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    get()  # StreamStartEvent
    event = get()
    if type(event) is yaml.StreamEndEvent:
        return None
    if event.tags:  # %TAG directives
        raise _Unusual("tag directive")
    plain: dict[str, Any] = {}  # the value of each distinct plain scalar
    anchors: dict[str, Any] = {}
    outer: list[tuple[Any, Any]] = []  # (container, key) of the containers around this one
    container: Any = None  # the mapping or sequence being read, None at the top
    key: Any = _SEQUENCE  # its pending key, _NO_KEY, or _SEQUENCE
    while True:
        event = get()
        kind = type(event)
        if kind is scalar:  # most events: handled, and put in place, here
            value = event.value
            if event.implicit[0]:
                try:
                    value = plain[value]
                except KeyError:
                    value = plain[value] = _plain(value)
            if marked:
                if event.tag is not None:
                    raise _Unusual("tag")
                if event.anchor is not None:
                    _anchor(anchors, event.anchor, value)
            if key is _NO_KEY:
                key = value
                continue
        elif kind is mapping_end or kind is sequence_end:
            value = container
            container, key = outer.pop()
            if key is _NO_KEY:
                raise _Unusual("unhashable key")  # a mapping or a sequence as a key
        elif kind is mapping_start or kind is sequence_start:
            if marked and event.tag is not None:
                raise _Unusual("tag")
            outer.append((container, key))
            if kind is mapping_start:
                container, key = {}, _NO_KEY
            else:
                container, key = [], _SEQUENCE
            if marked and event.anchor is not None:
                _anchor(anchors, event.anchor, container)
            continue
        elif kind is alias:
            if event.anchor not in anchors:
                raise _Unusual("undefined alias")
            value = anchors[event.anchor]
            if key is _NO_KEY:
                if type(value) is dict or type(value) is list:
                    raise _Unusual("unhashable key")
                key = value
                continue
        else:
            raise _Unusual(kind.__name__)
        if key is _SEQUENCE:
            if container is None:
                break  # the document's top node
            container.append(value)
        else:
            size = len(container)
            container[key] = value
            if len(container) == size:
                raise _Unusual("duplicate key")  # PyYAML words it, with its line
            key = _NO_KEY
    if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
        raise _Unusual("more than one document")
    return value


def _anchor(anchors: dict[str, Any], name: str, value: Any) -> None:
    if name in anchors:
        raise _Unusual("duplicate anchor")
    anchors[name] = value


_NO_KEY: Any = object()  # a mapping waiting for its next key
_SEQUENCE: Any = object()  # a sequence: values have no key
