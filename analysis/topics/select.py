"""Unit vectors and clustering: LSA, k-means / Ward, and the choice of k.

:func:`select_k` scores each candidate k by silhouette and two stabilities (seeds and bootstrap
resamples); :func:`choose_k` applies the documented rule (see :mod:`analysis.topics`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import contextmanager
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import Normalizer, normalize
from threadpoolctl import threadpool_limits

from .._checks import check_one_of
from ..config import RANDOM_STATE

METHODS = ("kmeans", "agglomerative")

SELECTION_COLUMNS = ["k", "silhouette", "stability_seed", "stability_boot"]

#: Inputs up to this many units are clustered on one thread (see :func:`cluster`).
SMALL = 50_000

#: Seconds an idle worker process of :func:`select_k` lives before it exits (joblib: 300). Each
#: worker holds its copy of the sample and the imported libraries (about 230 MB at 100,000
#: articles): kept for 300 s, they were still there at notebook 03's memory peak (the export).
#: Long enough to serve the LSA-dimension sensitivity that follows the fit on a small corpus.
WORKER_IDLE_SECONDS = 5

#: :func:`select_k` scores the candidate k in parallel processes (``n_jobs``) only from this
#: many units: below it, starting the processes costs more than they save.
PARALLEL_FROM = 200


def lsa(
    X: sp.spmatrix | np.ndarray,
    *,
    n_components: int = 100,
    random_state: int | None = RANDOM_STATE,
    fit_sample: int | None = None,
) -> tuple[np.ndarray, Pipeline | None]:
    """Reduce a TF-IDF matrix by latent semantic analysis and L2-normalise the rows.

    ``TruncatedSVD`` then ``Normalizer(copy=False)``, as in scikit-learn's text
    clustering example. ``n_components`` adapts to tiny inputs: it is capped at
    ``n_features - 1`` and ``n_units - 1``. When even one component is impossible
    (one unit or one feature) the rows are only L2-normalised and no pipeline is
    returned.

    Parameters
    ----------
    X : scipy.sparse matrix or numpy.ndarray, shape (n_units, n_features)
        TF-IDF weights.
    n_components : int, default 100
        Upper bound on the number of LSA dimensions.
    random_state : int or None, default 0
        Seed of the randomized SVD (and of the sample).
    fit_sample : int or None, default None
        With more units than this, the SVD is fitted on a seeded random sample of
        ``fit_sample`` units and every unit is projected on it (one sparse product: linear
        in the units, and the memory of the fit does not grow with the corpus); the SVD is
        fitted on the words the sample uses (the others load zero). None = fit on all units.

    Returns
    -------
    vectors : numpy.ndarray, shape (n_units, n_dims)
        Unit-length rows (all-zero rows stay zero).
    pipeline : sklearn.pipeline.Pipeline or None
        The fitted ``TruncatedSVD`` + ``Normalizer`` (``pipeline[0].inverse_transform``
        maps back to term space), or None when no SVD was possible.
    """
    n_units, n_features = X.shape
    n = min(int(n_components), n_features - 1, n_units - 1)
    if n < 1:
        dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
        return normalize(dense), None
    pipeline = make_pipeline(
        TruncatedSVD(n_components=n, random_state=random_state), Normalizer(copy=False)
    )
    with _one_thread(n_units):
        if fit_sample and n_units > fit_sample:
            rows = np.sort(np.random.default_rng(random_state).choice(n_units, fit_sample,
                                                                     replace=False))
            _fit_on_used_columns(pipeline, X[rows])
            return pipeline.transform(X), pipeline
        return pipeline.fit_transform(X), pipeline


def _fit_on_used_columns(pipeline: Pipeline, sample) -> None:
    """Fit the LSA ``pipeline`` on ``sample`` without its all-zero (sparse) columns.

    A word absent from the sample loads zero on every dimension anyway; the randomized SVD
    would still carry a dense row for it through every power iteration (at 100,000 articles
    the 20,000-paragraph sample uses about 16,000 of 115,000 words: 3.2 of 3.9 CPU-s of the
    fit). The components are put back over all the columns, zero for the absent words, so
    the pipeline transforms (and inverts) matrices of the full width. Dropping the columns
    changes the SVD's random draw, so sampled LSA vectors differ from those before issue #18
    (as any other seed would); without a sample (:func:`lsa`) nothing changes.
    """
    used = np.flatnonzero(sample.getnnz(axis=0)) if sp.issparse(sample) else None
    if used is None or len(used) == sample.shape[1] or len(used) <= pipeline[0].n_components:
        pipeline.fit(sample)
        return
    pipeline.fit(sample[:, used])
    svd = pipeline[0]
    components = np.zeros((svd.components_.shape[0], sample.shape[1]))
    components[:, used] = svd.components_
    svd.components_ = components
    svd.n_features_in_ = sample.shape[1]


def auto_components(n_units: int, *, per_dimension: int = 15, maximum: int = 100) -> int:
    """Default number of LSA dimensions: one per ``per_dimension`` units, 2 to ``maximum``.

    scikit-learn's example keeps 100 dimensions for ~3,400 documents. On a small corpus
    that many dimensions leave every unit nearly orthogonal to every other (the space
    is as sparse as the TF-IDF itself) and no partition is stable; about one dimension
    per 15 units keeps the shared co-occurrence structure and drops the rest.

    Parameters
    ----------
    n_units : int
    per_dimension : int, default 15
    maximum : int, default 100

    Returns
    -------
    int
    """
    return int(min(maximum, max(2, n_units // per_dimension)))


def canonical_labels(labels: np.ndarray) -> np.ndarray:
    """Renumber cluster labels by size (largest = 0), ties by first appearance.

    Makes topic ids independent of the arbitrary numbering of the clustering
    algorithm, so that equal partitions get equal ids. Negative labels are kept.

    Parameters
    ----------
    labels : array-like of int

    Returns
    -------
    numpy.ndarray of int
    """
    labels = np.asarray(labels)
    out = labels.copy()
    pos = labels >= 0
    if not pos.any():
        return out
    values, first, counts = np.unique(labels[pos], return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))  # size descending, then first appearance
    mapping = np.empty(values.max() + 1, dtype=int)
    mapping[values[order]] = np.arange(len(values))
    out[pos] = mapping[labels[pos]]
    return out


def cluster(
    X: np.ndarray,
    k: int,
    *,
    method: str = "kmeans",
    random_state: int | None = RANDOM_STATE,
    n_init: int = 10,
    init_sample: int | None = None,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Partition the rows of ``X`` into ``k`` clusters, with canonical ids.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_units, n_dims)
        Unit vectors (LSA output).
    k : int
        Number of clusters (``1 <= k <= n_units``).
    method : {"kmeans", "agglomerative"}, default "kmeans"
        k-means (``n_init`` restarts, seeded) or Ward agglomerative clustering
        (deterministic, no seed needed).
    random_state : int or None, default 0
        k-means seed.
    n_init : int, default 10
        k-means restarts; the best inertia is kept.
    init_sample : int or None, default None
        k-means on more than this many units: the ``n_init`` restarts run on a seeded random
        sample of ``init_sample`` units, and their best centres start one k-means run on
        all units (Lloyd iterations over every unit, so the cost stays linear in the units
        and every unit is assigned to its nearest final centre). That run centres ``X`` in
        place (``copy_x=False``: no copy of ``X``), so ``X`` may differ from the input in the
        last bit of some values afterwards. None, or no more units
        than this: the ``n_init`` restarts run on all units.
    sample_weight : numpy.ndarray of int, optional
        k-means only, without ``init_sample``: row ``i`` stands for ``sample_weight[i]``
        copies of itself, side by side. The result is that of k-means on the rows repeated
        (``np.repeat(X, sample_weight, axis=0)``, one label per row), to floating-point
        rounding: scikit-learn's k-means++ draws by cumulative weight, so the same seed picks
        the same points; the Lloyd steps are weighted means; the convergence tolerance is
        scaled to the variance of the repeated rows (scikit-learn takes the unweighted one);
        ids are canonical by the sizes of the repeated rows. Rounding differs (a weighted sum
        is not a sum of copies): where many units are nearly equidistant (as many LSA
        dimensions as units) it can steer a restart to another local optimum, the same
        procedure with another draw. A bootstrap resample is clustered this way on its
        distinct units (:func:`stability_boot`), about 37% fewer rows.

    Returns
    -------
    numpy.ndarray of int, shape (n_units,)
        Labels ``0..k-1``, 0 = largest cluster (see :func:`canonical_labels`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 0.1, (300, 2)), rng.normal(3, 0.1, (100, 2))])
    >>> np.bincount(cluster(X, 2, init_sample=50)).tolist()
    [300, 100]
    """
    n = X.shape[0]
    check_one_of("method", method, METHODS, func="cluster")
    if not (1 <= k and _at_least_distinct(X, k)):
        m = n_distinct(X)
        raise ValueError(f"cluster: k={k} clusters is impossible for {n} units with {m} distinct "
                         f"vectors; use 1 <= k <= {m}")
    if k == 1:
        return np.zeros(n, dtype=int)
    if sample_weight is not None:
        return _cluster_weighted(X, k, sample_weight, method=method, random_state=random_state,
                                 n_init=n_init, init_sample=init_sample)
    with _one_thread(n):
        if method == "kmeans" and init_sample and n > init_sample:
            rows = np.sort(np.random.default_rng(random_state).choice(n, init_sample, replace=False))
            if n_distinct(X[rows]) >= k:
                start = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(X[rows])
                # copy_x=False: k-means centres X in place and adds the mean back instead of
                # centring a copy (a copy of every unit vector, 1.1 GiB at 1.5 M paragraphs);
                # the labels are the same, X may change in its last bit (scikit-learn's note)
                model = KMeans(n_clusters=k, init=start.cluster_centers_, n_init=1,
                               random_state=random_state,
                               copy_x=not getattr(X, "flags", None) or not X.flags.writeable)
            else:  # too few distinct units in the sample: restarts on all units
                model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state)
        elif method == "kmeans":
            model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state)
        else:
            model = AgglomerativeClustering(n_clusters=k, linkage="ward")
        labels = model.fit_predict(X)
    return canonical_labels(labels)


