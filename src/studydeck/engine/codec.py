"""Dataclasses as plain values for marshal, derived from their own fields, never by position.

The cache and the build index store frozen dataclasses (items, diagnostics, note contents,
file summaries). A dataclass becomes the tuple of its fields in declaration order, and each
field is converted by what its type hint says: a nested dataclass the same way, an enum by
its value, a tuple of NamedTuples as columns (one tuple per field: marshal reads 100,000 short
strings far faster than as many tuples). So adding a field to `Item` needs no change here.

marshal reads and writes only plain values (it cannot run code, unlike pickle) and is fast.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import marshal
import types
import typing
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Convert = Callable[[Any], Any]


class Codec(Generic[T]):
    """Encodes instances of one dataclass to plain values and back.

    As `dataclasses` itself does, the two functions are generated once per class from its
    fields: one expression per field, so encoding an item costs no call per field (a loop
    over the fields cost a cold build 3 %).
    """

    def __init__(self, cls: type[T]) -> None:
        self.cls = cls
        hints = typing.get_type_hints(cls)
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        namespace: dict[str, Any] = {"cls": cls}
        encoded, decoded = [], []
        for index, name in enumerate(names):
            hint, optional = _optional(hints[name])
            pair = _converters(hint)
            if pair is None:
                encoded.append(f"o.{name}")
                decoded.append(f"r[{index}]")
                continue
            namespace[f"e{index}"], namespace[f"d{index}"] = pair
            if optional:
                encoded.append(f"(None if o.{name} is None else e{index}(o.{name}))")
                decoded.append(f"(None if r[{index}] is None else d{index}(r[{index}]))")
            else:
                encoded.append(f"e{index}(o.{name})")
                decoded.append(f"d{index}(r[{index}])")
        source = (
            f"def encode(o):\n    return ({', '.join(encoded)},)\n"
            f"def decode(r):\n    return cls({', '.join(decoded)})\n"
        )
        exec(source, namespace)  # (only field names and the module's own converters go in)
        self.encode: Callable[[T], tuple[Any, ...]] = namespace["encode"]
        self.decode: Callable[[tuple[Any, ...]], T] = namespace["decode"]

    def dumps(self, value: T) -> bytes:
        return marshal.dumps(self.encode(value))

    def loads(self, data: bytes) -> T:
        return self.decode(marshal.loads(data))


_CODECS: dict[type, Codec[Any]] = {}


def codec(cls: type[T]) -> Codec[T]:
    """The codec of ``cls`` (made once per class)."""
    made = _CODECS.get(cls)
    if made is None:
        made = _CODECS[cls] = Codec(cls)
    return made


def _optional(hint: Any) -> tuple[Any, bool]:
    """``X`` and True for ``X | None``; else ``hint`` and False."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        [inner] = [arg for arg in args if arg is not type(None)]
        return inner, True
    return hint, False


def _converters(hint: Any) -> tuple[Convert, Convert] | None:
    """(encode, decode) for a field of type ``hint``; None when its values are already plain."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        [inner] = [arg for arg in args if arg is not type(None)]
        pair = _converters(inner)
        if pair is None:
            return None
        encode, decode = pair
        return (lambda v: None if v is None else encode(v)), (lambda v: None if v is None else decode(v))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        element = args[0]
        if isinstance(element, type) and issubclass(element, tuple) and hasattr(element, "_fields"):
            return _columns(element)
        pair = _converters(element)
        if pair is None:
            return None
        encode, decode = pair
        return (lambda v: tuple(map(encode, v))), (lambda v: tuple(map(decode, v)))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested = codec(hint)
        return nested.encode, nested.decode
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return (lambda v: v.value), hint
    return None


def _columns(row_type: type[tuple[Any, ...]]) -> tuple[Convert, Convert]:
    """A tuple of NamedTuples (of plain values) as one tuple per field, and back."""
    width = len(row_type._fields)  # type: ignore[attr-defined]
    make = functools.partial(tuple.__new__, row_type)  # `_make` without a Python call per row

    def encode(rows: tuple[Any, ...]) -> tuple[tuple[Any, ...], ...]:
        return tuple(zip(*rows, strict=True)) or ((),) * width

    def decode(columns: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
        return tuple(map(make, zip(*columns, strict=True)))

    return encode, decode
