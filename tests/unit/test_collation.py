"""Alphabetical order per language, as a council's list of states needs it."""

from konsey.collation import sort_key


def ordered(names, language):
    return sorted(names, key=lambda n: sort_key(n, language))


def test_turkish_letters_follow_their_base_letters():
    names = ["Türkiye", "Azerbaycan", "Özbekistan", "Kırgızistan", "Kazakistan", "Çin", "İran"]
    names += ["Irak", "Şili", "Ukrayna", "Zimbabve", "Cezayir", "Ürdün"]
    assert ordered(names, "tr") == [
        "Azerbaycan",
        "Cezayir",
        "Çin",
        "Irak",  # dotless I before dotted İ
        "İran",
        "Kazakistan",
        "Kırgızistan",  # ı before i: Kaz… < Kır…
        "Özbekistan",
        "Şili",
        "Türkiye",
        "Ukrayna",
        "Ürdün",
        "Zimbabve",
    ]


def test_russian_yo_after_ye_and_cyrillic_order():
    names = ["Турция", "Азербайджан", "Ёмен", "Египет", "Казахстан", "Эстония", "Узбекистан"]
    assert ordered(names, "ru-RU") == [
        "Азербайджан",
        "Египет",
        "Ёмен",
        "Казахстан",
        "Турция",
        "Узбекистан",
        "Эстония",
    ]


def test_other_languages_sort_accents_with_their_base_letter():
    names = ["Turkey", "Åland", "Côte d’Ivoire", "Cuba", "azerbaijan", "Hungary"]
    assert ordered(names, "en") == [
        "Åland",
        "azerbaijan",
        "Côte d’Ivoire",
        "Cuba",
        "Hungary",
        "Turkey",
    ]
    assert ordered(["b", "a"], "xx") == ["a", "b"]
