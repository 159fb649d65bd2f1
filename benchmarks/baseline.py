"""The "obvious stack" a researcher would write without the suite, for the benchmark.

pysbd splits every article into sentences, vaderSentiment scores each sentence with
``SentimentIntensityAnalyzer.polarity_scores`` (one Python call per sentence), and
scikit-learn's ``TfidfVectorizer`` plus ``KMeans`` cluster the paragraphs. It does less than
the suite (no cleaning, no quote attribution, no offsets, no domain dictionaries), so the
speed-up reported against it is conservative.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def load(source: str | Path) -> pd.DataFrame:
    """Read the corpus the way a script would: one table, or a folder of .txt + manifest.

    Parameters
    ----------
    source : str or pathlib.Path
        A ``.parquet``, ``.csv`` or ``.jsonl`` file with ``article_id`` and ``text``, or a
        folder with ``articles/*.txt`` and ``manifest.csv``.

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``text`` and whatever metadata the source has.
    """
    source = Path(source)
    if source.is_dir():
        files = sorted((source / "articles").glob("*.txt"))
        frame = pd.DataFrame(
            {"article_id": [f.stem for f in files], "text": [f.read_text("utf-8") for f in files]}
        )
        manifest = pd.read_csv(source / "manifest.csv", dtype=str)
        return manifest.merge(frame, on="article_id", how="right")
    if source.suffix == ".parquet":
        return pd.read_parquet(source)
    if source.suffix == ".csv":
        return pd.read_csv(source, dtype=str)
    return pd.read_json(source, lines=True, dtype=False)


def segment(articles: pd.DataFrame) -> pd.DataFrame:
    """Split each article into sentences with pysbd (one ``segment`` call per article).

    Parameters
    ----------
    articles : pandas.DataFrame
        ``article_id`` and ``text``.

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``sentence`` (index within the article), ``text``.
    """
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)
    ids, numbers, texts = [], [], []
    for article_id, text in zip(articles["article_id"], articles["text"], strict=True):
        for i, sentence in enumerate(segmenter.segment(text)):
            ids.append(article_id)
            numbers.append(i)
            texts.append(sentence.strip())
    return pd.DataFrame({"article_id": ids, "sentence": numbers, "text": texts})


def tone(sentences: pd.DataFrame) -> pd.DataFrame:
    """VADER's compound score, one ``polarity_scores`` call per sentence.

    Parameters
    ----------
    sentences : pandas.DataFrame
        With a ``text`` column.

    Returns
    -------
    pandas.DataFrame
        ``sentences`` with a ``compound`` column.
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    compound = [analyzer.polarity_scores(text)["compound"] for text in sentences["text"]]
    return sentences.assign(compound=np.asarray(compound, dtype=float))


def clustering(articles: pd.DataFrame, n_clusters: int = 10, random_state: int = 0) -> pd.DataFrame:
    """TF-IDF (English stopwords) and k-means on the paragraphs (blank-line separated).

    Parameters
    ----------
    articles : pandas.DataFrame
        ``article_id`` and ``text``.
    n_clusters : int, default 10
    random_state : int, default 0

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``paragraph``, ``topic``.
    """
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    paragraphs = articles.set_index("article_id")["text"].str.split("\n\n").explode()
    paragraphs = paragraphs[paragraphs.str.strip().str.len() > 0]
    matrix = TfidfVectorizer(stop_words="english", min_df=2).fit_transform(paragraphs)
    topic = KMeans(n_clusters=n_clusters, random_state=random_state).fit_predict(matrix)
    out = paragraphs.index.to_frame(index=False)
    out["paragraph"] = out.groupby("article_id").cumcount()
    out["topic"] = topic
    return out
