"""Synthetic corpora of any size, resampled from the bundled articles, for benchmarks and tests.

This is test data, not a pipeline stage: the generator reads the raw bundled files
(``data/raw/articles/*.txt``) directly and never goes through :mod:`analysis.corpus`.

How an article is made
----------------------
1. The raw files are split into lines; every non-empty line is one *template paragraph*.
   Lines of at least :data:`BODY_MIN_WORDS` words are *body* paragraphs, shorter ones are
   *short* lines (sub-headings and the site chrome of the seeds, such as "CHOOSE YOUR
   LANGUAGE" or "(Cover via VCG)", which the cleaning stage has to remove).
2. Extra *quote* templates are built from the first sentence of body paragraphs, attributed
   to a speaker in the forms ``"...," said X.`` and ``X said, "..."``.
3. Each article draws ``Poisson(words_per_article / mean template length)`` paragraphs
   (at least 2): body paragraphs mostly, quote templates with probability ``quote_rate``
   and short lines with probability ``short_rate``.
4. About ``perturb_rate`` of the words are replaced; the punctuation and spacing around each
   word is kept, so quotation marks, sentence ends and paragraph breaks survive. With
   ``vocabulary="bundled"`` the replacements are words of the bundled articles drawn with
   their corpus frequency, so the vocabulary stops growing at about 2,700 word types
   whatever the size. With ``vocabulary="heaps"`` (the benchmark's corpora) they come from
   an open-ended vocabulary that grows with the corpus as real text does (Heaps' law): with
   probability :data:`NAME_SHARE` a capitalised name or place (:func:`names`, Zipfian
   ranks ``p(r) ~ 1 / (r + NAME_ZIPF_OFFSET) ** NAME_ZIPF_EXPONENT``), otherwise an English
   word drawn with its frequency in ``wordfreq``'s "large" English list (itself Zipfian;
   about 308,000 words; the package's data ship in its wheel, so nothing is downloaded).
   A replacement of a capitalised word is capitalised. With the defaults (600 words per
   article, ``perturb_rate=0.10``) a corpus of 1,000 / 10,000 / 100,000 articles has about
   15,000 / 67,000 / 283,000 word types after the suite's normalisation (``Tokens``), a
   Heaps exponent of about 0.63, as in news text; ``benchmarks/corpora.csv`` has the counts.
5. Outlets (``n_outlets``, alternately ``international`` and ``chinese_state``, with
   unequal sizes), dates (uniform between ``start`` and ``end``) and genres are drawn at
   random; the headline is the first words of the article.

Everything is vectorised over token-id arrays with numpy; the texts are gathered as UTF-8
bytes (each token's word, then the punctuation and spacing after it) per block of :data:`BLOCK` articles and become one Arrow string column. Each block has its own random stream
derived from ``random_state``, so the first ``n`` articles of a larger corpus are exactly the
corpus of ``n`` articles (same seed), and the result does not depend on the machine.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._checks import check_one_of
from .config import OUTLET_GROUPS, RAW_DIR

#: Folder of the bundled corpus (``articles/*.txt`` and ``manifest.csv``).
DEFAULT_RAW = RAW_DIR

#: Lines with at least this many words are body paragraphs; shorter ones are short lines.
BODY_MIN_WORDS = 12

#: Articles generated per block (one random stream per block).
BLOCK = 2000

#: Speakers of the synthetic quotes (people the bundled articles quote, plus a few more).
SPEAKERS = (
    "Wang Yi",
    "Xi Jinping",
    "Donald Trump",
    "Marco Rubio",
    "Guo Jiakun",
    "Diao Daming",
    "Wei Zongyou",
    "Gary Hufbauer",
    "Su Xiaohui",
    "Chen Binhua",
    "Lin Jian",
    "Mao Ning",
    "Scott Bessent",
    "Jamieson Greer",
    "He Lifeng",
    "a senior administration official",
)

#: Where replacement words come from (see the module docstring).
VOCABULARIES = ("bundled", "heaps")

#: ``vocabulary="heaps"``: share of the replacement words that are names and places.
NAME_SHARE = 0.15
#: ``vocabulary="heaps"``: Zipf exponent and rank offset of the names' frequencies.
NAME_ZIPF_EXPONENT = 1.1
NAME_ZIPF_OFFSET = 20
#: ``vocabulary="heaps"``: the wordfreq list (language, list name); only words of ASCII
#: letters with inner apostrophes or hyphens are used.
WORDFREQ_LIST = ("en", "large")
#: Syllables the names and places are made of (two or three per name).
NAME_SYLLABLES = (
    "an", "bai", "bao", "bei", "bin", "cai", "chang", "chen", "cheng", "chun", "da", "dong",
    "fang", "feng", "gang", "gao", "guo", "hai", "han", "hong", "hua", "hui", "jia", "jian",
    "jin", "jun", "kai", "kang", "lan", "lei", "li", "lian", "lin", "ling", "long", "lu",
    "mei", "ming", "nan", "ning", "ping", "qing", "rong", "shan", "sheng", "shu", "tai",
    "tian", "wei", "wen", "xia", "xin", "xiu", "yan", "yang", "yi", "ying", "yong", "yu",
    "yuan", "yun", "zhen", "zhi", "zhong", "zhou", "al", "ber", "bridge", "brook", "burg",
    "car", "dale", "del", "don", "el", "field", "ford", "gar", "ham", "har", "ken", "land",
    "lee", "mar", "mont", "mor", "nor", "ol", "ridge", "ros", "son", "stan", "ter", "ton",
    "val", "ville", "wood", "wyn", "ar", "ves",
)

GENRES = ("news", "analysis", "opinion")
GENRE_WEIGHTS = (0.6, 0.25, 0.15)
GROUPS = OUTLET_GROUPS

#: A word: letters/digits, with inner apostrophes, hyphens and dots ("China's", "win-win", "U.S").
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
_FIRST_SENTENCE = re.compile(r"^(.{40,300}?[a-z0-9])[.!?](?:\s|$)")
_PARAGRAPH_BREAK = "\n\n"


def _read_raw_lines(raw_dir: Path) -> list[str]:
    files = sorted((raw_dir / "articles").glob("*.txt"))
    if not files:
        raise FileNotFoundError(
            f"make_synthetic_corpus: no .txt files in {raw_dir / 'articles'} (the generator "
            "resamples the bundled corpus); pass raw_dir= pointing to a folder with an articles/ subfolder."
        )
    lines: list[str] = []
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines.extend(line.strip() for line in text.split("\n") if line.strip())
    return lines


def _quote_templates(body: list[str]) -> list[str]:
    out = []
    for i, paragraph in enumerate(body):
        match = _FIRST_SENTENCE.match(paragraph)
        if match is None or "“" in match.group(1) or '"' in match.group(1):
            continue
        sentence = match.group(1)
        speaker = SPEAKERS[i % len(SPEAKERS)]
        if i % 2:
            out.append(f"“{sentence},” said {speaker}.")
        else:
            out.append(f"{speaker[0].upper()}{speaker[1:]} said, “{sentence}.”")
    return out


class _Pool:
    """Template paragraphs as token-id arrays (one word id and one gap id per token)."""

    def __init__(self, raw_dir: Path):
        lines = _read_raw_lines(raw_dir)
        n_words = np.array([len(_WORD.findall(line)) for line in lines])
        body = [line for line, n in zip(lines, n_words, strict=True) if n >= BODY_MIN_WORDS]
        short = [line for line, n in zip(lines, n_words, strict=True) if n < BODY_MIN_WORDS]
        quotes = _quote_templates(body)
        if not body or not quotes:
            raise ValueError(f"make_synthetic_corpus: the corpus in {raw_dir} has no paragraph long "
                             "enough to resample; give a raw_dir with longer articles")
        self.templates = body + quotes + short
        self.kind = np.array([0] * len(body) + [1] * len(quotes) + [2] * len(short), dtype=np.int8)

        words: dict[str, int] = {"": 0}
        gaps: dict[str, int] = {}
        w_ids: list[int] = []
        g_ids: list[int] = []
        lengths = []
        for template in self.templates:
            tokens = [""] + _WORD.findall(template)
            between = _WORD.split(template)
            between[-1] += _PARAGRAPH_BREAK  # every paragraph ends with a paragraph break
            w_ids.extend(words.setdefault(w, len(words)) for w in tokens)
            g_ids.extend(gaps.setdefault(g, len(gaps)) for g in between)
            lengths.append(len(tokens))
        self.word_ids = np.array(w_ids, dtype=np.int64)
        self.gap_ids = np.array(g_ids, dtype=np.int64)
        self.length = np.array(lengths, dtype=np.int64)
        self.start = np.concatenate([[0], np.cumsum(self.length)[:-1]])
        self.n_words = self.length - 1
        word_list = list(words)
        gap_list = list(gaps)
        # The last paragraph of an article ends without a paragraph break.
        self.unbroken = np.array(
            [gaps.setdefault(g.removesuffix(_PARAGRAPH_BREAK), len(gaps)) for g in gap_list]
        )
        self.words = word_list
        self.gaps = list(gaps)
        # A replacement of a capitalised word is capitalised (vocabulary="heaps").
        self.upper = np.array([w[:1].isupper() for w in word_list])
        # Replacement words are drawn from the body words, with their corpus frequency.
        in_body = np.repeat(self.kind == 0, self.length)
        body_words = self.word_ids[in_body]
        self.replacements = body_words[body_words != 0]


def names() -> np.ndarray:
    """The names and places of ``vocabulary="heaps"``, most frequent first.

    Capitalised concatenations of two or three :data:`NAME_SYLLABLES` (1,010,000), in an
    order fixed by a constant seed (rank 1 is the most frequent). A few strings arise
    twice (``li + an`` and ``lian``); that only adds their probabilities.

    Examples
    --------
    >>> from analysis.synthetic import names
    >>> found = names()
    >>> len(found), all(name[0].isupper() and name[1:].islower() for name in found[:100])
    (1010000, True)
    """
    low = np.array(NAME_SYLLABLES)
    cap = np.char.capitalize(low)
    two = np.char.add(cap[:, None], low[None, :]).ravel()
    three = np.char.add(two[:, None], low[None, :]).ravel()
    every = np.concatenate([two, three])
    return every[np.random.default_rng(20251001).permutation(len(every))]


class _Vocabulary:
    """Word and gap pieces as UTF-8 bytes, and what replacement words are drawn from."""

    def __init__(self, pool: _Pool, vocabulary: str):
        words, self.cdf, self.n_extra = [pa.array(pool.words, pa.large_string())], None, 0
        if vocabulary == "heaps":
            english, frequency = _english_words()
            english = pa.array(english, pa.large_string())
            people = pa.array(names(), pa.large_string())
            # lower-case forms, then capitalised forms (for replacing a capitalised word)
            words += [english, people, pc.utf8_capitalize(english), people]
            p = np.concatenate([
                (1 - NAME_SHARE) * frequency / frequency.sum(),
                NAME_SHARE * _zipf(len(people), NAME_ZIPF_EXPONENT, NAME_ZIPF_OFFSET),
            ])
            self.cdf = np.cumsum(p)
            self.cdf /= self.cdf[-1]
            self.n_extra = len(english) + len(people)
        self.n_words = sum(len(w) for w in words)
        # One byte buffer: every word, then every gap; a token is its word piece then its gap piece.
        pieces = pa.concat_arrays([*words, pa.array(pool.gaps, pa.large_string())])
        offsets = np.frombuffer(pieces.buffers()[1], dtype=np.int64)[
            pieces.offset : pieces.offset + len(pieces) + 1]
        self.piece_start = offsets[:-1].copy()
        self.piece_len = np.diff(offsets)
        self.piece_bytes = np.frombuffer(pieces.buffers()[2], dtype=np.uint8)

    def replace(self, pool: _Pool, words: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Replacement word ids for the (bundled) word ids ``words``."""
        if self.cdf is None:
            return pool.replacements[rng.integers(0, len(pool.replacements), len(words))]
        ranks = np.searchsorted(self.cdf, rng.random(len(words)), side="right")
        ranks = np.minimum(ranks, self.n_extra - 1)
        return len(pool.words) + ranks + self.n_extra * pool.upper[words]