def _cluster_weighted(X: np.ndarray, k: int, sample_weight, *, method: str, random_state,
                      n_init: int, init_sample) -> np.ndarray:
    """:func:`cluster` with ``sample_weight``: k-means of the rows repeated by their weights."""
    weight = np.asarray(sample_weight)
    if (method != "kmeans" or init_sample or weight.shape != (len(X),)
            or not np.issubdtype(weight.dtype, np.integer) or (weight < 1).any()):
        raise ValueError("cluster: sample_weight must be one positive integer count per row, "
                         "with method='kmeans' and no init_sample; repeat the rows instead "
                         "(np.repeat(X, sample_weight, axis=0)) for other settings")
    # scikit-learn's tolerance is tol x the mean variance of the rows given: scaled so that it
    # is that of the repeated rows
    own = float(np.mean(np.var(X, axis=0)))
    mean = np.average(X, axis=0, weights=weight)
    repeated = float(np.mean(np.average((X - mean) ** 2, axis=0, weights=weight)))
    tol = KMeans().tol * (repeated / own if own > 0 else 1.0)
    with _one_thread(int(weight.sum())):
        labels = KMeans(n_clusters=k, n_init=n_init, random_state=random_state,
                        tol=tol).fit_predict(X, sample_weight=weight.astype(float))
    starts = np.cumsum(weight) - weight  # first copy of each row among the repeated rows
    return canonical_labels(np.repeat(labels, weight))[starts]


