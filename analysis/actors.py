"""Actors named in the coverage: a gazetteer of people, countries and institutions, and their
mentions per sentence, article and outlet.

The gazetteer (``analysis/data/gazetteer.csv``) has one row per actor:

``actor``
    Canonical name.
``actor_type``
    ``person``, ``country`` or ``institution``.
``country``
    Affiliation (``international`` for international bodies).
``role``
    Office or affiliation of a person (documentation only).
``source_group``
    ``chinese_official``, ``us_official``, ``analyst_academic`` or ``other``: the group of a
    quoted speaker (:mod:`analysis.sources`).
``names``, ``titles``, ``aliases``
    ``|``-separated. Every name is an alias; so is every ``title + " " + name`` ("President
    Xi Jinping", "Chinese President Xi", "Foreign Minister Wang Yi"); ``aliases`` adds
    descriptions ("the Chinese President"). Countries list their capitals as metonyms
    ("Beijing", "Washington", "Taipei"); cities that appear as mere venues of talks (London,
    Geneva, Kuala Lumpur) are not aliases.

Matching is case-sensitive (proper nouns; "US" never matches the pronoun "us") except that a
leading "the" may be capitalised; whitespace may vary and curly/straight apostrophes are the
same. One alternation regex, longest alias first, is run over each sentence, so "Chinese
President Xi Jinping" is ONE mention of Xi Jinping (not also of "Xi"), and "U.N. Security
Council" is the Council, not the UN. Hyphens are boundaries: "China-US ties" mentions China
and the United States.

Limitations: pronouns ("he", "the two leaders") and definite descriptions not in the gazetteer
("the minister") are NOT resolved: pronoun resolution is out of scope. Surname-only aliases
("Wang", "Trump", "Guo") assume that the surname refers to the listed person in this domain;
a different Wang would be counted as Wang Yi. Nationality adjectives ("Chinese", "American")
are not mentions of the country.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .config import GAZETTEER_FILE

ACTOR_TYPES = ("person", "country", "institution")
SOURCE_GROUPS = ("chinese_official", "us_official", "analyst_academic", "other")
MENTION_COLUMNS = [
    "article_id",
    "paragraph",
    "sentence",
    "start",
    "end",
    "actor",
    "actor_type",
    "country",
    "alias",
    "matched",
]


def _split(cell) -> list[str]:
    if pd.isna(cell):
        return []
    return [p.strip() for p in str(cell).split("|") if p.strip()]


def _canonical(alias: str) -> str:
    """The lookup form of an alias or a matched string (spaces, apostrophes, leading 'The')."""
    s = re.sub(r"\s+", " ", alias.replace("\u2019", "'")).strip()
    return "the " + s[4:] if s.startswith("The ") else s


def read_gazetteer(path: str | Path = GAZETTEER_FILE) -> pd.DataFrame:
    """Read and check a gazetteer file.

    Parameters
    ----------
    path : str or pathlib.Path, default ``analysis/data/gazetteer.csv``

    Returns
    -------
    pandas.DataFrame
        The actors, sorted by ``actor``.

    Raises
    ------
    ValueError
        Missing columns, unknown ``actor_type``/``source_group``, an actor without names, or an
        alias claimed by two actors (the message names the file, rows and what to fix).
    """
    path = Path(path)
    g = pd.read_csv(path, dtype="str", keep_default_na=False)
    need = ["actor", "actor_type", "country", "source_group", "names", "titles", "aliases"]
    missing = [c for c in need if c not in g.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {need}")
    for col, allowed in [("actor_type", ACTOR_TYPES), ("source_group", SOURCE_GROUPS)]:
        bad = g.index[~g[col].isin(allowed)]
        if len(bad):
            raise ValueError(
                f"{path}: rows {[int(i) + 2 for i in bad]} have {col} not in {allowed}: "
                f"{g.loc[bad, col].tolist()}"
            )
    dup = g["actor"][g["actor"].duplicated()]
    if len(dup):
        raise ValueError(f"{path}: actors listed twice: {dup.tolist()}; merge the rows")
    empty = g["actor"][g["names"].str.strip() == ""]
    if len(empty):
        raise ValueError(f"{path}: actors without names: {empty.tolist()}; give at least one")
    g = g.sort_values("actor", kind="stable").reset_index(drop=True)
    aliases(g, path=path)  # validates alias uniqueness
    return g


def aliases(gazetteer: pd.DataFrame, *, path: str | Path | None = None) -> pd.DataFrame:
    """Every alias of every actor (names, title + name combinations, descriptions).

    Parameters
    ----------
    gazetteer : pandas.DataFrame
        From :func:`read_gazetteer`.
    path : str or pathlib.Path, optional
        Only used in error messages.

    Returns
    -------
    pandas.DataFrame
        ``alias``, ``actor``, ``actor_type``, ``country``, ``source_group``; sorted by
        ``actor`` then ``alias``.
    """
    rows = []
    for r in gazetteer.itertuples(index=False):
        names = _split(r.names)
        forms = set(names) | {f"{t} {n}" for t in _split(r.titles) for n in names}
        forms |= set(_split(r.aliases))
        rows += [(_canonical(f), r.actor, r.actor_type, r.country, r.source_group) for f in forms]
    out = pd.DataFrame(rows, columns=["alias", "actor", "actor_type", "country", "source_group"])
    clash = out[out.duplicated("alias", keep=False)]
    if len(clash):
        detail = clash.groupby("alias")["actor"].apply(lambda a: sorted(set(a))).to_dict()
        raise ValueError(
            f"{path or 'gazetteer'}: aliases claimed by several actors: {detail}; "
            "keep each alias for one actor"
        )
    return out.sort_values(["actor", "alias"], kind="stable").reset_index(drop=True)


def _alias_pattern(alias: str) -> str:
    s = alias
    lead = ""
    if s.startswith("the "):
        lead, s = "[Tt]he\\s+", s[4:]
    parts = re.split(r"( |')", s)
    body = "".join(
        r"\s+" if p == " " else "['\u2019]" if p == "'" else re.escape(p) for p in parts if p
    )
    return lead + body


def _alias_units(alias: str) -> list[str]:
    """The regex of an alias (:func:`_alias_pattern`) as one piece per character or gap."""
    units, s = [], alias
    if s.startswith("the "):
        units, s = ["[Tt]", "h", "e", r"\s+"], s[4:]
    for part in re.split(r"( |')", s):
        if part == " ":
            units.append(r"\s+")
        elif part == "'":
            units.append("['\u2019]")
        else:
            units += [re.escape(ch) for ch in part]
    return units


def _trie_regex(node: dict) -> str:
    """Alternation of the paths below a trie node; a path ending here (key "") is tried last."""
    alts = [unit + _trie_regex(child) for unit, child in node.items() if unit]
    if "" in node:
        alts.append("")
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


@lru_cache(maxsize=4)
def _compiled(path: str) -> tuple[re.Pattern[str], pd.DataFrame]:
    r"""One regex for all aliases, as a trie: at each position the longest alias that matches.

    Equal to the alternation of the aliases longest first (``(?<!\w)(?:A1|A2|...)(?!\w)``,
    ``_alias_pattern`` of each): two aliases that both match at a position are a prefix of one
    another (their pieces are single literal characters, whitespace runs and apostrophes,
    which exclude one another), so the first in that order is the longest, which the trie tries
    first. Sharing prefixes and starting with one literal character per branch (the
    look-behind follows it: ``X(?<!\w.)``) lets ``re`` skip most positions fast.
    """
    table = aliases(read_gazetteer(path), path=path)
    trie: dict = {}
    for alias in sorted(table["alias"], key=lambda a: (-len(a), a)):
        units = _alias_units(alias)
        for first in ("T", "t") if units[0] == "[Tt]" else (units[0],):
            node = trie.setdefault(first, {})
            for unit in units[1:]:
                node = node.setdefault(unit, {})
            node[""] = {}
    branches = [first + r"(?<!\w(?s:.))" + _trie_regex(child) for first, child in trie.items()]
    rx = re.compile("(?:" + "|".join(branches) + r")(?!\w)")
    return rx, table.set_index("alias")


#: Texts searched in one pass by :func:`_matches` (bounds the memory of the joined string).
_BLOCK_TEXTS = 20_000


def _matches(rx: re.Pattern[str], texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Every match of ``rx`` in each text: (text number, start, end, matched string).

    The texts are joined by a NUL character, :data:`_BLOCK_TEXTS` at a time, and each block is
    searched in one pass (one ``finditer`` per text costs more than the search itself). The
    same matches as text by text: no alias contains a NUL or lets a whitespace run or a literal
    character match one, and the regex's boundaries (no word character before or after) see a
    NUL as they see a text's start or end. A block holding a NUL itself is searched text by text.
    """
    rows, starts, ends, matched = [], [], [], []
    for lo in range(0, len(texts), _BLOCK_TEXTS):
        block = texts[lo : lo + _BLOCK_TEXTS]
        big = "\0".join(block)
        if big.count("\0") != len(block) - 1:
            found = [(i, m.start(), m.end(), m.group(0)) for i, text in enumerate(block)
                     for m in rx.finditer(text)]
            row, start, end = (np.array([f[k] for f in found], dtype=np.int64) for k in range(3))
            matched += [f[3] for f in found]
        else:
            spans = [m.span() for m in rx.finditer(big)]
            matched += [big[a:b] for a, b in spans]
            spans = np.array(spans, dtype=np.int64).reshape(-1, 2)
            first = np.zeros(len(block), dtype=np.int64)  # each text's first character in ``big``
            np.cumsum(np.fromiter(map(len, block), dtype=np.int64, count=len(block))[:-1] + 1,
                      out=first[1:])
            row = np.searchsorted(first, spans[:, 0], side="right") - 1
            start, end = spans[:, 0] - first[row], spans[:, 1] - first[row]
        rows.append(row + lo)
        starts.append(start)
        ends.append(end)
    if not rows:
        return (*(np.zeros(0, dtype=np.int64) for _ in range(3)), [])
    return np.concatenate(rows), np.concatenate(starts), np.concatenate(ends), matched


