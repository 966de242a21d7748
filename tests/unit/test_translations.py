"""Every message in the code and templates has a Chinese translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from memberportal import translation_directories

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def catalog_messages() -> dict[str, str]:
    merged = {}
    for directory in translation_directories():
        po = Path(directory) / "zh" / "LC_MESSAGES" / "messages.po"
        if po.exists():
            with po.open("rb") as fh:
                for message in read_po(fh):
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    if key and message.string and "fuzzy" not in message.flags:
                        merged[key] = message.string
    return merged


def test_every_message_is_translated_to_chinese():
    translated = catalog_messages()
    missing = set()
    for folder in ("memberportal", "templates"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, METHOD_MAP, keywords=KEYWORDS
        ):
            key = message if isinstance(message, str) else message[0]
            if key and key not in translated:
                missing.add(key)
    assert sorted(missing) == []


def test_a_message_means_the_same_in_every_catalog():
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for directory in translation_directories():
        po = Path(directory) / "zh" / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as fh:
            for message in read_po(fh):
                key = message.id if isinstance(message.id, str) else message.id[0]
                if not key or not message.string or message.context:
                    continue
                if key in seen and seen[key][0] != message.string:
                    clashes.append((key, seen[key], (message.string, directory)))
                seen.setdefault(key, (message.string, directory))
    assert clashes == []


def test_no_catalog_keeps_a_merge_conflict():
    """The catalog reader skips lines it cannot parse, so a conflict left in a catalog would
    pass the checks above while half its messages went missing."""
    markers = ("<<<<<<< ", "=======\n", ">>>>>>> ")
    broken = []
    for directory in translation_directories():
        po = Path(directory) / "zh" / "LC_MESSAGES" / "messages.po"
        if po.exists():
            lines = po.read_text(encoding="utf-8").splitlines(keepends=True)
            broken += [f"{po}:{n}" for n, line in enumerate(lines, 1) if line.startswith(markers)]
    assert broken == []