def n_distinct(X: np.ndarray) -> int:
    """Number of distinct rows of ``X`` (rounded to 10 decimals).

    k-means cannot make more clusters than there are distinct points (duplicated
    paragraphs, e.g. from syndicated copies, are common), so k is capped by this.

    Parameters
    ----------
    X : numpy.ndarray

    Returns
    -------
    int
    """
    return int(_row_ids(X).max()) + 1 if len(X) else 0


def _row_ids(X: np.ndarray) -> np.ndarray:
    """Id of each row of ``X`` among its distinct rows (rounded to 10 decimals), from 0.

    The rows are compared as raw bytes (one 1-D sort; ``np.unique(axis=0)`` compares them
    field by field, several times slower); adding 0.0 turns -0.0 into 0.0, which
    ``np.unique`` counts as equal.
    """
    X = np.asarray(X)
    if X.ndim == 1:
        X = X[:, None]
    if X.shape[1] == 0:
        return np.zeros(len(X), dtype=np.intp)
    rows = np.ascontiguousarray(np.round(X, 10) + 0.0)
    as_bytes = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    return np.unique(as_bytes, return_inverse=True)[1].ravel()


def _at_least_distinct(X: np.ndarray, k: int, *, head: int = 256) -> bool:
    """Whether ``X`` has at least ``k`` distinct rows: counted among its first ``head`` rows
    first (enough on any real input), among all rows only when those are too few."""
    return n_distinct(X[:head]) >= k or (len(X) > head and n_distinct(X) >= k)


