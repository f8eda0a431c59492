"""Cached fragments: rendered once per name, data version and language, then read back."""

from django.utils import translation

from kam import fragments


def renderer(output: str) -> tuple[list[str], object]:
    calls: list[str] = []

    def render() -> str:
        calls.append(translation.get_language())
        return output

    return calls, render


def test_a_fragment_is_rendered_once_then_read_back_safe():
    calls, render = renderer("<b>tables</b>")

    first = fragments.cached("radar", 7, render=render)
    again = fragments.cached("radar", 7, render=render)

    assert first == again == "<b>tables</b>"
    assert hasattr(again, "__html__")  # safe: the template writes it as it is
    assert calls == ["en"]


def test_each_version_name_and_language_is_rendered_for_itself():
    calls, render = renderer("x")

    fragments.cached("radar", 7, render=render)
    fragments.cached("radar", 8, render=render)
    fragments.cached("radar", 7, "2026-11-30", render=render)
    fragments.cached("dashboard", 7, render=render)
    with translation.override("ru"):
        fragments.cached("radar", 7, render=render)
        fragments.cached("radar", 7, render=render)

    assert calls == ["en", "en", "en", "en", "ru"]


def test_a_fragment_is_kept_for_the_configured_seconds(settings, monkeypatch):
    settings.KAM_FRAGMENT_SECONDS = 60
    kept = {}
    monkeypatch.setattr(fragments.cache, "set", lambda key, value, seconds: kept.update({key: seconds}))
    monkeypatch.setattr(fragments.cache, "get", lambda key: None)

    fragments.cached("radar", 7, render=lambda: "x")

    assert list(kept.values()) == [60]
