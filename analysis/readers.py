"""Reading a corpus source: a folder of text files with a manifest, or one CSV/JSONL/Parquet table.

The readers return the raw article rows and the inputs they skipped (with a
:class:`CorpusWarning` naming each); :func:`analysis.corpus.load_corpus` builds the corpus from
them. A source with nothing loadable raises :class:`CorpusError`.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import hashlib
import io
import json
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ._kernels import arrow_texts, byte_offsets
from .decoding import decode, html_text, looks_like_html, table_encoding

__all__ = [
    "COLUMN_ALIASES",
    "CorpusError",
    "CorpusWarning",
    "METADATA_COLUMNS",
    "empty_table",
    "files_fingerprint",
    "list_folder",
    "read_folder",
    "read_manifest",
    "read_table",
    "recorded_warnings",
    "standardize_table",
    "summarised_warnings",
    "warn_input",
]

#: Warnings of one kind shown in full per load (:func:`summarised_warnings`); one more sums up the rest.
WARNING_LIMIT = 20
#: Counts of warnings by kind in the current :func:`summarised_warnings` scope (None: no scope).
_WARNED: contextvars.ContextVar[dict[str, list] | None] = contextvars.ContextVar("_WARNED", default=None)
#: Input warnings shown in the current :func:`recorded_warnings` scope (None: no scope).
_SHOWN: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("_SHOWN", default=None)

#: Recognised column names, first match wins (case-insensitive).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "article_id": ("article_id", "id", "doc_id", "docid", "document_id", "uid", "uuid", "key"),
    "text": ("text", "body", "content", "article", "full_text", "fulltext", "article_text",
             "maintext", "story"),
    "outlet": ("outlet", "source", "publisher", "media", "newspaper", "site", "source_name"),
    "outlet_group": ("outlet_group", "group", "outlet_type", "media_type"),
    "published": ("published", "date", "publish_date", "pub_date", "published_at",
                  "publication_date", "datetime", "date_published", "timestamp"),
    "headline": ("headline", "title", "hed"),
    "genre": ("genre", "article_type", "type"),
    "byline": ("byline", "author", "authors", "by"),
    "dateline": ("dateline",),
    "attribution": ("attribution", "evidence", "notes", "note"),
}

METADATA_COLUMNS = ("outlet", "outlet_group", "published", "headline", "genre", "byline", "dateline",
         "attribution")

_TEXT_SUFFIXES = {".txt", ".text"}


class CorpusError(ValueError):
    """The corpus cannot be loaded at all (nothing loadable, malformed manifest, no text column)."""


class CorpusWarning(UserWarning):
    """One input was skipped, decoded with a fallback, or has unknown or unreadable metadata."""


def empty_table(columns: list[str]) -> pd.DataFrame:
    """An empty table with these columns (object dtype)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _kind(msg: str) -> str:
    """What a warning says without the input it names: 'x.txt: skipped, empty file.' -> 'skipped, empty file.'."""
    rest = msg.split(": ", 1)[-1]
    return re.sub(r"'[^']*'|\([^)]*\)|\d+", "_", rest)


def files_fingerprint(corpus: str | Path) -> str:
    """A cheap fingerprint of a corpus's files, ``run.json``'s ``corpus_fingerprint``: sha256
    of the relative path, size and modification time of each file (not of their content), so
    another or changed corpus differs. (The fingerprint of a loaded corpus's ids and texts,
    which guards reused tables, is :func:`analysis.outputs.corpus_fingerprint`.)

    Parameters
    ----------
    corpus : str or pathlib.Path
        A corpus file or folder.

    Returns
    -------
    str
        ``"sha256:<hex>"``.
    """
    corpus = Path(corpus)
    digest = hashlib.sha256()
    files = [corpus] if corpus.is_file() else sorted(p for p in corpus.rglob("*") if p.is_file())
    for p in files:
        try:
            st = p.stat()
        except OSError:
            continue
        rel = p.name if p == corpus else p.relative_to(corpus).as_posix()
        digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return "sha256:" + digest.hexdigest()


