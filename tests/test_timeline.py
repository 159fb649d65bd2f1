"""Timeline helpers: events data file, event matching by date window and vocabulary, figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import stats
from analysis.timeline import assign_events, event_keywords, load_events, plot_timeline


def test_events_file():
    events = load_events()
    assert list(events.columns) == ["date", "event", "label", "keywords", "source"]
    assert events["date"].is_monotonic_increasing
    assert pd.Timestamp("2025-10-30") in set(events["date"])
    assert events["label"].is_unique
    assert all(events["source"].str.startswith("https://"))  # a public source per row
    assert all(len(words) >= 3 for words in event_keywords(events))
    in_period = events["date"].between("2025-10-01", "2026-03-31")
    assert in_period.all()


def test_assign_events_nearest_within_a_week_by_date_only():
    events = load_events()
    arts = pd.DataFrame({"published": pd.to_datetime(
        ["2025-10-28", "2025-10-29", "2026-02-06", "2025-12-15", None])})
    got = assign_events(arts, events, vocabulary=False).to_list()
    assert got[:3] == ["Wang–Rubio call", "Busan meeting", "Xi–Trump call"]
    assert pd.isna(got[3]) and pd.isna(got[4])


def test_assign_events_needs_the_events_words():
    events = load_events()
    arts = pd.DataFrame({
        "published": pd.to_datetime(["2025-10-28", "2025-10-28", "2025-10-28", "2026-02-06"]),
        "headline": ["", "Leaders to meet in BUSAN", "", ""],
        "text": ["Rubio and Wang spoke by phone.",          # nearest event whose words it uses
                 "Rubio will travel with the president.",   # both: nearest (the call) wins
                 "Stock markets rose on Tuesday.",          # no event's words: none
                 "Xi and Trump held a phone\ncall."],       # phrase across a line break
    })
    got = assign_events(arts, events).to_list()
    assert got[0] == "Wang–Rubio call" and got[1] == "Wang–Rubio call"
    assert pd.isna(got[2]) and got[3] == "Xi–Trump call"
    # the call's words absent -> the Busan meeting (two days away) is the nearest that matches
    only_busan = arts.assign(text=["", "", "", ""])
    assert assign_events(only_busan, events).to_list()[1] == "Busan meeting"


def test_assign_events_ties_go_to_more_keywords_then_earlier():
    events = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-01-05"]),
                           "event": ["", ""], "label": ["A", "B"],
                           "keywords": ["alpha;common", "beta;gamma;common"]})
    arts = pd.DataFrame({"published": pd.to_datetime(["2025-01-03"] * 3),
                         "text": ["alpha beta gamma", "common", "alphabet betamax"]})
    got = assign_events(arts, events).to_list()
    assert got[0] == "B"           # equal distance: B's words 2, A's 1
    assert got[1] == "A"           # equal distance and words: the earlier event
    assert pd.isna(got[2])         # whole words only: no match


def test_assign_events_without_text_says_what_to_do():
    arts = pd.DataFrame({"published": pd.to_datetime(["2025-10-30"])})
    with pytest.raises(KeyError, match="vocabulary=False"):
        assign_events(arts, load_events())


def test_vocabulary_matching_reveals_that_the_event_explains_the_difference():
    # Two events three days apart; every article is published in between (day 2), nearer the
    # call. Busan coverage is warm (1.0), call coverage neutral (0.0) whatever the outlet.
    # State media: 3 Busan + 1 call articles -> 0.75; AP: 1 Busan + 3 call -> 0.25; pooled 0.5.
    # By date only every article goes to the call: one stratum, the difference stays 0.5.
    # By vocabulary: Busan 1.0 vs 1.0 and call 0.0 vs 0.0 -> within events 0.
    events = pd.DataFrame({"date": pd.to_datetime(["2025-10-30", "2025-11-02"]), "event": ["", ""],
                           "label": ["Busan", "Call"], "keywords": ["Busan;summit", "phone call"]})
    topic = {"s1": "Busan", "s2": "Busan", "s3": "Busan", "s4": "Call",
             "a1": "Busan", "a2": "Call", "a3": "Call", "a4": "Call"}
    arts = pd.DataFrame({
        "article_id": list(topic), "published": pd.Timestamp("2025-11-01"),
        "group": ["state" if k[0] == "s" else "ap" for k in topic],
        "text": ["The leaders met at the Busan summit." if t == "Busan"
                 else "The leaders held a phone call." for t in topic.values()],
    })
    arts["value"] = [1.0 if t == "Busan" else 0.0 for t in topic.values()]
    pooled = stats.permutation_test(arts, "value", "group", groups=("state", "ap"))
    assert pooled.observed == pytest.approx(0.5)
    by_date = arts.assign(event=assign_events(arts, events, vocabulary=False).astype(str))
    assert set(by_date["event"]) == {"Call"}
    _, summ_date = stats.stratified_comparison(by_date, "value", "group", strata="event",
                                               groups=("state", "ap"))
    assert summ_date["diff"] == pytest.approx(0.5)
    by_words = arts.assign(event=assign_events(arts, events).astype(str))
    assert (by_words["event"] == pd.Series(topic).to_numpy()).all()
    per, summ = stats.stratified_comparison(by_words, "value", "group", strata="event",
                                            groups=("state", "ap"))
    assert summ["diff"] == pytest.approx(0.0, abs=1e-12)
    assert per["diff"].tolist() == pytest.approx([0.0, 0.0], abs=1e-12)


def test_plot_timeline_many_outlets_uses_groups():
    arts = pd.DataFrame({
        "article_id": [f"a{i}" for i in range(40)],
        "outlet": [f"Outlet {i}" for i in range(40)],
        "outlet_group": ["international", "chinese_state"] * 20,
        "published": pd.date_range("2025-10-01", periods=40, freq="D"),
    })
    fig = plot_timeline(arts, load_events())
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["chinese_state", "international"]
    plt.close(fig)


def test_keyword_hits_equal_searching_every_row():
    import re

    import numpy as np

    from analysis.timeline import _keyword_hits

    heads = pd.Series(["Busan summit", None, "BUSAN", "Bu\u017fan talks", "x", ""], dtype="string")
    texts = pd.Series(["phone\ncall", "PHONE CALL in Gyeongju", "a \u212apec", "Ta\u0131pei",
                       "telephoned", None], dtype="string")
    keywords = ["Busan", "phone call", "Kpec", "Taipei", "telephone", "\u2013", "U.S.", "He Lifeng"]
    texts = texts.str.replace("Gyeongju", "the Lifeng, HE\nLIFENG", regex=False)
    expected = np.zeros(len(heads), dtype=np.int64)
    for kw in keywords:
        pattern = r"(?<!\w)" + re.escape(kw).replace(r"\ ", r"\s+") + r"(?!\w)"
        found = np.zeros(len(heads), dtype=bool)
        for col in (heads, texts):
            found |= col.str.contains(pattern, case=False, regex=True).fillna(False).to_numpy(bool)
        expected += found
    assert _keyword_hits([heads, texts], keywords).tolist() == expected.tolist()
    assert expected.tolist() == [2, 2, 2, 2, 0, 0]  # ſ, ı and the Kelvin sign fold to ASCII
