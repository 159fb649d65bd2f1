"""The resampling kernels of analysis.stats at scale: linear-time forms give the sort-based results."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.stats import twogroup


def _argsort_relabel(sums, counts, n_a, n_perm, seed):
    """Reference: the n_a smallest of one uniform key per cluster, found by a full sort per row."""
    keys = np.random.default_rng(seed).random((n_perm, len(sums)))
    labels = np.zeros(keys.shape, dtype=bool)
    np.put_along_axis(labels, np.argsort(keys, axis=1)[:, :n_a], True, axis=1)
    return labels, twogroup._group_mean_diffs(labels, sums, counts)


@pytest.mark.parametrize("n, n_a", [(9, 4), (40, 13), (300, 150)])
def test_random_relabelling_is_the_sorted_one_in_one_block(n, n_a):
    rng = np.random.default_rng(n)
    sums, counts = rng.normal(size=n), rng.integers(1, 30, n).astype(float)
    _, expected = _argsort_relabel(sums, counts, n_a, 2_000, seed=5)
    got = twogroup._relabel_diffs(sums, counts, n_a, exact=False, n_perm=2_000,
                                  rng=np.random.default_rng(5))
    np.testing.assert_array_equal(got, expected)  # bit for bit: same keys, same labels, same sums


def test_random_relabelling_in_blocks_draws_the_same_relabellings(monkeypatch):
    n, n_a, n_perm = 250, 90, 700
    rng = np.random.default_rng(1)
    sums, counts = rng.normal(size=n), rng.integers(1, 30, n).astype(float)
    labels, expected = _argsort_relabel(sums, counts, n_a, n_perm, seed=11)
    monkeypatch.setattr(twogroup, "_BLOCK", 37 * n)  # 19 blocks, the last one short
    got = twogroup._relabel_diffs(sums, counts, n_a, exact=False, n_perm=n_perm,
                                  rng=np.random.default_rng(11))
    assert labels.sum(axis=1).tolist() == [n_a] * n_perm
    # blocks of rows may change the last bit of a matrix-vector product, nothing more
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-13)
    # and every relabelling is the sorted one: recomputing row by row from the labels agrees
    rows = np.concatenate([twogroup._group_mean_diffs(labels[i : i + 37], sums, counts)
                           for i in range(0, n_perm, 37)])
    np.testing.assert_array_equal(got, rows)


def test_stream_continues_across_strata_calls():
    """Stratified tests draw cell after cell from one generator: blocks must not skip keys."""
    rng = np.random.default_rng(3)
    sums = rng.normal(size=30)
    one = np.random.default_rng(9)
    first = twogroup._relabel_diffs(sums, np.ones(30), 10, exact=False, n_perm=50, rng=one)
    second = twogroup._relabel_diffs(sums, np.ones(30), 10, exact=False, n_perm=50, rng=one)
    keys = np.random.default_rng(9).random((100, 30))
    cut = np.sort(keys, axis=1)[:, 9:10]
    expected = twogroup._group_mean_diffs(keys <= cut, sums, np.ones(30))
    np.testing.assert_allclose(np.concatenate([first, second]), expected, rtol=0, atol=1e-13)


def _pairwise_delta(a, b):
    return np.sign(a[:, None] - b[None, :]).mean()


@pytest.mark.parametrize("block", [1 << 22, 64, 1])
def test_cliffs_delta_counts_match_pairs_with_ties_and_blocks(monkeypatch, block):
    monkeypatch.setattr(twogroup, "_BLOCK", block)
    rng = np.random.default_rng(4)
    x, y = rng.integers(0, 6, 23).astype(float), rng.integers(0, 6, 31).astype(float)
    xb, yb = x[rng.integers(0, 23, (45, 23))], y[rng.integers(0, 31, (45, 31))]
    rows = twogroup._cliffs_delta_rows(xb, yb)
    expected = [_pairwise_delta(a, b) for a, b in zip(xb, yb, strict=True)]
    # counts are integers, so the division is the same one as the pairwise mean's
    np.testing.assert_allclose(rows, expected, rtol=0, atol=1e-15)
    assert twogroup._cliffs_delta_rows(np.array([[1.0, 2.0]]), np.array([[2.0, 3.0]]))[0] == -0.75


def test_cliffs_delta_interval_of_effect_sizes_at_moderate_n():
    """The bootstrap interval of Cliff's delta from rank counts is the pairwise one, replicate by
    replicate (same draws from ``random_state + 1``)."""
    import pandas as pd

    from analysis import stats

    rng = np.random.default_rng(2)
    n = 400
    df = pd.DataFrame({"article_id": [f"a{i}" for i in range(n)],
                       "group": np.where(np.arange(n) < 170, "x", "y"),
                       "value": np.round(rng.normal(size=n) + (np.arange(n) < 170) * 0.3, 2)})
    eff = stats.effect_sizes(df, "value", "group", groups=("x", "y"), n_boot=300,
                             random_state=7).set_index("effect")
    summ = df.sort_values("article_id")
    x = summ.loc[summ["group"] == "x", "value"].to_numpy()
    y = summ.loc[summ["group"] == "y", "value"].to_numpy()
    draw = np.random.default_rng(8)
    xb, yb = x[draw.integers(0, len(x), (300, len(x)))], y[draw.integers(0, len(y), (300, len(y)))]
    reps = np.array([_pairwise_delta(a, b) for a, b in zip(xb, yb, strict=True)])
    lo, hi = np.nanquantile(reps, [0.025, 0.975])
    row = eff.loc["Cliff's delta"]
    assert row["estimate"] == pytest.approx(_pairwise_delta(x, y), abs=1e-15)
    assert row["ci_low"] == pytest.approx(lo, abs=1e-12)
    assert row["ci_high"] == pytest.approx(hi, abs=1e-12)
