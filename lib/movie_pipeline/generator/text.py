"""Made-up free text: titles, overviews, taglines, homepages, company and keyword names."""

from __future__ import annotations

import random

from .names import (
    ADJECTIVES,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    FAMILY,
    KEYWORD_MODIFIERS,
    KEYWORD_NOUNS,
    KEYWORDS,
    NOUNS,
    OCCUPATIONS,
    ODD_COMPANIES,
    PLACES,
    words,
)
from .people import person_name

# original_language -> (openings, endings) of titles in that language and script.
NATIVE_TITLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fr": (("La Nuit", "Le Cœur", "Les Enfants", "L'Été", "Le Château", "La Règle"), (" perdu", " de Paris", " éternel", " des rêves", " du jeu")),
    "de": (("Die Nacht", "Das Herz", "Der Himmel", "Die Brücke"), (" über Berlin", " der Wölfe", " im Süden", "")),
    "it": (("La notte", "Il cuore", "La dolce", "Il sorpasso"), (" di Roma", " perduto", " vita", "")),
    "es": (("La noche", "El corazón", "Los olvidados", "El laberinto"), (" de Madrid", " oscuro", " del fauno", "")),
    "ja": (("夜の", "東京", "七人の", "千と", "風の"), ("侍", "物語", "谷", "太陽", "記憶")),
    "zh": (("英雄", "卧虎", "大红", "霸王"), ("别姬", "灯笼", "本色", "藏龙")),
    "cn": (("無間", "重慶", "英雄", "阿飛"), ("道", "森林", "本色", "正傳")),
    "ko": (("살인의", "올드", "괴물", "봄 여름"), (" 추억", " 보이", "", " 가을")),
    "ru": (("Летят", "Иди и", "Ночной", "Брат"), (" журавли", " смотри", " дозор", " 2")),
    "hi": (("दिल", "शोले", "लगान"), ("", " वाले", " से")),
    "sv": (("Det sjunde", "Smultron", "Fanny och"), (" inseglet", "stället", " Alexander")),
}  # fmt: skip

_ROMAN = ("II", "III", "IV", "2", "3", "Part II")
_VERBS = words(
    "discovers a secret that could destroy everything|falls for the wrong person|is framed for a "
    "murder they did not commit|returns to the small town where it all began|must pull off one last "
    "job|takes a road trip across the country|inherits a crumbling mansion|joins a ragtag team of "
    "misfits|uncovers a conspiracy at the heart of the government|tries to win back their family",
    "|",
)
_TURNS = words(
    "a mysterious stranger arrives|the money goes missing|an old friend reappears|war breaks out|"
    "the storm cuts them off from the world|a body is found in the lake|the truth comes out",
    "|",
)
_OTHERS = (
    "Meanwhile, a rival", "Years later, a survivor", "Across town, an old flame", "Hunted by the "
    "police, a drifter", "Against all odds, a stranger", "With nothing left to lose, a neighbor"
)  # fmt: skip
_GOALS = words(
    "face the past|find the killer before it is too late|save the only home they have ever known|"
    "choose between love and duty|survive the night|clear their name|keep the family together",
    "|",
)


def title(rng: random.Random) -> str:
    """An English title; some hold a comma, a colon or an apostrophe."""
    u = rng.random()
    adj, noun = rng.choice(ADJECTIVES), rng.choice(NOUNS)
    if u < 0.25:
        return f"The {adj} {noun}"
    if u < 0.40:
        return f"{adj} {noun}"
    if u < 0.50:
        return f"{noun} of the {rng.choice(NOUNS)}"
    if u < 0.58:
        return f"{rng.choice(('Midnight', 'Murder', 'Love', 'Last Tango', 'Escape'))} in {rng.choice(PLACES)}"
    if u < 0.66:
        return f"{person_name(rng, 0).split(' ')[0]}'s {noun}"
    if u < 0.72:
        return person_name(rng, rng.choice((1, 2))).split(" ")[0]
    if u < 0.76:
        return f"{noun}, {rng.choice(NOUNS)} and {rng.choice(NOUNS)}"
    if u < 0.84:
        return f"{adj} {noun}: {rng.choice(('The Beginning', 'Resurrection', 'Revenge', 'A New Dawn'))}"
    if u < 0.88:
        return f"The {noun} {rng.choice(_ROMAN)}"
    if u < 0.92:
        return f"{noun} {rng.randint(2, 99)}"
    return noun if rng.random() < 0.5 else f"The {noun}s"


