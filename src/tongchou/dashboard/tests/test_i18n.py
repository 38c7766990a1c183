"""The site speaks Simplified Chinese by default and English on request, and the
Chinese catalogue covers every string the code marks for translation."""

import ast
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tongchou.registry.choices import RELATION_BY_LABEL, TAG_BY_LABEL, Relation, Tag

SOURCE_ROOT = Path(__file__).resolve().parents[2]
ZH_PO = SOURCE_ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = ZH_PO.with_suffix(".mo")


# --- a tiny .po reader --------------------------------------------------------------

ENTRY_FIELD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$")


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: flags, msgctxt, msgid, msgid_plural and msgstr(s).

    Obsolete (``#~``) entries are skipped; the header is the entry whose msgid is "".
    """
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry: dict = {"flags": set(), "msgstr": []}
        field = None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := ENTRY_FIELD.match(line):
                field, value = match.group(1), ast.literal_eval(match.group(2))
                if field.startswith("msgstr"):
                    entry["msgstr"].append(value)
                else:
                    entry[field] = value
            elif line.startswith('"') and field:
                value = ast.literal_eval(line)
                if field.startswith("msgstr"):
                    entry["msgstr"][-1] += value
                else:
                    entry[field] += value
        if "msgid" in entry:
            entries.append(entry)
    return entries


PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")


def catalogue_problems(path: Path) -> list[str]:
    """Every entry that is fuzzy, untranslated, or whose placeholders differ."""
    problems = []
    for entry in read_po(path):
        label = repr(entry["msgid"])
        if "msgctxt" in entry:
            label += f" (context {entry['msgctxt']!r})"
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {label}")
        if entry["msgid"] == "":
            continue
        if not entry["msgstr"] or not all(s.strip() for s in entry["msgstr"]):
            problems.append(f"untranslated: {label}")
            continue
        if "python-format" in entry["flags"]:
            wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
            for text in entry["msgstr"]:
                if sorted(PLACEHOLDER.findall(text)) != wanted:
                    problems.append(f"placeholders differ: {label} -> {text!r}")
    return problems


# --- the catalogue --------------------------------------------------------------------


def test_the_chinese_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = read_po(ZH_PO)
    assert len(entries) > 100, "the .po reader found too few entries"
    assert catalogue_problems(ZH_PO) == []


def test_the_chinese_catalogue_covers_every_string_in_the_source(tmp_path, settings):
    """Extract the strings again, from a copy of the source, and merge them into a copy
    of the catalogue: a string added or changed since the last translation pass comes
    out untranslated or fuzzy. Fix: run makemessages (see the Makefile) and translate."""
    if not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib")):
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path / "tongchou"
    shutil.copytree(
        SOURCE_ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            "tests", "locale", "static", "__pycache__", "*.pyc", "*.mo", "*.pot"
        ),
    )
    locale_dir = copy / "locale"
    (locale_dir / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(ZH_PO, locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.po")
    # makemessages writes to LOCALE_PATHS and to a "locale" dir under the working
    # directory: point both at the copy, so the real catalogue is never touched.
    settings.LOCALE_PATHS = [str(locale_dir)]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        call_command("makemessages", locale=["zh_Hans"], ignore_patterns=["*/tests/*"], verbosity=0)
    problems = catalogue_problems(locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert problems == [], "run makemessages and translate:\n" + "\n".join(problems)


@pytest.fixture
def compiled_catalogue():
    """The pages are only Chinese if the .mo is built from the current .po."""
    if not ZH_MO.exists() or ZH_MO.stat().st_mtime < ZH_PO.stat().st_mtime:
        pytest.fail(f"{ZH_MO.name} is missing or older than {ZH_PO.name}: run `make messages`")


# --- exported ledgers read back -------------------------------------------------------


@pytest.mark.parametrize(
    "choice, labels",
    [
        *[
            pytest.param(choice, RELATION_BY_LABEL, id=f"relation-{choice.value}")
            for choice in Relation
        ],
        *[pytest.param(choice, TAG_BY_LABEL, id=f"tag-{choice.value}") for choice in Tag],
    ],
)
def test_chinese_labels_in_an_export_import_back(compiled_catalogue, choice, labels):
    """A residents' export writes relations and tags by their Chinese labels; the
    importer must recognise each of them, or the export does not re-import."""
    with translation.override("zh-hans"):
        label = str(choice.label)
    assert labels.get(label) == choice, label


# --- the pages ------------------------------------------------------------------------


def switch_language(client, code: str) -> None:
    client.post(reverse("set_language"), {"language": code, "next": "/"})
    cookie = client.cookies.get(django_settings.LANGUAGE_COOKIE_NAME)
    assert cookie is not None and cookie.value == code, "set_language did not set the cookie"


def test_the_login_page_is_chinese_by_default(compiled_catalogue, db, client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<h1 class="h4 mb-3">登录</h1>' in html
    assert "<title>登录 · 区级统筹指挥平台</title>" in html
    # The switch names each language in that language.
    assert 'lang="zh-hans">简体中文</button>' in html and 'lang="en">English</button>' in html
    assert "用户名" in html and "密码" in html  # Django's own form labels
    assert "Sign in" not in html


def test_the_people_list_is_chinese_by_default(compiled_catalogue, client_for, people):
    html = client_for("grid_a").get(reverse("person-list")).content.decode()
    assert '<html lang="zh-hans">' in html
    for text in ("居民", "登记居民", "查询", "姓名", "身份证号", "联系电话", "户号", "网格员"):
        assert text in html, text
    assert "导出查询结果" in html and "退出登录" in html
    for text in ("Residents", "Search", "ID number", "Sign out"):
        assert text not in html, text


def test_the_login_page_switches_to_english(compiled_catalogue, db, client):
    switch_language(client, "en")
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert '<h1 class="h4 mb-3">Sign in</h1>' in html
    assert "<title>Sign in · District command platform</title>" in html
    assert "Username" in html and "Password" in html
    assert "登录" not in html


def test_the_people_list_switches_to_english_and_back(compiled_catalogue, client_for, people):
    client = client_for("grid_a")
    switch_language(client, "en")
    html = client.get(reverse("person-list")).content.decode()
    assert '<html lang="en">' in html
    for text in ("Residents", "Register a resident", "Search", "ID number", "Grid worker"):
        assert text in html, text
    for text in ("居民", "查询", "身份证号", "网格员"):
        assert text not in html, text
    assert "张三" in html  # the data stays as it is

    switch_language(client, "zh-hans")
    html = client.get(reverse("person-list")).content.decode()
    assert '<html lang="zh-hans">' in html and "查询" in html


def test_a_browser_set_to_english_still_gets_chinese_until_the_user_switches(
    compiled_catalogue, db, client
):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "登录" in html
