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
                if isinstance(key, str | int | float | bool) and key in seen:
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
# libyaml's parser when PyYAML was built with it (about 4x faster on a large file); the
# pure-Python one words the errors (the same messages whether or not libyaml is there).
_FAST: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Loader = _loader(yaml.SafeLoader, _DUPLICATE)
_LOADERS = {
    False: (_loader(_FAST, _DUPLICATE), Loader),
    True: (_loader(_FAST, _SECRET_DUPLICATE), _loader(yaml.SafeLoader, _SECRET_DUPLICATE)),
}


def load(text: str, secret_keys: bool = False) -> Any:
    """The document in `text`; yaml.YAMLError (worded by PyYAML's own parser) if invalid."""
    fast, careful = _LOADERS[secret_keys]
    try:
        return yaml.load(text, Loader=fast)
    except yaml.YAMLError:
        if fast is careful:
            raise
    return yaml.load(text, Loader=careful)  # raises the error with PyYAML's wording