def native_title(rng: random.Random, language: str, english: str) -> str:
    """The original_title: in the original language's own words and script where known."""
    if language in NATIVE_TITLES and rng.random() < 0.8:
        openings, endings = NATIVE_TITLES[language]
        return rng.choice(openings) + rng.choice(endings)
    return english


def overview(rng: random.Random, newline: bool = False) -> str:
    """A plot summary of 1-5 sentences; ``newline`` puts a line break inside, as some originals have."""
    who = person_name(rng, rng.choice((1, 2)))
    kind = f"{rng.choice(('young', 'retired', 'lonely', 'ambitious', 'washed-up'))} {rng.choice(OCCUPATIONS)}"
    article = "an" if kind[0] in "aeiou" else "a"
    sentences = [f"{who}, {article} {kind} in {rng.choice(PLACES)}, {rng.choice(_VERBS)}."]
    for _ in range(rng.choice((1, 1, 2, 2, 3, 3, 4, 6))):
        if rng.random() < 0.5:
            sentences.append(
                f"When {rng.choice(_TURNS)}, {who.split(' ')[0]} must {rng.choice(_GOALS)}."
            )
        else:
            sentences.append(f"{rng.choice(_OTHERS)} {person_name(rng, 0)}, {rng.choice(_VERBS)}.")
    if rng.random() < 0.15:
        sentences.append(f'Adapted from "{title(rng)}", the novel by {person_name(rng, 0)}.')
    if rng.random() < 0.1:
        sentences.append(f"Based on the true story of {person_name(rng, 0)}.")
    if len(sentences) == 1:
        sentences.append(f"A film by {person_name(rng, 0)}.")
    return sentences[0] + ("\n " if newline else " ") + " ".join(sentences[1:])


def tagline(rng: random.Random) -> str:
    """A one-line tagline."""
    noun, adj = rng.choice(NOUNS).lower(), rng.choice(ADJECTIVES).lower()
    return rng.choice(
        (
            f"Some {noun}s never die.",
            f"The {noun} is only the beginning.",
            f"{adj.title()}. {rng.choice(ADJECTIVES)}. Unstoppable.",
            f"Nobody's {noun} is safe.",
            f"This summer, the {noun} comes home.",
            f"Every {noun} has a price...",
            f"Just when the {noun} was safe again... the {rng.choice(NOUNS).lower()} came back for more.",
            f"In a world without {noun}s, one {rng.choice(NOUNS).lower()} will change everything.",
            f"They came for the {noun}. They stayed for the {rng.choice(NOUNS).lower()}.",
        )
    )


def homepage(rng: random.Random, english: str) -> str:
    """An official site address in the shapes seen in the original."""
    slug = "".join(ch for ch in english.lower() if ch.isascii() and ch.isalnum()) or "movie"
    return rng.choice(
        (
            f"http://www.{slug}.com/",
            f"http://www.{slug}movie.com",
            f"http://www.{rng.choice(COMPANY_WORDS).lower().replace(' ', '')}films.com/{slug}/",
            f"https://www.facebook.com/{slug}",
        )
    )


def company_name(rng: random.Random, rank: int) -> str:
    """A production company; a few of the best-known carry an apostrophe or non-ASCII text."""
    if rank % 97 == 13:
        return ODD_COMPANIES[(rank // 97) % len(ODD_COMPANIES)]
    head = rng.choice(COMPANY_WORDS) if rng.random() < 0.6 else person_name(rng, 0).split(" ")[-1]
    return f"{head} {rng.choice(COMPANY_SUFFIXES)}"


def keyword_names() -> tuple[list[str], list[str]]:
    """The plain keywords (the most used), then rarer two-word combinations."""
    plain = list(dict.fromkeys(KEYWORDS))
    combos = [f"{m} {k}" for k in KEYWORD_NOUNS for m in KEYWORD_MODIFIERS]
    combos += [f"{a} {b} relationship" for a in FAMILY for b in FAMILY if a != b]
    taken = set(plain)
    return plain, [c for c in dict.fromkeys(combos) if c not in taken]