def _english_words() -> tuple[list[str], np.ndarray]:
    """Words of the wordfreq list and their frequencies, most frequent first."""
    try:
        import wordfreq
    except ImportError:
        raise ImportError(
            "make_synthetic_corpus: vocabulary='heaps' draws words from the wordfreq package, "
            "which is not installed; install the project's bench extra (pip install "
            "'.[bench]'; make setup installs it) or pass vocabulary='bundled'."
        ) from None
    language, wordlist = WORDFREQ_LIST
    plain = re.compile(r"[a-z]+(?:['-][a-z]+)*\Z")
    table = sorted((-f, w) for w, f in wordfreq.get_frequency_dict(language, wordlist).items()
                   if plain.match(w))
    return [w for _, w in table], -np.array([f for f, _ in table])


def _zipf(n: int, exponent: float, offset: float) -> np.ndarray:
    """Probabilities proportional to ``1 / (rank + offset) ** exponent``, ranks 1..n."""
    p = 1.0 / (np.arange(1, n + 1) + offset) ** exponent
    return p / p.sum()


_POOLS: dict[Path, _Pool] = {}
_VOCABULARIES: dict[tuple[Path, str], _Vocabulary] = {}


def _pool(raw_dir: Path) -> _Pool:
    key = raw_dir.resolve()
    if key not in _POOLS:
        _POOLS[key] = _Pool(key)
    return _POOLS[key]