def warn_input(msg: str) -> None:
    """Warn (:class:`CorpusWarning`) about one input, pointing at the caller of the reader.

    Inside :func:`summarised_warnings`, only the first :data:`WARNING_LIMIT` warnings of
    each kind are shown; the scope's end sums up the others.
    """
    counts = _WARNED.get()
    if counts is not None:
        seen = counts.setdefault(_kind(msg), [0, msg])
        seen[0] += 1
        if seen[0] > WARNING_LIMIT:
            return
    _shown(msg)
    warnings.warn(msg, CorpusWarning, stacklevel=3)


def _shown(msg: str) -> None:
    shown = _SHOWN.get()
    if shown is not None:
        shown.append(msg)


@contextlib.contextmanager
def recorded_warnings() -> Iterator[list[str]]:
    """Collect the messages of the input warnings shown inside the block (as they are shown).

    :func:`analysis.corpus.load_corpus` keeps them with a cached corpus, to show them again
    when it reads the corpus from the cache.

    Yields
    ------
    list of str
        Filled as the warnings are shown.
    """
    token = _SHOWN.set([])
    try:
        yield _SHOWN.get()
    finally:
        _SHOWN.reset(token)


@contextlib.contextmanager
def summarised_warnings() -> Iterator[None]:
    """Show at most :data:`WARNING_LIMIT` input warnings of each kind, then one that counts the rest.

    A folder of 10,000 files without manifest rows gives 21 warnings, not 10,000 (every
    skipped input is still in ``Corpus.skipped``, every date problem in ``conflicts``).
    :func:`analysis.corpus.load_corpus` and :func:`analysis.corpus.from_frame` load inside it.

    Yields
    ------
    None
    """
    token = _WARNED.set({})
    try:
        yield
    finally:
        counts = _WARNED.get() or {}
        _WARNED.reset(token)
        for n, first in counts.values():
            if n > WARNING_LIMIT:
                msg = (f"{n - WARNING_LIMIT} more warning(s) like the first {WARNING_LIMIT} of this kind "
                       f"were not shown ({first}); see corpus.skipped and corpus.conflicts for every "
                       "input and row.")
                _shown(msg)
                warnings.warn(msg, CorpusWarning, stacklevel=3)


def _decode(data: bytes, name: str) -> tuple[str | None, str]:
    """Decode file bytes (:func:`analysis.decoding.decode`), warning with its notes; return
    (text or None, encoding or skip reason)."""
    text, encoding, notes = decode(data, name)
    for note in notes:
        warn_input(note)
    return text, encoding


def _bom_encoding(path: Path) -> str:
    """The encoding of a table (:func:`analysis.decoding.table_encoding` of its first bytes)."""
    with path.open("rb") as fh:
        return table_encoding(fh.read(8192))


#: Separators recognised in a CSV whose header has no comma.
_OTHER_SEPARATORS = (";", "\t", "|")


def _read_csv(path: Path, *, sep: str, where: str) -> tuple[pd.DataFrame, str]:
    """Read a CSV as strings: its encoding found, another separator recognised, with warnings.

    A UTF-16 file (with or without byte order mark) is read as UTF-16; a file that is not
    UTF-8 is decoded as :func:`_decode` decodes a text file (stray bytes repaired, legacy
    encodings detected, NUL bytes removed, each with a warning). A ``.csv`` whose header
    line has no comma but a semicolon, tab or ``|`` is read with that separator, with a warning.

    Returns
    -------
    df : pandas.DataFrame
    encoding : str
    """
    encoding = _bom_encoding(path)
    with path.open(encoding=encoding, errors="replace") as fh:
        header = fh.readline()
    if sep == "," and "," not in header:
        other = next((s for s in _OTHER_SEPARATORS if s in header), None)
        if other is not None:
            name = {"\t": "tabs"}.get(other, repr(other))
            warn_input(f"{where}: columns are separated by {name}, not commas; read with {name}. "
                       "Save it as comma-separated CSV (or .tsv for tabs) to silence this warning.")
            sep = other
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding=encoding)
    except UnicodeDecodeError:
        text, encoding = _decode(path.read_bytes(), where)
        if text is None:
            raise CorpusError(f"{where}: cannot be read as text ({encoding}).") from None
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    return df, encoding


