"""The shared argument checks and their message style."""

from __future__ import annotations

import pytest

from analysis import stats, tokens, topics
from analysis._checks import check_all_of, check_one_of


def test_check_one_of_passes_and_names_function_argument_choices_and_value():
    check_one_of("level", "paragraph", ("sentence", "paragraph"), func="f")
    with pytest.raises(ValueError) as err:
        check_one_of("level", "page", ("sentence", "paragraph"), func="f")
    assert str(err.value) == "f: level must be one of sentence, paragraph; got 'page'"
    with pytest.raises(ValueError, match=r"^g: k must be one of 1, 2; got 3$"):
        check_one_of("k", 3, {1: "a", 2: "b"}, func="g")


def test_check_all_of_lists_the_unknown_values():
    check_all_of("measures", ["a"], ("a", "b"), func="f")
    with pytest.raises(ValueError, match=r"^f: measures must be among a, b; got 'x', 'y'$"):
        check_all_of("measures", ["x", "a", "y"], ("a", "b"), func="f")


def test_stages_raise_the_one_of_message():
    import numpy as np
    import pandas as pd

    with pytest.raises(ValueError, match=r"^cluster: method must be one of kmeans, agglomerative"):
        topics.cluster(np.eye(3), k=2, method="dbscan")
    with pytest.raises(ValueError, match=r"^unit_table: level must be one of"):
        topics.unit_table(None, level="page")
    df = pd.DataFrame({"value": [1.0, 2.0], "group": ["a", "b"], "article_id": ["x", "y"]})
    with pytest.raises(ValueError, match=r"^cluster_bootstrap: weighting must be one of cluster, unit"):
        stats.cluster_bootstrap(df, "value", group="group", weighting="mean")
    toks = tokens.tokens_from_frame(pd.DataFrame({"article_id": ["a"], "text": ["x y"]}))
    with pytest.raises(ValueError, match=r"^dfm: level must be one of"):
        tokens.dfm(toks, level="page")