_LIMITS = threading.local()


@contextmanager
def _one_thread(n_units: int):
    """Limit OpenMP and BLAS to one thread for inputs up to :data:`SMALL` units.

    k-selection runs hundreds of small fits, for which thread start-up and contention
    dominate (3 to 20 times slower on a busy machine), and one thread fixes the order of
    floating-point sums, so results do not depend on the machine's core count. Inside a
    limit already set (:func:`select_k` sets one around all of its fits) nothing is done:
    setting a limit costs milliseconds (threadpoolctl looks up the loaded libraries).
    """
    if n_units > SMALL or getattr(_LIMITS, "depth", 0):
        yield
        return
    with threadpool_limits(1):
        _LIMITS.depth = 1
        try:
            yield
        finally:
            _LIMITS.depth = 0


def _seeds(random_state: int | None, n: int) -> list[int]:
    """``n`` reproducible integer seeds derived from ``random_state``."""
    return [int(s) for s in np.random.default_rng(random_state).integers(0, 2**31 - 1, n)]


def stability_seed(
    X: np.ndarray,
    k: int,
    *,
    random_state: int | None = RANDOM_STATE,
    n_seeds: int = 5,
    method: str = "kmeans",
    n_init: int = 10,
) -> float:
    """Mean pairwise adjusted Rand index between clusterings run with different seeds.

    Measures how much the partition depends on the initialisation, with the same
    ``n_init`` the final model uses. Deterministic methods (agglomerative) score 1.

    Parameters
    ----------
    X : numpy.ndarray
        Unit vectors.
    k : int
        Number of clusters.
    random_state : int or None, default 0
        Seed from which the ``n_seeds`` run seeds are derived.
    n_seeds : int, default 5
        Number of runs (at least 2).
    method : {"kmeans", "agglomerative"}
    n_init : int, default 10

    Returns
    -------
    float
    """
    runs = [cluster(X, k, method=method, random_state=s, n_init=n_init) for s in _seeds(random_state, max(n_seeds, 2))]
    return float(np.mean([adjusted_rand_score(a, b) for a, b in combinations(runs, 2)]))


def stability_boot(
    X: np.ndarray,
    k: int,
    *,
    random_state: int | None = RANDOM_STATE,
    n_boot: int = 20,
    method: str = "kmeans",
    n_init: int = 10,
    reference: np.ndarray | None = None,
) -> float:
    """Mean adjusted Rand index between the full-data partition and bootstrap partitions.

    Each replicate draws ``n_units`` units with replacement, clusters them, and
    compares the labels of the distinct units drawn (the units common to both
    partitions) with their labels in the full-data partition. k-means clusters a replicate
    as its distinct units weighted by their number of copies (:func:`cluster`
    ``sample_weight``): the partition of the rows drawn, to floating-point rounding, from
    about 63% as many rows (issue #18; before, the rows drawn were clustered with their
    copies).

    Parameters
    ----------
    X : numpy.ndarray
        Unit vectors.
    k : int
        Number of clusters.
    random_state : int or None, default 0
        Seed of the resampling and of the clusterings.
    n_boot : int, default 20
        Bootstrap replicates. Replicates with ``k`` or fewer distinct units are skipped.
    method : {"kmeans", "agglomerative"}
    n_init : int, default 10
    reference : numpy.ndarray, optional
        The full-data partition, if already computed (else it is computed with
        ``random_state``).

    Returns
    -------
    float
        NaN if every replicate was skipped.
    """
    n = X.shape[0]
    if reference is None:
        reference = cluster(X, k, method=method, random_state=random_state, n_init=n_init)
    rng = np.random.default_rng(random_state)
    ids = _row_ids(X)  # distinct vectors among the units drawn, without comparing rows again
    scores = []
    for seed in _seeds(random_state, n_boot):
        idx = np.sort(rng.integers(0, n, n))
        distinct, first, copies = np.unique(idx, return_index=True, return_counts=True)
        if len(np.unique(ids[distinct])) < k:
            continue
        if method == "kmeans":  # the resample as its distinct units and their copies (issue #18)
            labels = cluster(X[distinct], k, random_state=seed, n_init=n_init,
                             sample_weight=copies)
        else:
            labels = cluster(X[idx], k, method=method, random_state=seed, n_init=n_init)[first]
        scores.append(adjusted_rand_score(reference[distinct], labels))
    return float(np.mean(scores)) if scores else float("nan")