def mentions(source, *, gazetteer: str | Path = GAZETTEER_FILE) -> pd.DataFrame:
    """Every mention of a gazetteer actor, one row per match (longest alias first).

    Parameters
    ----------
    source : analysis.corpus.Corpus or pandas.DataFrame
        A corpus (its ``sentences`` are searched) or a table with ``article_id`` and ``text``
        (optionally ``paragraph``, ``sentence``), one row per unit.
    gazetteer : str or pathlib.Path
        Gazetteer file.

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``paragraph``, ``sentence`` (<NA> if not given), ``start``, ``end``
        (offsets in the unit text), ``actor``, ``actor_type``, ``country``, ``alias`` (the
        gazetteer alias, canonical form) and ``matched`` (the text as written); sorted by unit
        and position.
    """
    units = source.sentences if hasattr(source, "sentences") else source
    if not isinstance(units, pd.DataFrame) or not {"article_id", "text"} <= set(units.columns):
        raise ValueError("mentions: give a Corpus or a DataFrame with article_id and text columns")
    rx, table = _compiled(str(Path(gazetteer).resolve()))
    units = units.reset_index(drop=True)
    row, start, end, matched = _matches(rx, units["text"].fillna("").astype("str").tolist())
    # the few distinct matched strings are looked up once each, then taken for every match
    codes, uniq = pd.factorize(pd.Series(matched, dtype=object), sort=False)
    alias = pd.Index([_canonical(m) for m in uniq], dtype="str")
    info = table.loc[alias, ["actor", "actor_type", "country"]]
    keys = [c for c in ("article_id", "paragraph", "sentence") if c in units.columns]
    meta = units[keys].iloc[row].reset_index(drop=True)  # not the texts
    out = pd.DataFrame({"article_id": meta["article_id"].astype("str")})
    for key in ("paragraph", "sentence"):
        out[key] = meta[key].to_numpy() if key in meta else pd.NA
    out["start"], out["end"] = start, end
    for column in ("actor", "actor_type", "country"):
        out[column] = pd.array(info[column].to_numpy(dtype=object), dtype="str").take(codes)
    out["alias"] = pd.array(alias).take(codes)
    out["matched"] = pd.array(uniq.to_numpy(dtype=object), dtype="str").take(codes)
    out = out.astype({"paragraph": "Int64", "sentence": "Int64"})
    out = out.sort_values(["article_id", "paragraph", "sentence", "start"], kind="stable")
    return out[MENTION_COLUMNS].reset_index(drop=True)


