"""Analysis package of the China-US diplomacy news notebook suite.

The stages, one module (or subpackage) each, in the order data flows through them:

``corpus`` (load_corpus: raw files -> articles, paragraphs, sentences, quotes; reading in
``readers``), ``clean``, ``segment``, ``quotes``, ``tokens`` (one tokenizer, document-feature
matrices), ``keyness``, ``kwic``, ``actors``, ``sources``, ``topics``, ``tone``, ``handcoded``
(the hand-coded validation samples), ``stats`` (cluster bootstrap, permutation tests),
``plots`` and ``outputs``. Shared by all: ``config`` (data paths, outlet groups, resampling
defaults), ``_kernels`` (Arrow/numpy text kernels) and ``_checks`` (argument checks).
"""

from __future__ import annotations

__version__ = "0.1.0"

from .corpus import Corpus, CorpusError, CorpusWarning, from_frame, load_corpus  # noqa: E402

__all__ = ["Corpus", "CorpusError", "CorpusWarning", "from_frame", "load_corpus", "__version__"]
