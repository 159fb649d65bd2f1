"""Argument checks shared by the stages, with the suite's one message style.

Every error a stage raises about its input reads ``"function: what is wrong; what to do"``.
The checks here produce that text, so a stage does not write the same test and message again.

Examples
--------
>>> check_one_of("method", "kmeans", ("kmeans", "agglomerative"), func="cluster")
>>> check_one_of("method", "dbscan", ("kmeans", "agglomerative"), func="cluster")
Traceback (most recent call last):
...
ValueError: cluster: method must be one of kmeans, agglomerative; got 'dbscan'
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["check_all_of", "check_one_of"]


def _listed(allowed: Iterable) -> str:
    return ", ".join(map(str, allowed))


def check_one_of(name: str, value, allowed: Iterable, *, func: str) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``allowed``.

    Parameters
    ----------
    name : str
        The argument's name, as the caller wrote it.
    value
        The value given.
    allowed : iterable
        The accepted values, in the order the message lists them.
    func : str
        The public function (or ``Class.method``) whose argument it is.

    Raises
    ------
    ValueError
        ``"func: name must be one of a, b; got 'x'"``.
    """
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{func}: {name} must be one of {_listed(allowed)}; got {value!r}")


def check_all_of(name: str, values: Iterable, allowed: Iterable, *, func: str) -> None:
    """Raise ``ValueError`` unless every one of ``values`` is one of ``allowed``.

    Parameters
    ----------
    name : str
        The argument's name.
    values : iterable
        The values given.
    allowed : iterable
        The accepted values.
    func : str
        The public function whose argument it is.

    Raises
    ------
    ValueError
        ``"func: name must be among a, b; got 'x', 'y'"`` naming the values not accepted.

    Examples
    --------
    >>> check_all_of("measures", ["vader", "mood"], ("vader", "framing"), func="score")
    Traceback (most recent call last):
    ...
    ValueError: score: measures must be among vader, framing; got 'mood'
    """
    allowed = list(allowed)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"{func}: {name} must be among {_listed(allowed)}; "
                         f"got {', '.join(map(repr, unknown))}")
