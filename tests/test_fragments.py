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


def test_the_process_keeps_what_it_read_without_asking_the_cache_again(monkeypatch):
    calls, render = renderer("<b>tables</b>")
    reads = []
    get = fragments.cache.get

    def counted(key):
        reads.append(key)
        return get(key)

    monkeypatch.setattr(fragments.cache, "get", counted)

    fragments.cached("radar", 7, render=render)
    fragments.cached("radar", 7, render=render)
    fragments.forget()  # as another process would: from the cache, not drawn again
    third = fragments.cached("radar", 7, render=render)

    assert third == "<b>tables</b>"
    assert calls == ["en"]
    assert len(reads) == 2


def test_the_process_keeps_a_fragment_until_the_moment_it_was_drawn_for(settings, monkeypatch):
    """Drawn by another process 50 s ago, kept here for the 10 s left of its 60: a name it
    shows lags by no more than the setting, whoever drew it."""
    settings.KAM_FRAGMENT_SECONDS = 60
    clock = [1_000_000.0]
    monkeypatch.setattr(fragments.time, "time", lambda: clock[0])
    key = fragments._key("radar", (7,))
    fragments.cache.set(key, (clock[0] - 50, "drawn elsewhere"), 60)
    calls, render = renderer("drawn here")

    assert fragments.cached("radar", 7, render=render) == "drawn elsewhere"
    fragments.cache.set(key, (clock[0] - 50, "drawn again elsewhere"), 60)
    clock[0] += 9
    assert fragments.cached("radar", 7, render=render) == "drawn elsewhere"  # kept here
    clock[0] += 2
    fragments.cache.delete(key)  # gone from the cache too by then
    assert fragments.cached("radar", 7, render=render) == "drawn here"
    assert calls == ["en"]


def test_what_the_version_before_kept_is_neither_read_nor_overwritten():
    """It kept the fragment alone under "fragment:..." and still serves while a new version
    starts: this version keeps (time, fragment) under keys of its own."""
    calls, render = renderer("drawn here")
    key = fragments._key("radar", (7,))
    before = key.replace("drawn-fragment:", "fragment:", 1)
    fragments.cache.set(before, "kept by the version before", 60)

    assert key.startswith("drawn-fragment:radar:")
    assert fragments.cached("radar", 7, render=render) == "drawn here"
    assert fragments.cache.get(before) == "kept by the version before"
    fragments.forget()
    fragments.cache.set(key, "a fragment alone", 60)  # not this version's: drawn again
    assert fragments.cached("radar", 7, render=render) == "drawn here"
    assert calls == ["en", "en"]
