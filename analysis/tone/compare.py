"""Tone by article, group, voice and topic: estimates, two-group comparison, exemplars.

Every article-level function takes ``units=`` (:func:`analysis.stats.independent_units`): copies
of one syndicated story then count as one independent article, and the output says how many
articles they stand for. :func:`comparison_table` is the exported ``tone_comparison.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import stats, timeline
from ..config import CHINESE_STATE, INTERNATIONAL, N_BOOT, RANDOM_STATE
from ..stats.units import _concurrently
from .score import _KEYS, _THREADED_MIN


def article_tone(table: pd.DataFrame, *, value: str = "tone") -> pd.DataFrame:
    """Mean ``value`` per article: all sentences, own voice and quoted speech.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    value : str, default "tone"

    Returns
    -------
    pandas.DataFrame
        One row per article: ``article_id``, ``outlet``, ``outlet_group``, ``genre``,
        ``n_sentences``, ``n_quoted``, ``all``, ``own``, ``reported``, ``quoted`` (NaN when an
        article has no sentence of that voice).
    """
    keys = ["article_id", "outlet", "outlet_group", "genre"]
    base = table[keys + [value]].assign(_quoted=table["voice"].eq("quoted").fillna(False).to_numpy(dtype="int64")).groupby(
        keys, sort=True, dropna=False).agg(
        n_sentences=(value, "size"), n_quoted=("_quoted", "sum"), all=(value, "mean"),
    )
    by_voice = table.pivot_table(index="article_id", columns="voice", values=value, aggfunc="mean")
    out = base.reset_index()
    for v in VOICES[1:]:
        out[v] = out["article_id"].map(by_voice[v]) if v in by_voice else np.nan
    return out


#: The voices compared: all sentences, then the outlet's own voice, reported speech and direct
#: quotation separately (``mixed`` sentences count in ``all`` only). See :mod:`analysis.voice`.
VOICES = ("all", "own", "reported", "quoted")



def _voice_rows(table: pd.DataFrame, voice: str) -> pd.DataFrame:
    return table if voice == "all" else table[table["voice"] == voice]


def _columns(table: pd.DataFrame, *names: str | None) -> pd.DataFrame:
    """Only the named columns of ``table`` (those it has), so that selecting a voice's or an
    event's rows does not copy the sentence texts and the other columns each time."""
    keep = list(dict.fromkeys(n for n in names if n is not None and n in table.columns))
    return table[keep]