def mention_table(
    mentions_df: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    by: str = "outlet",
    gazetteer: str | Path = GAZETTEER_FILE,
    units=None,
) -> pd.DataFrame:
    """Mentions per actor and group (long table).

    Parameters
    ----------
    mentions_df : pandas.DataFrame
        From :func:`mentions`.
    articles : pandas.DataFrame
        The corpus articles (``article_id``, ``by`` and ``n_words``).
    by : str, default "outlet"
        Article column to group by (``"outlet"``, ``"outlet_group"``, ``"article_id"``).
    gazetteer : str or pathlib.Path
        For ``actor_type`` and ``country`` of every actor.
    units : pandas.DataFrame, optional
        From :func:`analysis.stats.independent_units`: an article with ``c`` near-duplicate
        copies weighs ``1 / c`` in ``mentions`` and ``words_in_group`` (which may then be
        fractional), and ``articles`` / ``articles_in_group`` count independent articles, so
        copies of one story count once.

    Returns
    -------
    pandas.DataFrame
        One row per (actor mentioned at least once, group): ``actor``, ``actor_type``,
        ``country``, ``by``, ``mentions``, ``articles`` (articles of the group mentioning the
        actor), ``articles_in_group``, ``words_in_group``, ``per_1000_words``; sorted by actor
        then group. Groups where an actor is absent have 0.
    """
    from .stats import as_counts, unit_weights

    need = ["article_id", by, "n_words"] if by != "article_id" else ["article_id", "n_words"]
    missing = [c for c in need if c not in articles.columns]
    if missing:
        raise ValueError(f"mention_table: articles lack column(s) {missing}")
    arts = articles[list(dict.fromkeys(need))].copy()
    arts["article_id"] = arts["article_id"].astype("str")
    aw = unit_weights(arts["article_id"], units)
    arts["_w"], arts["_unit"] = aw["weight"].to_numpy(), aw["unit_id"].to_numpy()
    arts["_words"] = arts["n_words"] * arts["_w"]
    groups = arts.groupby(by, sort=True).agg(
        articles_in_group=("_unit", "nunique"), words_in_group=("_words", "sum")
    )
    gaz = read_gazetteer(gazetteer).set_index("actor")[["actor_type", "country"]]
    m = mentions_df.merge(
        arts[list(dict.fromkeys(["article_id", by, "_w", "_unit"]))].drop_duplicates("article_id"),
        on="article_id", how="inner"
    )
    counts = m.groupby(["actor", by]).agg(mentions=("_w", "sum"), articles=("_unit", "nunique"))
    actors = sorted(m["actor"].unique().tolist())
    full = pd.MultiIndex.from_product([actors, groups.index], names=["actor", by])
    out = counts.reindex(full, fill_value=0).reset_index()
    out = out.merge(groups.reset_index(), on=by, how="left")
    out = out.merge(gaz, left_on="actor", right_index=True, how="left")
    words = out["words_in_group"].astype(float)
    out["per_1000_words"] = np.where(
        words > 0, 1000 * out["mentions"] / words.where(words > 0, 1), 0
    )
    cols = [
        "actor",
        "actor_type",
        "country",
        by,
        "mentions",
        "articles",
        "articles_in_group",
        "words_in_group",
        "per_1000_words",
    ]
    out = out[cols].astype({"articles": "int64", "articles_in_group": "int64"})
    out["mentions"] = as_counts(out["mentions"].astype(float))
    out["words_in_group"] = as_counts(out["words_in_group"].astype(float))
    return out.sort_values(["actor", by], kind="stable").reset_index(drop=True)