def _find_column(columns: list[str], key: str, given: str | None, where: str) -> str | None:
    if given is not None:
        if given not in columns:
            raise CorpusError(
                f"{where}: column {given!r} (given as {key}_column) not found; columns are "
                f"{columns}."
            )
        return given
    lower = {str(c).strip().lower(): c for c in columns}
    for alias in COLUMN_ALIASES[key]:
        if alias in lower:
            return lower[alias]
    return None


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read a manifest CSV (one row per article, ``article_id`` = file stem).

    Parameters
    ----------
    path : str or pathlib.Path
        The manifest file.

    Returns
    -------
    pandas.DataFrame
        Columns ``article_id`` (str) and whichever of outlet, outlet_group, published,
        headline, genre, byline, dateline, attribution it has (recognised by
        :data:`COLUMN_ALIASES`), all as strings with missing values <NA>, plus
        ``manifest_row`` (1-based data row number).

    Raises
    ------
    CorpusError
        If the file cannot be parsed, has no id column, or repeats an id.
    """
    path = Path(path)
    try:
        raw, _ = _read_csv(path, sep=",", where=path.name)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorpusError(_table_error(path.name, ".csv", exc, caller="read_manifest")) from exc
    cols = list(raw.columns)
    id_col = _find_column(cols, "article_id", None, path.name)
    if id_col is None:
        raise CorpusError(
            f"manifest {path.name} has no article_id column (columns: {cols}). Add a column "
            "'article_id' holding each file's name without '.txt'."
        )
    out = pd.DataFrame({"article_id": raw[id_col].str.strip().str.replace(r"\.txt$", "", regex=True)})
    for key in METADATA_COLUMNS:
        col = _find_column(cols, key, None, path.name)
        if col is not None and col != id_col:
            out[key] = raw[col].str.strip().replace("", pd.NA)
    out["manifest_row"] = np.arange(1, len(out) + 1)
    dup = out["article_id"].duplicated(keep=False)
    if dup.any():
        raise CorpusError(
            f"manifest {path.name} repeats article_id(s) {sorted(out.loc[dup, 'article_id'].unique())}"
            f" (rows {list(out.loc[dup, 'manifest_row'])}). Each article needs exactly one row."
        )
    if (out["article_id"] == "").any():
        rows = list(out.loc[out["article_id"] == "", "manifest_row"])
        raise CorpusError(f"manifest {path.name} has empty article_id in rows {rows}.")
    return out


def _link_reason(path: Path, root: Path) -> str | None:
    """Why a symbolic link is not read (None: it leads to a regular file inside ``root``)."""
    target = path.resolve()
    if not target.exists():
        return "broken symbolic link"
    if not target.is_relative_to(root):
        return "symbolic link leading out of the corpus folder (not followed): copy the file in"
    if target.is_dir():
        return ("symbolic link to a folder (not followed; the folder's files are read where "
                "they are)")
    return None if target.is_file() else "symbolic link to something that is not a regular file"


def list_folder(folder: str | Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The files of a corpus folder to read, and every entry that is not read, with its reason.

    Sub-folders are searched recursively. Not read: hidden files and folders (names starting
    with "."; a hidden folder is listed once, not its content), symbolic links that lead out
    of ``folder``, are broken, or lead to a folder (links are never followed into folders, so
    there are no loops), and anything that is not a regular file (pipes, sockets, devices). A
    symbolic link to a regular file inside ``folder`` is read.

    Parameters
    ----------
    folder : str or pathlib.Path
        The corpus folder.

    Returns
    -------
    files : list of pathlib.Path
        Regular files (or links to one inside ``folder``), sorted.
    skipped : list of tuple(str, str)
        ``(path relative to folder, reason)`` of each entry not read.
    """
    folder = Path(folder)
    root = folder.resolve()
    files, skipped = [], []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            skipped.append((current.relative_to(folder).as_posix(), f"unreadable folder ({exc.strerror})"))
            continue
        for entry in entries:
            path = Path(entry.path)
            rel = path.relative_to(folder).as_posix()
            if entry.name.startswith("."):
                kind = "folder" if entry.is_dir(follow_symlinks=False) else "file"
                skipped.append((rel, f"hidden {kind} (names starting with '.' are not read)"))
            elif entry.is_symlink():
                reason = _link_reason(path, root)
                if reason is None:
                    files.append(path)
                else:
                    skipped.append((rel, reason))
            elif entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_file(follow_symlinks=False):
                files.append(path)
            else:
                skipped.append((rel, "not a regular file (a pipe, socket or device)"))
    return sorted(files), sorted(skipped)