def feasible_k(
    n_units: int,
    k_range: Iterable[int],
    *,
    min_units_per_topic: int = 3,
    n_distinct_units: int | None = None,
) -> list[int]:
    """The candidate k that can be scored on ``n_units`` units.

    Silhouette needs ``2 <= k <= n_units - 1``; k-means needs ``k`` at most the number of
    distinct vectors; on top of that a topic should hold at least ``min_units_per_topic``
    units on average (``k * min_units_per_topic <= n_units``).

    Parameters
    ----------
    n_units : int
    k_range : iterable of int
    min_units_per_topic : int, default 3
    n_distinct_units : int, optional
        Distinct unit vectors (:func:`n_distinct`); default ``n_units``.

    Returns
    -------
    list of int
        Sorted.
    """
    m = n_units if n_distinct_units is None else n_distinct_units
    return sorted(
        {int(k) for k in k_range
         if 2 <= k <= min(n_units - 1, m) and k * min_units_per_topic <= n_units}
    )


def select_k(
    X: np.ndarray,
    *,
    k_range: Iterable[int] = range(2, 9),
    random_state: int | None = RANDOM_STATE,
    n_boot: int = 20,
    n_seeds: int = 5,
    method: str = "kmeans",
    n_init: int = 10,
    min_units_per_topic: int = 3,
    silhouette_sample: int | None = 10_000,
    n_jobs: int | None = None,
    seed_stability: bool = True,
) -> pd.DataFrame:
    """Score each candidate number of topics by silhouette and stability.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_units, n_dims)
        Unit vectors (LSA output).
    k_range : iterable of int, default range(2, 9)
        Candidates; infeasible ones are dropped (see :func:`feasible_k`).
    random_state : int or None, default 0
    n_boot : int, default 20
        Bootstrap replicates per k (:func:`stability_boot`).
    n_seeds : int, default 5
        Seeded runs per k (:func:`stability_seed`).
    method : {"kmeans", "agglomerative"}
    n_init : int, default 10
    min_units_per_topic : int, default 3
    silhouette_sample : int or None, default 10000
        Above this many units the silhouette is computed on a seeded sample of this
        size (it is quadratic in the number of units). None = always exact.
    n_jobs : int or None, default None
        Processes scoring the candidate k side by side (joblib; -1 = all cores, None = 1).
        Every fit is seeded and runs on one thread, so the table does not depend on it.
        Inputs of fewer than :data:`PARALLEL_FROM` units are scored in this process.
    seed_stability : bool, default True
        False: ``stability_seed`` is left NaN (:func:`choose_k` does not use it), for a caller
        that needs it for the chosen k only (:func:`stability_seed` with the same options
        gives the value this table would hold): ``n_seeds`` fewer k-means fits per candidate.

    Returns
    -------
    pandas.DataFrame
        Columns ``k, silhouette, stability_seed, stability_boot``, one row per feasible
        k, sorted by k; empty (with those columns) if no k is feasible.
    """
    n = X.shape[0]
    sample = silhouette_sample if silhouette_sample and n > silhouette_sample else None
    ks = feasible_k(n, k_range, min_units_per_topic=min_units_per_topic,
                    n_distinct_units=n_distinct(X))
    options = dict(random_state=random_state, n_boot=n_boot, n_seeds=n_seeds, method=method,
                   n_init=n_init, sample=sample, seed_stability=seed_stability)
    if n_jobs not in (None, 1) and n >= PARALLEL_FROM and len(ks) > 1:
        # the larger k first: they take longest, so the processes finish together
        # Idle workers exit after WORKER_IDLE_SECONDS (joblib's default keeps them for 300 s).
        rows = Parallel(n_jobs=n_jobs, idle_worker_timeout=WORKER_IDLE_SECONDS)(
            delayed(_score_k)(X, k, **options) for k in ks[::-1])
        rows = rows[::-1]
    else:
        rows = [_score_k(X, k, **options) for k in ks]
    return pd.DataFrame(rows, columns=SELECTION_COLUMNS).astype({"k": int})