def mention_matrix(
    table: pd.DataFrame, *, value: str = "mentions", by: str = "outlet", top: int | None = None
) -> pd.DataFrame:
    """Actors x groups matrix of one column of :func:`mention_table`, most mentioned first.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`mention_table`.
    value : str, default "mentions"
    by : str, default "outlet"
    top : int, optional
        Keep the ``top`` actors with the most mentions overall (ties alphabetical).

    Returns
    -------
    pandas.DataFrame
        Index ``actor``, one column per group.
    """
    wide = table.pivot(index="actor", columns=by, values=value).fillna(0)
    totals = table.groupby("actor", as_index=False)["mentions"].sum()
    order = totals.sort_values(["mentions", "actor"], ascending=[False, True], kind="stable")
    return wide.loc[order["actor"].head(top) if top else order["actor"]]


def alias_usage(
    mentions_df: pd.DataFrame, articles: pd.DataFrame, actor: str, *, by: str = "outlet"
) -> pd.DataFrame:
    """How each group names one actor: mentions per alias and group.

    Parameters
    ----------
    mentions_df : pandas.DataFrame
        From :func:`mentions`.
    articles : pandas.DataFrame
        ``article_id`` and ``by``.
    actor : str
        A gazetteer actor, e.g. ``"Xi Jinping"``.
    by : str, default "outlet"

    Returns
    -------
    pandas.DataFrame
        Index = aliases used (most used first), columns = groups, values = mentions.
    """
    m = mentions_df[mentions_df["actor"] == actor].merge(
        articles[["article_id", by]].astype({"article_id": "str"}), on="article_id"
    )
    wide = m.groupby(["alias", by]).size().unstack(by, fill_value=0)
    total = wide.sum(axis=1)
    order = sorted(wide.index, key=lambda a: (-int(total[a]), a))
    return wide.loc[order].sort_index(axis=1)