def read_folder(folder: str | Path, manifest: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a folder of ``.txt`` files and its optional manifest.

    Parameters
    ----------
    folder : str or pathlib.Path
        Folder searched recursively for ``.txt`` files (what is not read, and why: see
        :func:`list_folder`; each such entry is in ``skipped``).
    manifest : str or pathlib.Path, optional
        Manifest CSV; default ``folder/manifest.csv`` when it exists.

    Returns
    -------
    raw : pandas.DataFrame
        One row per loaded file: ``article_id`` (file stem), ``text`` (decoded raw text),
        ``source`` (path relative to ``folder``), ``encoding``, and the manifest columns.
    skipped : pandas.DataFrame
        ``source``, ``reason``.
    """
    folder = Path(folder)
    manifest_path = Path(manifest) if manifest is not None else folder / "manifest.csv"
    man = read_manifest(manifest_path) if manifest_path.exists() else None
    rows = []
    files, skipped = list_folder(folder)
    for rel, reason in skipped:
        warn_input(f"{rel}: skipped, {reason}.")
    seen: dict[str, str] = {}
    for p in files:
        rel = p.relative_to(folder).as_posix()
        if man is not None and p.resolve() == manifest_path.resolve():
            continue
        if p.suffix.lower() not in _TEXT_SUFFIXES:
            reason = (
                f"unsupported file type '{p.suffix or p.name}': only .txt files are read from a "
                "folder (load a CSV/JSONL/Parquet table by passing its path)"
            )
            skipped.append((rel, reason))
            warn_input(f"{rel}: skipped, {reason}.")
            continue
        try:
            data = p.read_bytes()
        except OSError as exc:
            skipped.append((rel, f"unreadable file ({exc.strerror})"))
            warn_input(f"{rel}: skipped, cannot be read ({exc.strerror}).")
            continue
        text, enc = _decode(data, rel)
        if text is not None and looks_like_html(text):
            text = html_text(text)
            warn_input(
                f"{rel}: an HTML page, not plain text; its tags, scripts, styles, navigation, "
                "header and footer were removed and the rest kept as paragraphs. Check its text "
                "(corpus.articles) or save the article text alone as .txt."
            )
        if text is not None and not text.strip():
            text, enc = None, "empty file"
        if text is None:
            skipped.append((rel, enc))
            warn_input(f"{rel}: skipped, {enc}.")
            continue
        aid = p.stem
        if aid in seen:
            reason = f"duplicate article_id '{aid}' (already loaded from {seen[aid]}); rename one"
            skipped.append((rel, reason))
            warn_input(f"{rel}: skipped, {reason}.")
            continue
        seen[aid] = rel
        rows.append((aid, text, rel, enc))
    raw = pd.DataFrame(rows, columns=["article_id", "text", "source", "encoding"]).astype(object)
    if man is not None:
        missing = man[~man["article_id"].isin(raw["article_id"])]
        for aid, row in zip(missing["article_id"], missing["manifest_row"], strict=True):
            reason = f"manifest row for '{aid}' has no file {aid}.txt (or the file was skipped)"
            skipped.append((f"{manifest_path.name}:row {row}", reason))
            warn_input(f"{manifest_path.name} row {row}: {reason}.")
        nomatch = ~raw["article_id"].isin(man["article_id"])
        for src in raw.loc[nomatch, "source"]:
            warn_input(f"{src}: no manifest row; loaded with unknown outlet, date, headline and genre.")
        raw = raw.merge(man.drop(columns="manifest_row"), on="article_id", how="left")
    elif len(raw):
        warn_input(
            f"{folder.name}: no manifest.csv; {len(raw)} file(s) loaded with unknown outlet, date, "
            "headline and genre (dates, headlines and bylines found in the texts are used)."
        )
    skipped_df = pd.DataFrame(skipped, columns=["source", "reason"]).astype(object)
    return raw, skipped_df


def _records_keyed_by_id(obj: dict, where: str) -> pd.DataFrame | None:
    """A JSON object of records keyed by id (``{"a1": {"text": ...}, ...}``) as a table whose
    ``article_id`` is the key (unless the records hold their own), else None."""
    if not obj or not all(isinstance(v, dict) for v in obj.values()):
        return None
    warn_input(f"{where}: a JSON object keyed by article id, not a list of articles; read one "
               "article per key (the key is its article_id unless the record has an id).")
    df = pd.DataFrame.from_records(list(obj.values()))
    if _find_column([str(c) for c in df.columns], "article_id", None, where) is None:
        df.insert(0, "article_id", [str(k) for k in obj])
    return df


def _json_table(obj: object, where: str) -> pd.DataFrame:
    """A parsed ``.json`` file as a table: a list of objects, an object of objects keyed by id,
    or an object holding one such list; anything else is a :class:`CorpusError` naming the shape."""
    if isinstance(obj, list) and all(isinstance(v, dict) for v in obj):
        return pd.DataFrame.from_records(obj)
    if isinstance(obj, dict):
        keyed = _records_keyed_by_id(obj, where)
        if keyed is not None:
            return keyed
        lists = [k for k, v in obj.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        if len(lists) == 1:
            warn_input(f"{where}: the articles are the list under key {lists[0]!r}; read that list.")
            return pd.DataFrame.from_records(obj[lists[0]])
    shape = type(obj).__name__.replace("dict", "object").replace("list", "array")
    raise CorpusError(
        f"read_table: {where} holds a JSON {shape} that is not a list of articles; expected "
        '[{"id": ..., "text": ..., "outlet": ...}, ...] (or JSON lines, one such object per line, '
        'or an object of such objects keyed by id).'
    )


def _read_jsonl(path: Path) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """JSON lines (one object per line; bad lines are listed), or a ``.json`` file (see
    :func:`_json_table`); an object keyed by id, on one line, is read as one article per key."""
    encoding = _bom_encoding(path)
    if path.suffix.lower() == ".json":
        try:
            with path.open(encoding=encoding) as fh:
                return _json_table(json.load(fh), path.name), []
        except json.JSONDecodeError:
            pass  # JSON lines saved as .json
    try:
        with path.open(encoding=encoding) as fh:
            df = pd.read_json(fh, lines=True, dtype=False)
        cols = [str(c) for c in df.columns]
        if (len(df) == 1 and _find_column(cols, "text", None, path.name) is None
                and all(isinstance(v, dict) for v in df.iloc[0])):
            keyed = _records_keyed_by_id(df.iloc[0].to_dict(), path.name)
            if keyed is not None:
                return keyed, []
        return df, []
    except ValueError:
        pass
    records, bad = [], []
    with path.open(encoding=encoding, errors="replace") as fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append((f"{path.name}:line {i}", f"invalid JSON ({exc.msg})"))
                continue
            if not isinstance(obj, dict):
                bad.append((f"{path.name}:line {i}", "not a JSON object"))
                continue
            records.append(obj)
    return pd.DataFrame.from_records(records), bad


def _table_error(name: str, suffix: str, exc: Exception, *, caller: str = "read_table") -> str:
    """A table reader's error in words: which line or row is malformed, and what to do."""
    text = " ".join(str(exc).split())
    shape = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if shape:
        expected, line, saw = shape.groups()
        return (f"{caller}: {name} line {line} has {saw} fields but the header has {expected}; "
                "put text that holds the separator in double quotes, or fix that line.")
    unclosed = re.search(r"EOF inside string starting at row (\d+)", text)
    if unclosed:
        return (f"{caller}: {name} row {unclosed.group(1)} opens a double quote that is never "
                'closed; close it (a quote inside a quoted field is written twice: "").')
    if isinstance(exc, pd.errors.EmptyDataError):
        return f"{caller}: {name} is empty; give a table with a header row and one row per article."
    return f"{caller}: {name} cannot be read as a {suffix} table ({text}); check that it is one."


def read_table(
    path: str | Path,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    outlet_column: str | None = None,
    date_column: str | None = None,
    headline_column: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one CSV, JSONL or Parquet table of articles.

    Parameters
    ----------
    path : str or pathlib.Path
        The table.
    text_column, id_column, outlet_column, date_column, headline_column : str, optional
        Column names, when they are not among the recognised ones (:data:`COLUMN_ALIASES`).

    Returns
    -------
    raw : pandas.DataFrame
        ``article_id``, ``text``, ``source`` ("file.csv:row N", N 1-based), ``encoding`` and
        the metadata columns found.
    skipped : pandas.DataFrame
        ``source``, ``reason`` (unparseable JSON lines).

    Raises
    ------
    CorpusError
        If the file cannot be parsed or has no text column.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    bad: list[tuple[str, str]] = []
    encoding = "utf-8"
    try:
        if suffix in {".csv", ".tsv"}:
            df, encoding = _read_csv(path, sep="\t" if suffix == ".tsv" else ",", where=path.name)
        elif suffix in {".jsonl", ".ndjson", ".json"}:
            df, bad = _read_jsonl(path)
            bom = _bom_encoding(path)
            encoding = bom if bom.startswith("utf-16") else encoding
            for src, reason in bad:
                warn_input(f"{src}: skipped, {reason}. Fix that line or remove it.")
        elif suffix in {".parquet", ".pq"}:
            df = pd.read_parquet(path)
        else:
            raise CorpusError(
                f"{path.name}: unsupported file type '{suffix}'. Give a folder of .txt files or "
                "one .csv, .jsonl or .parquet file."
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, ValueError) as exc:
        if isinstance(exc, CorpusError):
            raise
        raise CorpusError(_table_error(path.name, suffix, exc)) from exc
    raw, more = standardize_table(
        df, path.name, text_column=text_column, id_column=id_column,
        outlet_column=outlet_column, date_column=date_column, headline_column=headline_column,
    )
    raw["encoding"] = encoding
    skipped = pd.DataFrame(bad + more, columns=["source", "reason"]).astype(object)
    return raw, skipped


def _as_list(value: object, *, spelled: bool) -> list | None:
    """A list (or array) value, or (``spelled``) a string that spells a JSON/Python list of
    strings; else None."""
    if isinstance(value, list | tuple | np.ndarray):
        return list(value)
    if spelled and isinstance(value, str) and value[:1] == "[" and value.rstrip()[-1:] == "]":
        for parse in (json.loads, ast.literal_eval):
            try:
                parsed = parse(value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
                return parsed
    return None


def _text_values(text: pd.Series, where: str, column: str) -> pd.Series:
    """The text column as strings: lists of paragraphs joined, other values missing, NULs removed.

    A value that is a list of strings (a JSON array, a Parquet list, or a CSV cell spelling
    one, when most non-empty cells do) becomes its items joined by blank lines (paragraphs),
    with one warning; numbers, objects and other non-strings become missing (the row is then
    skipped as having no text); NUL characters are removed, with a warning naming the rows.
    """
    strings = text if text.dtype == "str" else text.map(lambda v: v if isinstance(v, str) else None)
    arr = arrow_texts(strings)  # without a copy for an Arrow-backed column
    nonempty = int((np.diff(byte_offsets(arr)) > 0).sum())
    spelled = (pc.sum(pc.starts_with(arr, "[")).as_py() or 0) > nonempty / 2
    if text.dtype == "str" and not spelled:  # keep an Arrow-backed text column as it is
        looks_listed = None
    else:
        text = text.astype(object)
        looks_listed = True
    if looks_listed is not None:
        values = text.astype(object).to_numpy()
        lists = [_as_list(v, spelled=spelled) for v in values]
        n_lists = sum(x is not None for x in lists)
        if n_lists:
            rows = [i + 1 for i, x in enumerate(lists) if x is not None]
            warn_input(
                f"{where}: the text column {column!r} holds lists in {n_lists} row(s) (e.g. row "
                f"{rows[0]}), not text; each list's items were joined as paragraphs. Give one "
                "string per article to silence this warning."
            )
        joined = [("\n\n".join(str(x) for x in lst if x is not None) if lst is not None
                   else v if isinstance(v, str) else None) for v, lst in zip(values, lists, strict=True)]
        text = pd.Series(joined, index=text.index, dtype=object)
    if looks_listed is not None:
        arr = arrow_texts(text.map(lambda v: v if isinstance(v, str) else None))
    offs = byte_offsets(arr)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offs[0]:offs[-1]] if arr.buffers()[2] else None
    if data is not None and (data == 0).any():  # a scan of the bytes, not a search per row
        rows = np.unique(np.searchsorted(offs[1:] - offs[0], np.flatnonzero(data == 0), side="right")) + 1
        shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
        warn_input(f"{where}: NUL characters removed from the text of {len(rows)} row(s) "
                   f"(row{'s' if len(rows) > 1 else ''} {shown}); they are not text. Check how "
                   "the table was exported.")
        text = text.str.replace("\x00", "", regex=False)
    return text


def standardize_table(
    df: pd.DataFrame,
    where: str,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    outlet_column: str | None = None,
    date_column: str | None = None,
    headline_column: str | None = None,
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Rename a table's columns to the contract's; drop (and list) rows without text or with a repeated id."""
    cols = [str(c) for c in df.columns]
    df = df.set_axis(cols, axis=1).reset_index(drop=True)
    given = {"text": text_column, "article_id": id_column, "outlet": outlet_column,
             "published": date_column, "headline": headline_column}
    text_col = _find_column(cols, "text", given["text"], where)
    if text_col is None:
        raise CorpusError(
            f"{where} has no text column; columns found: {cols}. Name the column that holds "
            "the article text with load_corpus(..., text_column='<name>')."
        )
    n = len(df)
    width = max(len(str(n)), 1)
    out = pd.DataFrame(index=df.index)
    id_col = _find_column(cols, "article_id", given["article_id"], where)
    ids = (
        df[id_col].astype(object).where(df[id_col].notna(), "").astype(str).str.strip()
        if id_col is not None else pd.Series("", index=df.index)
    )
    fallback = pd.Series([f"row{i:0{width}d}" for i in range(1, n + 1)], index=df.index)
    out["article_id"] = ids.where(ids != "", fallback).astype(str)
    out["text"] = _text_values(df[text_col], where, text_col)
    used = {text_col, id_col}
    for key in METADATA_COLUMNS:
        col = _find_column(cols, key, given.get(key), where)
        if col is None or col in used:
            continue
        used.add(col)
        vals = df[col]
        if key == "published" and pd.api.types.is_datetime64_any_dtype(vals):
            vals = vals.dt.strftime("%Y-%m-%d")
        vals = vals.astype(object).where(vals.notna(), None).astype("string").str.strip()
        out[key] = vals.replace("", pd.NA)
    if "source" in cols and "source" not in used:
        out["source"] = df["source"].astype(str)
        used.add("source")
    else:
        out["source"] = [f"{where}:row {i}" for i in range(1, n + 1)]
    for c in cols:  # keep any other columns (url, encoding, ...)
        if c not in used and c not in out:
            out[c] = df[c].to_numpy()
    bad: list[tuple[str, str]] = []
    no_text = out["text"].isna() | (out["text"].fillna("").str.strip() == "")
    for src in out.loc[no_text, "source"]:
        bad.append((src, "empty or missing text"))
    out = out[~no_text]
    dup = out["article_id"].duplicated(keep="first")
    if dup.any():
        first_src = out.drop_duplicates("article_id").set_index("article_id")["source"]
        for aid, src in zip(out.loc[dup, "article_id"], out.loc[dup, "source"], strict=True):
            bad.append((src, f"duplicate article_id '{aid}' (first at {first_src[aid]})"))
        out = out[~dup]
    for src, reason in bad:
        warn_input(f"{src}: skipped, {reason}.")
    return out.reset_index(drop=True), bad