def _vocabulary(raw_dir: Path, vocabulary: str) -> _Vocabulary:
    key = (raw_dir.resolve(), vocabulary)
    if key not in _VOCABULARIES:
        _VOCABULARIES[key] = _Vocabulary(_pool(raw_dir), vocabulary)
    return _VOCABULARIES[key]


def _gather(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Indices ``starts[i] + 0 .. lengths[i] - 1`` for every ``i``, concatenated."""
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(int(lengths.sum()))


def _block_texts(
    pool: _Pool,
    vocab: _Vocabulary,
    n: int,
    rng: np.random.Generator,
    words_per_article: int,
    quote_rate: float,
    short_rate: float,
    perturb_rate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of ``n`` articles, and each article's length in bytes."""
    kind_p = np.array([1.0 - quote_rate - short_rate, quote_rate, short_rate])
    template_p = kind_p[pool.kind] / np.bincount(pool.kind, minlength=3)[pool.kind]
    template_p /= template_p.sum()
    mean_words = float(template_p @ pool.n_words)
    n_par = np.maximum(rng.poisson(words_per_article / mean_words, size=n), 2)
    templates = rng.choice(len(pool.templates), size=int(n_par.sum()), p=template_p)
    # The first paragraph of every article is a body paragraph.
    first = np.concatenate([[0], np.cumsum(n_par)[:-1]])
    body = np.flatnonzero(pool.kind == 0)
    templates[first] = body[rng.integers(0, len(body), size=n)]

    lengths = pool.length[templates]
    token = _gather(pool.start[templates], lengths)
    words = pool.word_ids[token]
    perturb = (words != 0) & (rng.random(len(words)) < perturb_rate)
    words[perturb] = vocab.replace(pool, words[perturb], rng)
    gaps = pool.gap_ids[token]
    last = np.cumsum(lengths)[np.cumsum(n_par) - 1] - 1
    gaps[last] = pool.unbroken[gaps[last]]

    # Pieces in text order: word 0, gap 0, word 1, gap 1, ... (gaps follow the words' pieces).
    pieces = np.empty(2 * len(words), dtype=np.int64)
    pieces[0::2] = words
    pieces[1::2] = gaps + vocab.n_words
    piece_len = vocab.piece_len[pieces]
    token_bytes = piece_len[0::2] + piece_len[1::2]
    article_of_token = np.repeat(np.repeat(np.arange(n), n_par), lengths)
    article_bytes = np.bincount(article_of_token, weights=token_bytes, minlength=n)
    data = vocab.piece_bytes[_gather(vocab.piece_start[pieces], piece_len)]
    return data, article_bytes.astype(np.int64)


def make_synthetic_corpus(
    n_articles: int,
    *,
    words_per_article: int = 600,
    n_outlets: int = 12,
    random_state: int = 0,
    quote_rate: float = 0.04,
    short_rate: float = 0.05,
    perturb_rate: float = 0.10,
    start: str = "2025-10-01",
    end: str = "2026-03-31",
    raw_dir: str | Path | None = None,
    vocabulary: str = "bundled",
) -> pd.DataFrame:
    """Make a corpus of ``n_articles`` synthetic news articles resampled from the bundled corpus.

    Parameters
    ----------
    n_articles : int
        Number of articles (0 gives an empty frame with the same columns).
    words_per_article : int, default 600
        Expected number of words per article (the paragraph count is Poisson around it).
    n_outlets : int, default 12
        Number of outlets, named ``"Outlet 01"``..., alternately ``international`` and
        ``chinese_state``; outlet ``k`` publishes in proportion to ``1 / sqrt(k)``.
    random_state : int, default 0
        Seed. The first ``n`` rows of a larger corpus equal the corpus of ``n`` articles.
    quote_rate : float, default 0.04
        Share of paragraphs that are an attributed direct quote (``"...," said X.``), on top
        of the quotes the resampled paragraphs already carry.
    short_rate : float, default 0.05
        Share of paragraphs that are short lines of the seeds (sub-headings, site chrome).
    perturb_rate : float, default 0.10
        Share of words replaced by a word drawn from ``vocabulary``.
    start, end : str
        Range of the publication dates (ISO dates, inclusive).
    raw_dir : str or pathlib.Path, optional
        Folder with ``articles/*.txt`` to resample; default the bundled ``data/raw``.
    vocabulary : {"bundled", "heaps"}, default "bundled"
        Where replacement words come from. ``"bundled"``: the resampled articles' own words
        (the vocabulary stays at a few thousand types whatever the size; the test corpora).
        ``"heaps"``: English words with their wordfreq frequencies plus names and places,
        so the vocabulary grows with the corpus as in real coverage (the benchmark's
        corpora; needs the ``wordfreq`` package of the ``bench`` extra). See the module
        docstring.

    Returns
    -------
    pandas.DataFrame
        One row per article, sorted by ``article_id`` (``syn0000000``...), with columns
        ``article_id``, ``outlet``, ``outlet_group``, ``published`` (datetime64),
        ``headline``, ``genre`` and ``text`` (paragraphs separated by a blank line).

    Examples
    --------
    >>> from analysis.synthetic import make_synthetic_corpus
    >>> frame = make_synthetic_corpus(3, vocabulary="heaps", random_state=1)
    >>> list(frame["article_id"]), bool(frame["text"].str.len().gt(1000).all())
    (['syn0000000', 'syn0000001', 'syn0000002'], True)
    """
    if n_articles < 0 or words_per_article < 1 or n_outlets < 1:
        raise ValueError(
            "make_synthetic_corpus: n_articles must be >= 0, words_per_article >= 1 and "
            f"n_outlets >= 1; got {n_articles}, {words_per_article}, {n_outlets}"
        )
    if not 0 <= quote_rate + short_rate < 1 or not 0 <= perturb_rate <= 1:
        raise ValueError("make_synthetic_corpus: quote_rate + short_rate must be in [0, 1) and "
                         f"perturb_rate in [0, 1]; got {quote_rate}, {short_rate}, {perturb_rate}")
    check_one_of("vocabulary", vocabulary, VOCABULARIES, func="make_synthetic_corpus")
    raw = Path(raw_dir) if raw_dir is not None else DEFAULT_RAW
    pool = _pool(raw)
    vocab = _vocabulary(raw, vocabulary)
    first_day = np.datetime64(start, "D")
    n_days = int((np.datetime64(end, "D") - first_day).astype(int)) + 1
    outlet_p = 1.0 / np.sqrt(np.arange(1, n_outlets + 1))
    outlet_p /= outlet_p.sum()

    n_blocks = -(-n_articles // BLOCK)
    seeds = np.random.SeedSequence(random_state).spawn(n_blocks)
    data: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    outlet = np.empty(n_articles, dtype=np.int64)
    day = np.empty(n_articles, dtype=np.int64)
    genre = np.empty(n_articles, dtype=np.int64)
    for b, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        # Every block draws BLOCK articles and the last one is cut, so that a corpus is
        # the prefix of any larger corpus made with the same seed.
        lo, hi = b * BLOCK, min((b + 1) * BLOCK, n_articles)
        keep = hi - lo
        outlet[lo:hi] = rng.choice(n_outlets, size=BLOCK, p=outlet_p)[:keep]
        day[lo:hi] = rng.integers(0, n_days, size=BLOCK)[:keep]
        genre[lo:hi] = rng.choice(len(GENRES), size=BLOCK, p=GENRE_WEIGHTS)[:keep]
        block_data, block_sizes = _block_texts(
            pool, vocab, BLOCK, rng, words_per_article, quote_rate, short_rate, perturb_rate
        )
        data.append(block_data[: block_sizes[:keep].sum()])
        sizes.append(block_sizes[:keep])

    outlets = np.array([f"Outlet {k + 1:02d}" for k in range(n_outlets)], dtype=object)
    groups = np.array([GROUPS[k % 2] for k in range(n_outlets)], dtype=object)
    # The texts go straight from the byte buffer into an Arrow string column (no Python str).
    offsets = np.zeros(n_articles + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.concatenate([np.empty(0, dtype=np.int64), *sizes]))
    buffer = np.concatenate([np.empty(0, dtype=np.uint8), *data])
    arrow = pa.LargeStringArray.from_buffers(
        n_articles, pa.py_buffer(offsets), pa.py_buffer(buffer)
    )
    text = pd.Series(pd.array(arrow, dtype="str"))
    first_words = text.str.split(n=9).str[:8].str.join(" ")
    headline = first_words.str.replace(r"[^\w’']+$", "", regex=True).str.strip()
    frame = pd.DataFrame(
        {
            "article_id": pd.Series([f"syn{i:07d}" for i in range(n_articles)], dtype="str"),
            "outlet": pd.Series(outlets[outlet], dtype="str"),
            "outlet_group": pd.Series(groups[outlet], dtype="str"),
            "published": pd.Series(first_day + day.astype("timedelta64[D]")).astype(
                "datetime64[s]"
            ),
            "headline": headline.astype("str"),
            "genre": pd.Series(np.array(GENRES, dtype=object)[genre], dtype="str"),
            "text": text,
        }
    )
    return frame


MANIFEST_COLUMNS = ["article_id", "outlet", "outlet_group", "published", "headline", "genre"]


def write_corpus(
    frame: pd.DataFrame, dest: str | Path, *, format: str = "txt", n_shards: int = 1
) -> list[Path]:
    """Write a corpus frame to disk in one of the formats the loader reads.

    Parameters
    ----------
    frame : pandas.DataFrame
        As returned by :func:`make_synthetic_corpus` (``article_id``, metadata, ``text``).
    dest : str or pathlib.Path
        Destination folder (created if needed).
    format : {"txt", "csv", "jsonl", "parquet"}, default "txt"
        ``"txt"``: ``dest/articles/<article_id>.txt`` plus ``dest/manifest.csv``, the layout of
        the bundled corpus. The others: ``dest/corpus.<ext>`` when ``n_shards == 1``, else
        ``dest/part-00000.<ext>``... with consecutive rows per shard.
    n_shards : int, default 1
        Number of files for the table formats (ignored for ``"txt"``).

    Returns
    -------
    list of pathlib.Path
        The corpus source(s) to load: ``[dest]`` for ``"txt"``, else the written files.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    dated = frame.assign(published=frame["published"].dt.strftime("%Y-%m-%d"))
    if format == "txt":
        folder = dest / "articles"
        folder.mkdir(exist_ok=True)
        for article_id, text in zip(frame["article_id"], frame["text"], strict=True):
            (folder / f"{article_id}.txt").write_text(text, encoding="utf-8")
        dated[MANIFEST_COLUMNS].to_csv(dest / "manifest.csv", index=False, lineterminator="\n")
        return [dest]
    check_one_of("format", format, ("txt", "csv", "jsonl", "parquet"), func="write_corpus")
    if n_shards < 1:
        raise ValueError(f"write_corpus: n_shards must be at least 1; got {n_shards}")
    bounds = np.linspace(0, len(frame), n_shards + 1).round().astype(int)
    paths = []
    for i in range(n_shards):
        name = "corpus" if n_shards == 1 else f"part-{i:05d}"
        path = dest / f"{name}.{format}"
        shard = frame.iloc[bounds[i] : bounds[i + 1]]
        if format == "parquet":
            shard.to_parquet(path, index=False)
        elif format == "csv":
            dated.iloc[bounds[i] : bounds[i + 1]].to_csv(path, index=False, lineterminator="\n")
        else:
            with path.open("w", encoding="utf-8") as handle:
                for row in dated.iloc[bounds[i] : bounds[i + 1]].to_dict("records"):
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths
