"""Small, deterministic test corpora in every input format, including edge cases.

Each builder writes one corpus under ``dest`` and returns the path to give
``load_corpus`` / ``make run CORPUS=...``. The English ones are resampled from
the bundled articles by :func:`analysis.synthetic.make_synthetic_corpus`; the
foreign-language one is hand-written here.

========================  =========================  ======================================
name                      format                     what it tests
========================  =========================  ======================================
``many_outlets``          Parquet                    300 articles from 12 outlets
``one_outlet``            folder of .txt + manifest  a single outlet (no comparison)
``no_dates``              CSV                        no date column at all
``no_quotes``             JSONL                      no direct quotes anywhere
``one_article``           CSV                        a corpus of one article
``other_language``        JSONL                      German and Spanish articles
``hostile``               CSV                        script, Markdown, ``$`` and formulas in
                                                     outlet names; dates out of range
``mixed_encodings``       folder of .txt + manifest  UTF-16 without BOM, GBK Chinese, cp1251
                                                     Russian, a stray cp1252 byte in UTF-8,
                                                     NUL bytes, an HTML page saved as .txt
``no_text_column``        CSV                        illegal: no text column
========================  =========================  ======================================
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.synthetic import make_synthetic_corpus, write_corpus

#: Quotation marks removed to make a corpus without quotes.
_QUOTE_MARKS = r"[\"“”„«»‘’‚‹›「」『』]"
#: Dated headers of the bundled articles, removed to make a corpus without dates.
_DATED_HEADER = r"(?:\bdate \d{4}-\d{2}-\d{2}|(?:Updated )?\d{4}\.\d{2}\.\d{2} \d{2}:\d{2} GMT\+8)\s*"


def many_outlets(dest: Path) -> Path:
    """300 articles from 12 outlets of unequal size, as one Parquet file."""
    frame = make_synthetic_corpus(300, words_per_article=150, n_outlets=12, random_state=1)
    return write_corpus(frame, dest, format="parquet")[0]


def one_outlet(dest: Path) -> Path:
    """Six articles, all from one outlet: a folder of .txt files with manifest.csv."""
    frame = make_synthetic_corpus(6, words_per_article=350, n_outlets=1, random_state=2)
    return write_corpus(frame, dest, format="txt")[0]


def no_dates(dest: Path) -> Path:
    """Twenty articles from four outlets, as CSV without any date column or dated header."""
    frame = make_synthetic_corpus(20, words_per_article=350, n_outlets=4, random_state=3)
    # The resampled seeds carry dated headers ("date 2025-10-28", "2025.10.29 23:38 GMT+8").
    frame["text"] = frame["text"].str.replace(_DATED_HEADER, "", regex=True)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / "corpus.csv"
    frame.drop(columns="published").to_csv(path, index=False, lineterminator="\n")
    return path


def no_quotes(dest: Path) -> Path:
    """Twenty articles from three outlets without a single quotation mark, as JSONL."""
    frame = make_synthetic_corpus(20, words_per_article=350, n_outlets=3, quote_rate=0.0,
                                  random_state=4)
    frame["text"] = frame["text"].str.replace(_QUOTE_MARKS, "", regex=True)
    frame["headline"] = frame["headline"].str.replace(_QUOTE_MARKS, "", regex=True)
    return write_corpus(frame, dest, format="jsonl")[0]


def one_article(dest: Path) -> Path:
    """A corpus of a single article, as CSV."""
    frame = make_synthetic_corpus(1, words_per_article=500, n_outlets=1, random_state=5)
    return write_corpus(frame, dest, format="csv")[0]


#: Hand-written German and Spanish reports (outlet, group, date, headline, paragraphs).
FOREIGN_ARTICLES = [
    ("Tageszeitung Nord", "international", "2025-10-30", "Xi und Trump treffen sich in Busan", [
        "Der chinesische Staatspräsident Xi Jinping und US-Präsident Donald Trump sind am "
        "Donnerstag in der südkoreanischen Hafenstadt Busan zu ihrem ersten persönlichen Treffen "
        "seit Trumps Rückkehr ins Weiße Haus zusammengekommen.",
        "Beide Seiten sprachen nach dem Gespräch von einem konstruktiven Austausch. „Wir haben "
        "uns auf viele Punkte geeinigt“, sagte Trump vor Journalisten. Xi erklärte, die beiden "
        "Länder sollten Partner und nicht Rivalen sein.",
        "Im Mittelpunkt standen die Zölle, die Ausfuhrkontrollen für seltene Erden und der "
        "Handel mit Sojabohnen. Beobachter in Peking und Washington werteten das Treffen als "
        "vorsichtige Entspannung nach Monaten des Handelsstreits.",
        "Ob die Einigung von Dauer ist, bleibt offen. Viele Streitfragen, etwa bei Technologie "
        "und Taiwan, wurden nach Angaben beider Regierungen nicht gelöst.",
    ]),
    ("Tageszeitung Nord", "international", "2026-02-05", "Telefonat zwischen Peking und Washington", [
        "Xi Jinping und Donald Trump haben am Mittwoch miteinander telefoniert. Es war das "
        "erste Gespräch der beiden Staatschefs in diesem Jahr.",
        "Nach Angaben des chinesischen Außenministeriums betonte Xi, beide Seiten müssten "
        "Schritt für Schritt gegenseitiges Vertrauen aufbauen. Trump sprach von einer "
        "ausgezeichneten Beziehung zu seinem chinesischen Amtskollegen.",
        "Für April ist ein Besuch Trumps in Peking geplant. Diplomaten beider Länder bereiten "
        "den Gipfel bereits vor, hieß es aus Regierungskreisen.",
    ]),
    ("Diario del Sur", "international", "2025-10-29", "Xi y Trump se reunirán en Corea del Sur", [
        "El presidente de China, Xi Jinping, y el presidente de Estados Unidos, Donald Trump, "
        "se reunirán este jueves en Busan, en el marco de la cumbre del Foro de Cooperación "
        "Económica Asia-Pacífico.",
        "«Esperamos resultados positivos de esta reunión», dijo el portavoz del Ministerio de "
        "Asuntos Exteriores chino, Guo Jiakun, en una rueda de prensa en Pekín.",
        "Será el primer encuentro cara a cara entre ambos mandatarios desde el regreso de Trump "
        "a la Casa Blanca. Los aranceles y el control de las exportaciones dominarán la agenda.",
    ]),
    ("Diario del Sur", "international", "2026-03-08", "China quiere un año histórico con Estados Unidos", [
        "El ministro de Asuntos Exteriores de China, Wang Yi, afirmó el domingo que 2026 puede "
        "ser un año histórico para las relaciones entre su país y Estados Unidos.",
        "Wang dijo que los dos jefes de Estado mantienen un buen intercambio al más alto nivel "
        "y pidió a Washington que se encuentre con Pekín a mitad de camino.",
        "La visita de Trump a Pekín, prevista para finales de marzo, todavía no ha sido "
        "confirmada oficialmente por el Gobierno chino.",
    ]),
    ("Diario del Sur", "international", "2026-02-06", "Pasos concretos para mejorar los lazos", [
        "La conversación telefónica entre Xi y Trump abrió la puerta a una nueva etapa de "
        "cooperación bilateral, según analistas consultados por este diario.",
        "Ambos países celebrarán grandes reuniones internacionales este año: China presidirá "
        "el foro de la APEC y Estados Unidos acogerá la cumbre del G20.",
    ]),
]


def other_language(dest: Path) -> Path:
    """Five German and Spanish articles from two outlets, as JSONL."""
    frame = pd.DataFrame(
        [
            {"article_id": f"fx{i:02d}", "outlet": outlet, "outlet_group": group,
             "published": pd.Timestamp(date), "headline": headline, "genre": "news",
             "text": "\n\n".join(paragraphs)}
            for i, (outlet, group, date, headline, paragraphs) in enumerate(FOREIGN_ARTICLES)
        ]
    )
    return write_corpus(frame, dest, format="jsonl")[0]


#: Outlet names that run script, break Markdown or mathtext, or start a spreadsheet formula (#16).
HOSTILE_OUTLETS = [
    '<svg onload="alert(1)">',
    "`<img src=x onerror=alert(2)>` $x^{$",
    '=HYPERLINK("http://evil") US$',
]


def hostile(dest: Path) -> Path:
    """Twelve articles from three outlets with hostile names, a script headline and impossible
    dates (9999-12-31 in the table, "date 3000-01-01" in a text), as CSV."""
    frame = make_synthetic_corpus(12, words_per_article=300, n_outlets=3, random_state=7)
    names = dict(zip(sorted(frame["outlet"].unique()), HOSTILE_OUTLETS, strict=True))
    frame["outlet"] = frame["outlet"].map(names)
    frame["published"] = frame["published"].astype(str)
    frame.loc[0, "headline"] = "<script>alert(3)</script>"
    frame.loc[1, "published"] = "9999-12-31"
    frame.loc[2, "text"] = "date 3000-01-01\n\n" + frame.loc[2, "text"]
    frame.loc[3, "article_id"] = "`<img src=y onerror=alert(4)>`"
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / "corpus.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


#: Chinese and Russian articles written for the tests (paragraphs), with their outlets.
CJK_CYRILLIC_ARTICLES = [
    ("zh01", "新华社", "chinese_state", "2025-10-30", [
        "国家主席习近平在釜山同美国总统举行会晤。双方就经贸问题深入交换意见！",
        "习近平指出，中美两国应当做伙伴、做朋友。会晤持续约一百分钟。",
        "美方表示，愿同中方保持沟通，推动两国关系稳定发展。",
    ]),
    ("ru01", "ТАСС", "international", "2025-10-30", [
        "Председатель КНР встретился с президентом США в Пусане. Стороны обсудили торговлю.",
        "Встреча продолжалась около ста минут. Лидеры договорились продолжить контакты.",
    ]),
]


def mixed_encodings(dest: Path) -> Path:
    """Eight .txt files with a manifest: six English ones, saved as UTF-8, UTF-16 without BOM,
    UTF-8 with one stray cp1252 byte, UTF-8 with NUL bytes, an HTML page and cp1252; one Chinese
    in GBK and one Russian in cp1251 (all without BOM)."""
    frame = make_synthetic_corpus(6, words_per_article=300, n_outlets=2, random_state=11)
    folder = dest / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, row in enumerate(frame.itertuples(index=False)):
        text = row.text
        data = text.encode("utf-8")
        if i == 1:
            data = text.encode("utf-16-le")
        elif i == 2:
            data = data.replace(b" the ", b" \x93the\x94 ", 1)
        elif i == 3:
            data = data.replace(b" ", b" \x00", 2)
        elif i == 4:
            body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
            data = ("<!DOCTYPE html><html><head><title>x</title><script>alert(5)</script></head>"
                    f"<body><nav>Home | World</nav>{body}<footer>Contact</footer></body></html>").encode()
        elif i == 5:
            data = text.encode("cp1252", errors="replace")
        (folder / f"{row.article_id}.txt").write_bytes(data)
        rows.append((row.article_id, row.outlet, row.outlet_group, str(row.published)[:10],
                     row.headline, "news"))
    for aid, outlet, group, date, paragraphs in CJK_CYRILLIC_ARTICLES:
        text = "\n\n".join(paragraphs)
        (folder / f"{aid}.txt").write_bytes(text.encode("gbk" if aid.startswith("zh") else "cp1251"))
        rows.append((aid, outlet, group, date, paragraphs[0][:12], "news"))
    pd.DataFrame(rows, columns=["article_id", "outlet", "outlet_group", "published", "headline",
                                "genre"]).to_csv(folder / "manifest.csv", index=False, lineterminator="\n")
    return folder


def no_text_column(dest: Path) -> Path:
    """Illegal: a CSV of article metadata without any text column."""
    frame = make_synthetic_corpus(5, words_per_article=100, n_outlets=2, random_state=6)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / "corpus.csv"
    frame.drop(columns="text").to_csv(path, index=False, lineterminator="\n")
    return path


#: Every builder by name, and whether the corpus is legal (the suite must complete on it).
BUILDERS: dict[str, tuple[Callable[[Path], Path], bool]] = {
    "many_outlets": (many_outlets, True),
    "one_outlet": (one_outlet, True),
    "no_dates": (no_dates, True),
    "no_quotes": (no_quotes, True),
    "one_article": (one_article, True),
    "other_language": (other_language, True),
    "hostile": (hostile, True),
    "mixed_encodings": (mixed_encodings, True),
    "no_text_column": (no_text_column, False),
}


def build(name: str, dest: Path) -> Path:
    """Write the corpus ``name`` (a key of :data:`BUILDERS`) under ``dest``; return its path."""
    return BUILDERS[name][0](Path(dest))


def run_suite(corpus: str, out: str) -> list[tuple[str, str]]:
    """Run every notebook on ``corpus`` into ``out``; return the failures (none: ``[]``).

    A top-level function so a process pool can run several corpora at once.
    """
    from analysis.runner import NotebookRunError, run_all

    try:
        run_all(corpus=corpus, out=out)
    except NotebookRunError as exc:
        return exc.failures
    return []
