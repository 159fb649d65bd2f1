"""Every number in README's findings comes from a committed notebook output (issue #15).

The findings section ("What the suite finds ...") may only quote what the notebooks computed. A
number in README with d decimals is found when some number printed in a committed notebook's
outputs rounds to it at d decimals (so "0.61" is found in a table cell "0.611"); signs and the
Unicode minus are normalised. Dates and the notebook numbers (`01`…`04`) are not findings.
"""

import json
import re

from analysis.config import NOTEBOOK_DIR, ROOT

NUMBER = re.compile(r"(?<![\w.])[-+−]?\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")
DATE = re.compile(r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|"
                  r"October|November|December) \d{4}\b|\b(?:January|February|March|April|May|June|"
                  r"July|August|September|October|November|December) \d{4}\b")


def _findings() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## What the suite finds")
    end = text.index("\n## ", start + 3)
    return text[start:end]


def _numbers(text: str) -> list[str]:
    text = DATE.sub(" ", text)
    text = re.sub(r"`0[1-4]`", " ", text)           # notebook names
    text = re.sub(r"\b\d{3}_[0-9a-f]{16}\b", " ", text)  # article ids
    return [m.group(0) for m in NUMBER.finditer(text)]


def _value(token: str) -> tuple[float, int]:
    token = token.replace("−", "-").replace(",", "")
    decimals = len(token.split(".")[1]) if "." in token else 0
    return float(token), decimals


def _notebook_numbers() -> set[tuple[float, int]]:
    found: set[tuple[float, int]] = set()
    for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            for out in cell.get("outputs", []):
                parts = [out.get("text", "")]
                for kind in ("text/plain", "text/markdown", "text/html"):
                    parts.append(out.get("data", {}).get(kind, ""))
                blob = " ".join("".join(p) if isinstance(p, list) else p for p in parts)
                for token in NUMBER.findall(blob.replace("−", "-")):
                    value, _ = _value(token)
                    for d in range(0, 4):
                        found.add((round(abs(value), d), d))
    return found


def test_every_number_in_the_findings_appears_in_a_notebook_output():
    available = _notebook_numbers()
    missing = []
    for token in _numbers(_findings()):
        value, decimals = _value(token)
        if (round(abs(value), decimals), decimals) not in available:
            missing.append(token)
    assert not missing, f"README findings quote numbers no committed notebook prints: {missing}"


def test_the_check_finds_numbers_and_notices_an_invented_one():
    numbers = _numbers(_findings())
    assert len(numbers) >= 10
    available = _notebook_numbers()
    assert (round(123456.789, 3), 3) not in available