def _score_k(X: np.ndarray, k: int, *, random_state, n_boot, n_seeds, method, n_init,
             sample, seed_stability=True) -> dict:
    """One row of :func:`select_k`: silhouette and the two stabilities of ``k`` clusters."""
    with _one_thread(len(X)):  # one limit around all the fits (see _one_thread)
        labels = cluster(X, k, method=method, random_state=random_state, n_init=n_init)
        sil = silhouette_score(X, labels, sample_size=sample, random_state=random_state)
        return {
            "k": k,
            "silhouette": float(sil),
            "stability_seed": (stability_seed(X, k, random_state=random_state, n_seeds=n_seeds,
                                              method=method, n_init=n_init)
                               if seed_stability else float("nan")),
            "stability_boot": stability_boot(X, k, random_state=random_state, n_boot=n_boot,
                                             method=method, n_init=n_init, reference=labels),
        }


def choose_k(
    selection: pd.DataFrame, *, min_stability: float = 0.6, tolerance: float = 0.01
) -> tuple[int, str]:
    """Pick k from a :func:`select_k` table by the module's documented rule.

    Among the k with ``stability_boot >= min_stability``, take the smallest k whose
    silhouette is within ``tolerance`` of the best silhouette among them: differences
    of a hundredth of silhouette are noise, and fewer topics are easier to read (and
    keep the silhouette's drift towards the largest k in check). If no k is stable
    enough, the most stable k is taken (to 3 decimals; tie -> smaller k). With no
    feasible k the answer is one topic.

    Parameters
    ----------
    selection : pandas.DataFrame
        Output of :func:`select_k`.
    min_stability : float, default 0.6
        Bootstrap stability (mean ARI) a k must reach to be preferred.
    tolerance : float, default 0.01
        Silhouette difference treated as a tie.

    Returns
    -------
    k : int
    reason : str
        One sentence, with the numbers, saying why.
    """
    if selection.empty:
        return 1, (
            "Too few units to compare numbers of topics (k-selection needs at least "
            "two candidate topics with several units each), so all units form one topic."
        )
    sel = selection.sort_values("k", ignore_index=True)
    stable = sel[sel["stability_boot"] >= min_stability]
    if not stable.empty:
        top = stable.loc[stable["silhouette"].idxmax()]
        pick = stable[stable["silhouette"] >= top["silhouette"] - tolerance].iloc[0]
        k = int(pick["k"])
        why = (f"the highest silhouette ({pick['silhouette']:.3f})" if k == int(top["k"]) else
               f"the smallest k whose silhouette ({pick['silhouette']:.3f}) is within "
               f"{tolerance:g} of the best ({top['silhouette']:.3f}, k={int(top['k'])})")
        others = ", ".join(f"k={int(x)}" for x in stable["k"] if x != k)
        return k, (
            f"k={k}: {why} among the k whose bootstrap stability reaches {min_stability:.2f} "
            f"(its stability: {pick['stability_boot']:.3f}; seed stability "
            f"{pick['stability_seed']:.3f})"
            + (f"; the other stable candidates were {others}." if others else
               "; it was the only stable candidate.")
        )
    best = sel.assign(_stab=sel["stability_boot"].fillna(-1).round(3)).sort_values(
        ["_stab", "k"], ascending=[False, True]
    ).iloc[0]
    return int(best["k"]), (
        f"k={int(best['k'])}: no k reached a bootstrap stability of {min_stability:.2f}, so the "
        f"most stable one was taken (stability {best['stability_boot']:.3f}, silhouette "
        f"{best['silhouette']:.3f}); treat these topics as tentative."
    )