def group_estimates(
    table: pd.DataFrame,
    *,
    by: str = "outlet",
    value: str = "tone",
    voices: tuple[str, ...] = VOICES,
    units: pd.DataFrame | None = None,
    n_boot: int = N_BOOT,
    random_state: int = RANDOM_STATE,
) -> pd.DataFrame:
    """Mean ``value`` per group and voice, each article counting once, with article-bootstrap intervals.

    With ``units`` copies of one story count once. A group with fewer than
    :data:`analysis.config.MIN_CLUSTERS` independent articles gets the range of its articles
    instead of a bootstrap interval (``interval_kind`` says which).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    by : str, default "outlet"
        Grouping column (``outlet``, ``outlet_group``, ``genre``).
    value : str, default "tone"
    voices : tuple of str
        ``"all"``, ``"own"``, ``"quoted"``.
    units : pandas.DataFrame, optional
        From :func:`analysis.stats.independent_units`.
    n_boot, random_state
        As in :func:`analysis.stats.cluster_bootstrap`.

    Returns
    -------
    pandas.DataFrame
        ``voice``, ``by`` column, ``n_clusters`` (independent articles), ``n_articles``
        (articles they stand for), ``n_units`` (sentences), ``estimate``, ``ci_low``,
        ``ci_high``, ``interval_kind`` (``"95% bootstrap"``, ``"range of articles"``, or
        ``"none (one article)"`` with NaN bounds).
    """
    table = _columns(table, "article_id", "voice", by, value)
    rows_of = {voice: _voice_rows(table, voice) for voice in voices}
    rows_of = {voice: rows for voice, rows in rows_of.items() if not rows.empty}
    tasks = [lambda rows=rows: stats.cluster_bootstrap(
        rows, value, cluster="article_id", group=by, units=units, n_boot=n_boot,
        random_state=random_state) for rows in rows_of.values()]
    # each voice's bootstrap has its own generator: two at a time on a large corpus
    ests = _concurrently(tasks, threads=len(table) >= _THREADED_MIN, random_state=random_state)
    parts = [est.assign(voice=voice) for voice, est in zip(rows_of, ests, strict=True)]
    cols = ["voice", by, "n_clusters", "n_articles", "n_units", "estimate", "ci_low", "ci_high",
            "interval_kind"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def compare_groups(
    table: pd.DataFrame,
    *,
    by: str = "outlet_group",
    groups: tuple[str, str] = (CHINESE_STATE, INTERNATIONAL),
    value: str = "tone",
    voices: tuple[str, ...] = VOICES,
    units: pd.DataFrame | None = None,
    n_boot: int = N_BOOT,
    random_state: int = RANDOM_STATE,
    max_hits: int | None = stats.MAX_HITS,
) -> tuple[pd.DataFrame, list[str]]:
    """Article-level comparison of two groups for each voice; notes instead of errors.

    For each voice: difference in means (``groups[0] - groups[1]``, each article counting once)
    with a stratified article bootstrap interval, the exact (or sequential Monte Carlo)
    article-level permutation p-value with the smallest attainable p, Hedges' g and Cliff's delta with
    intervals (:func:`analysis.stats.compare_two_groups`). With ``units`` copies of one story
    count once (``n_a``/``n_b`` are independent articles, ``n_copies_a``/``n_copies_b`` the
    articles they stand for); below five per group the difference's bounds are the range of
    the articles (``interval_kind``), and ``mdd`` is the minimum detectable difference.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    by : str, default "outlet_group"
    groups : tuple of str
    value : str, default "tone"
    voices : tuple of str
    units : pandas.DataFrame, optional
        From :func:`analysis.stats.independent_units`.
    n_boot, random_state
        Bootstrap settings.
    max_hits : int or None, default :data:`analysis.stats.MAX_HITS` (100)
        When the permutation test is Monte Carlo (more than 100,000 distinct relabellings), stop
        once this many relabellings were at least as extreme as the observed difference:
        Besag & Clifford's (1991) sequential p-value, ``max_hits / L`` after ``L`` relabellings
        (column ``n_relabelings``), a valid test with about 10 % relative Monte Carlo error; it
        never stops for p below ``max_hits / 10000``. None draws all 10,000 relabellings.

    Returns
    -------
    comparison : pandas.DataFrame
        One row per voice that could be compared (columns of
        :func:`analysis.stats.compare_two_groups` plus ``voice``); empty if none.
    notes : list of str
        Why a voice (or the whole comparison) could not be made, e.g. a corpus with one
        outlet group only.
    """
    rows, notes = [], []
    present = sorted(map(str, table[by].dropna().unique()))
    table = _columns(table, "article_id", "voice", by, value)
    for voice in voices:
        sub = _voice_rows(table, voice)
        if sub.empty and len(present) >= 2:
            notes.append(f"No {voice} sentences in the corpus: nothing to compare in that voice.")
            continue
        try:
            res = stats.compare_two_groups(sub, value, by, groups=groups, cluster="article_id",
                                           units=units, n_boot=n_boot, random_state=random_state,
                                           max_hits=max_hits)
        except stats.ComparisonError as exc:
            if len(present) < 2:
                notes.append(
                    f"No comparison: the corpus has only one {by} ({', '.join(present) or 'none'}), "
                    "so there is nothing to compare it with."
                )
                break
            notes.append(f"{voice} voice: {exc}")
            continue
        rows.append({"voice": voice, **res})
    return pd.DataFrame(rows), notes


#: Columns of ``tone_comparison.csv`` (:func:`comparison_table`), documented in data/README.md.
COMPARISON_COLUMNS = [
    "voice", "event", "group_a", "group_b", "n_a", "n_b", "n_copies_a", "n_copies_b", "mean_a",
    "mean_b", "diff", "diff_low", "diff_high", "interval_kind", "p_perm", "p_exact", "min_p",
    "n_relabelings", "mdd", "note",
]
#: ``event`` of the rows over all articles and of the event-stratified (fixed-effects) rows.
POOLED, WITHIN_EVENTS = "all (pooled)", "within events (fixed effects)"
NO_EVENT = "(no event)"


def add_events(
    table: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    max_days: int = 7,
    vocabulary: bool = True,
    column: str = "event",
) -> pd.DataFrame:
    """Add the news event each sentence's article reports (date window and vocabulary).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table` (``article_id``).
    articles : pandas.DataFrame
        ``Corpus.articles`` (``article_id``, ``published``).
    events : pandas.DataFrame, optional
        From :func:`analysis.timeline.load_events`; default the bundled
        ``analysis/data/events.csv``.
    max_days : int, default 7
        As in :func:`analysis.timeline.assign_events`: an article matches an event within
        ``max_days`` of its date whose vocabulary (``keywords``) its headline or text uses;
        the nearest such event wins.
    vocabulary : bool, default True
        False matches by date only.
    column : str, default "event"

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``column``: the event's label, or ``"(no event)"`` when no event
        matches (none within ``max_days``, none whose words the article uses, or no date).
    """
    events = timeline.load_events() if events is None else events
    labels = timeline.assign_events(articles, events, max_days=max_days, vocabulary=vocabulary)
    by_article = pd.Series(labels.to_numpy(dtype=object), index=articles["article_id"].astype(str))
    mapped = table["article_id"].astype(str).map(by_article)
    return table.assign(**{column: mapped.where(mapped.notna(), NO_EVENT).astype(str)})


def _row(voice: str, event: str, res: dict, note: str = "") -> dict:
    return {"voice": voice, "event": event, **{k: res.get(k) for k in COMPARISON_COLUMNS[2:-1]},
            "note": note}


def _event_rows(sub, value, by, groups, units, strata, voice, n_boot, random_state,
                max_hits) -> list[dict]:
    """The within-events row and one row per event for one voice."""
    per, summ = stats.stratified_comparison(sub, value, by, strata=strata, groups=groups,
                                            units=units, random_state=random_state,
                                            max_hits=max_hits)
    shared = per[per["weight"] > 0]
    fe = {**summ, "diff_low": shared["diff"].min() if len(shared) else np.nan,
          "diff_high": shared["diff"].max() if len(shared) else np.nan,
          "interval_kind": ("range of events" if len(shared) > 1 else
                            "none (one event)" if len(shared) else "none (no shared event)")}
    rows = [_row(voice, WITHIN_EVENTS, fe, summ["note"])]
    by_event = sub.groupby(sub[strata].astype(str), sort=False)  # rows in their order, as a mask
    for event in per["stratum"]:
        part = by_event.get_group(event) if event in by_event.groups else sub.iloc[:0]
        try:
            res = stats.compare_two_groups(part, value, by, groups=groups, units=units,
                                           n_boot=n_boot, random_state=random_state,
                                           max_hits=max_hits, effects=False)
            rows.append(_row(voice, event, res))
        except stats.ComparisonError:
            r = per[per["stratum"] == event].iloc[0]
            only = groups[0] if r["n_a"] else groups[1]
            rows.append(_row(voice, event, {**r.drop(["stratum", "diff", "weight"]).to_dict(),
                                            "group_a": groups[0], "group_b": groups[1],
                                            "interval_kind": "none (one group only)"},
                             f"only {only} covered this event: no comparison"))
    return rows


def comparison_table(
    table: pd.DataFrame,
    *,
    by: str = "outlet_group",
    groups: tuple[str, str] = (CHINESE_STATE, INTERNATIONAL),
    value: str = "tone",
    voices: tuple[str, ...] = VOICES,
    units: pd.DataFrame | None = None,
    strata: str | None = None,
    n_boot: int = N_BOOT,
    random_state: int = RANDOM_STATE,
    max_hits: int | None = stats.MAX_HITS,
    pooled: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The two-group tone comparison as one table (``tone_comparison.csv``).

    Per voice: a row over all articles (``event = "all (pooled)"``,
    :func:`analysis.stats.compare_two_groups`); with ``strata`` also a row comparing the
    groups within events (``"within events (fixed effects)"``,
    :func:`analysis.stats.stratified_comparison`: the mean of the within-event differences
    weighted by independent articles, permutation within events; its bounds are the range of
    the per-event differences) and one row per event.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`; with ``strata``, from :func:`add_events`.
    by, groups, value, voices, units, n_boot, random_state, max_hits
        As in :func:`compare_groups`.
    strata : str, optional
        Column naming each sentence's event (``"event"`` after :func:`add_events`).
    pooled : pandas.DataFrame, optional
        The comparison :func:`compare_groups` already made of the same ``table`` (without the
        event column) with the same ``by``, ``groups``, ``value``, ``units``, ``n_boot``,
        ``random_state`` and ``max_hits``: its rows are taken as the pooled rows instead of
        being computed again (they would be identical). Voices it lacks are computed.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS` (see data/README.md); ``note`` says in words why a
        row has no comparison (e.g. one group only, no shared event). The table has no effect
        sizes, so they are not computed (``compare_two_groups(..., effects=False)``).
    """
    done = {}
    if pooled is not None and len(pooled):
        missing = [c for c in ["voice", *COMPARISON_COLUMNS[2:-1]] if c not in pooled.columns]
        if missing:
            raise ValueError(f"comparison_table: pooled lacks columns {missing}; pass the "
                             "comparison returned by tone.compare_groups")
        wrong = pooled[(pooled["group_a"] != groups[0]) | (pooled["group_b"] != groups[1])]
        if len(wrong):
            raise ValueError(f"comparison_table: pooled compares {wrong['group_a'].iloc[0]!r} with "
                             f"{wrong['group_b'].iloc[0]!r}, not {groups[0]!r} with {groups[1]!r}; "
                             "pass the comparison of the same groups")
        done = {r["voice"]: r for r in pooled.to_dict("records")}
    rows = []
    table = _columns(table, "article_id", "voice", by, value, strata)
    for voice in voices:
        sub = _voice_rows(table, voice)
        try:
            res = done.get(voice) or stats.compare_two_groups(
                sub, value, by, groups=groups, units=units, n_boot=n_boot,
                random_state=random_state, max_hits=max_hits, effects=False)
        except (stats.ComparisonError, KeyError) as exc:
            rows.append(_row(voice, POOLED, {"group_a": groups[0], "group_b": groups[1]},
                             f"no comparison: {exc}"))
            continue
        rows.append(_row(voice, POOLED, res))
        if strata is not None:
            rows.extend(_event_rows(sub, value, by, groups, units, strata, voice, n_boot,
                                    random_state, max_hits))
    counts = ["n_a", "n_b", "n_copies_a", "n_copies_b", "n_relabelings"]
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS).astype({c: "Int64" for c in counts})


def tone_by_topic(table: pd.DataFrame, topics: pd.DataFrame | None, *, by: str = "outlet",
                  value: str = "tone") -> pd.DataFrame | None:
    """Mean ``value`` per topic and group, joining topic assignments on article + paragraph.

    The topic is the codebook topic (``codebook_topic``, the suite's measurement, notebook 03)
    when the assignments carry it; otherwise the exploratory k-means cluster (``topic``,
    ``topic_label``), as in exports written before the codebook classifier.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    topics : pandas.DataFrame or None
        Notebook 03's export (:func:`read_topics`): ``article_id, paragraph`` and
        ``codebook_topic``, or ``topic, topic_label``. None gives None.
    by : str, default "outlet"
    value : str, default "tone"

    Returns
    -------
    pandas.DataFrame or None
        ``topic``, ``topic_label`` (the category again for codebook topics), ``scheme``
        (``"codebook"`` or ``"k-means"``), ``by``, ``n_articles``, ``n_sentences``, ``mean``;
        sorted by topic then group.
    """
    if topics is None or topics.empty:
        return None
    if "codebook_topic" in topics.columns:
        t = topics[["article_id", "paragraph", "codebook_topic"]].assign(
            topic=lambda d: d["codebook_topic"].astype(str),
            topic_label=lambda d: d["codebook_topic"].astype(str), scheme="codebook")
    else:
        t = topics[["article_id", "paragraph", "topic", "topic_label"]].assign(scheme="k-means")
    t = t[["article_id", "paragraph", "topic", "topic_label", "scheme"]].astype({"article_id": str})
    joined = table.merge(t, on=["article_id", "paragraph"], how="inner", validate="many_to_one")
    out = joined.groupby(["topic", "topic_label", "scheme", by], sort=True).agg(
        n_articles=("article_id", "nunique"), n_sentences=(value, "size"), mean=(value, "mean")
    )
    return out.reset_index()


def exemplars(table: pd.DataFrame, *, by: str = "outlet", value: str = "tone", n: int = 2) -> pd.DataFrame:
    """Most positive and most negative sentences of each group, with their neighbours.

    Only strictly positive (negative) sentences qualify as positive (negative) exemplars.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table` (sorted by article and sentence).
    by : str, default "outlet"
    value : str, default "tone"
    n : int, default 2
        Exemplars per group and direction.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``direction`` (``most positive`` / ``most negative``), ``article_id``,
        ``sentence``, ``voice``, ``value``, ``previous``, ``text``, ``next``.
    """
    # The few columns it shows, in reading order; the neighbours' texts only for the exemplars.
    t = table[list(dict.fromkeys([*_KEYS, by, value, "voice", "text"]))]
    t = t.sort_values(_KEYS, kind="stable").reset_index(drop=True)
    slim = t[[by, value, "article_id", "sentence"]]
    parts = []
    for direction, sign in (("most positive", 1), ("most negative", -1)):
        pool = slim[np.sign(slim[value]) == sign].assign(_key=lambda d, s=sign: -s * d[value])
        pool = pool[_top_candidates(pool[by], pool["_key"].to_numpy(), n)]  # few rows to sort
        pool = pool.sort_values([by, "_key", "article_id", "sentence"], kind="stable")
        pos = pool.groupby(by, sort=True).head(n).index.to_numpy()
        parts.append(t.iloc[pos].assign(direction=direction, previous=_neighbour(t, pos, -1),
                                        next=_neighbour(t, pos, 1)))
    cols = [by, "direction", "article_id", "sentence", "voice", "value", "previous", "text", "next"]
    out = pd.concat(parts, ignore_index=True).rename(columns={value: "value"})
    return out.sort_values([by, "direction", "value"], ascending=[True, False, False], kind="stable")[cols].reset_index(drop=True)


def _top_candidates(groups: pd.Series, key: np.ndarray, n: int) -> np.ndarray:
    """The rows that can be among the ``n`` smallest ``key`` of their group: those at or below
    the group's ``n``-th smallest key (ties included; rows of a missing group are all kept).

    Sorting only these gives the same first ``n`` rows per group as sorting all of them.
    """
    codes = pd.factorize(groups)[0]
    keep = codes < 0
    if n < 1 or keep.all():
        return np.ones(len(codes), dtype=bool)
    valid = np.flatnonzero(~keep)
    order = valid[np.lexsort((key[valid], codes[valid]))]
    sorted_codes, sorted_keys = codes[order], key[order]
    first = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[first, len(order)])
    nth = np.full(codes.max() + 1, -np.inf)
    nth[sorted_codes[first]] = sorted_keys[first + np.minimum(n, sizes) - 1]
    return keep | (key <= nth[np.maximum(codes, 0)])


def _neighbour(t: pd.DataFrame, pos: np.ndarray, step: int) -> list:
    """Text of the sentence ``step`` places from each of the rows ``pos`` of ``t`` (sorted in
    reading order), or "" when that sentence is of another article or there is none."""
    other = pos + step
    ok = (other >= 0) & (other < len(t))
    other = np.where(ok, other, pos)
    ids = t["article_id"]  # only the rows compared, not the whole column, as numpy
    same = ok & (ids.iloc[other].to_numpy() == ids.iloc[pos].to_numpy())
    return t["text"].iloc[other].reset_index(drop=True).where(same, "").tolist()


def read_topics(processed: str | Path, *, corpus=None, text: bool = True) -> pd.DataFrame | None:
    """Notebook 03's paragraph topic assignments, or None when they have not been exported.

    Parameters
    ----------
    processed : str or pathlib.Path
        The ``data/processed`` folder (``OutputPaths.processed``).
    corpus : analysis.corpus.Corpus, optional
        When given, the table is read only if notebook 03 wrote it for this corpus
        (:func:`analysis.outputs.read_current`); a table of another run gives None.
    text : bool, default True
        Read the paragraphs' ``text`` column too; False skips it (the column holds most of
        the file's bytes: at 10^5 articles, hundreds of MB that tone-by-topic never uses).

    Returns
    -------
    pandas.DataFrame or None
        ``paragraph_topics.csv`` with ``article_id`` as str: the k-means columns ``topic,
        topic_label`` and, when written by the current notebook 03, the codebook columns
        ``codebook_topic``, ``codebook_secondary``, ``codebook_probability``, ``p_<category>``.
    """
    from ..outputs import read_current

    path = Path(processed) / "paragraph_topics.csv"
    if not path.is_file():
        return None
    options = {"dtype": {"article_id": str}}
    if not text:
        options["usecols"] = lambda column: column != "text"
    if corpus is None:
        df = pd.read_csv(path, **options)
    else:
        df = read_current(path, corpus, **options)
        if df is None:
            return None
    need = {"article_id", "paragraph", "topic", "topic_label"}
    if not need <= set(df.columns):
        raise ValueError(f"read_topics: {path.name} lacks columns {sorted(need - set(df.columns))}; "
                         "export it with notebook 03 (paragraph_topics.csv)")
    return df


def paragraph_topics(corpus, processed: str | Path) -> tuple[pd.DataFrame, str]:
    """The codebook topic of every paragraph: notebook 03's export if current, else computed.

    Reuses ``paragraph_topics.csv`` when notebook 03 wrote it for this corpus (same run);
    otherwise (absent, or written for another corpus) assigns the codebook topics here
    with :func:`analysis.topics.assign_topics`, the function notebook 03 calls, so the
    result is the same either way.

    Parameters
    ----------
    corpus : analysis.corpus.Corpus
    processed : str or pathlib.Path
        The ``data/processed`` folder of the run (``OutputPaths.processed``).

    Returns
    -------
    topics : pandas.DataFrame
        ``article_id, paragraph, codebook_topic`` (plus notebook 03's other columns when
        read), for :func:`tone_by_topic`.
    source : str
        One sentence saying where the topics came from.
    """
    table = read_topics(processed, corpus=corpus, text=False)
    if table is not None and "codebook_topic" in table.columns:
        return table, ("Codebook topics read from paragraph_topics.csv, which notebook 03 "
                       "wrote for this corpus.")
    from ..topics import assign_topics

    assigned = assign_topics(corpus)
    table = assigned[["article_id", "paragraph", "topic"]].rename(columns={"topic": "codebook_topic"})
    return table.astype({"article_id": str}), (
        "Codebook topics assigned here (no paragraph_topics.csv of this corpus from notebook 03).")
