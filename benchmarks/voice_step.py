"""Time the voice step (``analysis.voice.sentence_voice``) inside ``load_corpus`` on a synthetic corpus.

The corpus is made as ``benchmarks/run.py`` makes it (:func:`analysis.synthetic.make_synthetic_corpus`,
600 words per article, 12 outlets, seed 0) and loaded with :func:`analysis.corpus.from_frame`
exactly as ``load_corpus`` builds it; the voice step is timed where the loader calls it, best of
``--repeat`` loads. Wall and CPU seconds are printed with the machine's load average, since
other processes on a shared machine slow every stage.

Usage: ``.venv/bin/python benchmarks/voice_step.py --articles 100000``
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

from analysis import corpus, voice
from analysis.synthetic import make_synthetic_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    frame = make_synthetic_corpus(args.articles, words_per_article=600, n_outlets=12, random_state=0)
    timings: list[tuple[float, float, int]] = []
    inner = voice.sentence_voice

    def timed(sentences, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        out = inner(sentences, **kwargs)
        timings.append((time.perf_counter() - wall, time.process_time() - cpu, len(sentences)))
        return out

    voice.sentence_voice = timed
    try:
        for _ in range(args.repeat):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", corpus.CorpusWarning)
                built = corpus.from_frame(frame)
            total = time.perf_counter() - start
            wall, cpu, n = timings[-1]
            print(f"{args.articles:,} articles, {n:,} sentences: voice step {wall:.2f} s wall, "
                  f"{cpu:.2f} s CPU; whole load {total:.1f} s; load average "
                  f"{os.getloadavg()[0]:.2f}; voices {built.sentences['voice'].value_counts().to_dict()}",
                  flush=True)
            del built
    finally:
        voice.sentence_voice = inner
    best = min(timings)
    print(f"best: {best[0]:.2f} s wall, {best[1]:.2f} s CPU for {best[2]:,} sentences")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