def plot_heatmap(
    table: pd.DataFrame,
    *,
    value: str = "per_1000_words",
    by: str = "outlet",
    top: int = 20,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Heatmap of actors (rows, most mentioned first) by group (columns).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`mention_table`.
    value : str, default "per_1000_words"
        Column shown (and annotated) in each cell.
    by : str, default "outlet"
    top : int, default 20
        Actors with the most mentions overall.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    wide = mention_matrix(table, value=value, by=by, top=top)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 + 1.3 * max(wide.shape[1], 1), 0.35 * len(wide) + 1.5))
    im = ax.imshow(wide.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    if "articles_in_group" in table.columns:  # the articles behind each column
        n_art = table.groupby(by)["articles_in_group"].first()
        ax.set_xticks(range(wide.shape[1]), [f"{c} ({int(n_art.get(c, 0))} art.)" for c in wide.columns],
                      rotation=30, ha="right")
    else:
        ax.set_xticks(range(wide.shape[1]), [str(c) for c in wide.columns], rotation=30, ha="right")
    ax.set_yticks(range(len(wide)), wide.index.tolist())
    ax.set_xlabel(by.replace("_", " ") + (" (independent articles)" if "articles_in_group" in table.columns
                                          else ""))
    ax.set_ylabel("actor (gazetteer)")
    vmax = float(wide.to_numpy().max()) if wide.size else 0.0
    for (i, j), v in np.ndenumerate(wide.to_numpy(dtype=float)):
        ax.text(
            j,
            i,
            f"{v:.1f}" if value != "mentions" else f"{v:.0f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if v > 0.6 * vmax else "black",
        )
    ax.figure.colorbar(im, ax=ax, label={"per_1000_words": "mentions per 1,000 words",
                                         "mentions": "mentions (count)"}.get(value, value.replace("_", " ")))
    return ax
