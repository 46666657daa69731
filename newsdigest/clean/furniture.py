"""What page furniture looks like: the vocabulary both cleaners (text and HTML) share.

A line is *promo* (drop it, the article goes on: ads, "Read also", share buttons), a *stop*
(the article is over: author boxes, comment prompts, news feeds, "most read"), a *caption*
(photo description ending in a credit) or a teaser *signature* (a card's glued byline).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..textutil import fold, normalize_line

_PROMO = re.compile(
    r"""^(?:
        advertisement\b.*|advertising|ad|sponsored(?:\ content)?|реклама:?|
        scroll\ to\ continue|you\ can\ also\ highlight\ the\ text.*|
        join\ (?:us|our)\b.*\b(?:telegram|channel|newsletter|community|whatsapp)\b.*|
        follow\ [\w’'.-]+(?:\ [\w’'.-]+){0,2}
            \ on\ (?:x|twitter|telegram|facebook|instagram|threads|bluesky)\b.*|
        we\ use\ cookies\b.*|.*\bcookies?\b.*\b(?:accept|agree|consent|settings)\b.*|
        (?:yes,?\ )?i\ agree|accept(?:\ all)?(?:\ cookies)?|reject\ all|
        no,?\ take\ me\ to\ settings|
        save|listen|comment|send\ us\ your\ feedback|subscribe(?:\ to\ the\ print\ edition)?|
        log\ ?in|
        (?:read|see)\ (?:also|more)\b.*|also\ read\b.*|related:.*|читайте\ (?:також|также)\b.*|
        this\ audio\ is\ created\ with\ ai\ assistance|listen\ to\ (?:this|the)\ article.*|
        share(?:\ this(?:\ article|\ story)?)?(?:\ on\ .*)?|print|copy\ link|
        follow\ us\ on\ .*|subscribe\ to\ (?:our|the)\ .*|sign\ up\ for\ .*|
        (?:click|tap)\ here\b.*|(?:get|receive)\ (?:our|the)\ .*newsletter.*|
        .*\bnewsletter\b.*\binbox\b.*|support\ us\b.*|donate\b.*|
        \d+\ min(?:ute)?s?\ read|article\ image|image|photo|video|edit\ post|skip\ to\ content|
        please,?\ enter\ (?:a\ )?correct\ email\ address|\*?\ ?indicates\ required|
        enter\ your\ email.*|successfu(?:l)?ly\ subscribed|loading.*|\d{1,7}\ views?|\d{1,7}
    )$""",
    re.I | re.X,
)

_STOP = re.compile(
    r"""^(?:
        authors?:?.*|tags?:.*|topics?:|comments?|\d+\ comments?|leave\ a\ (?:comment|reply)|
        most\ (?:popular|read|viewed)|news\ ?feed|recent\ news|latest\ news|all\ news|
        more\ news|editors'?’?\ picks|related(?:\ (?:news|articles|stories|posts))?|
        you\ (?:may|might)\ (?:also\ )?like.*|more\ (?:articles|stories|from\ .*)|
        read\ more|top\ articles?|trending(?:\ now)?|popular|avatar|show\ more|load\ more|
        support\ independent\ journalism.*|.*\bsupport\ (?:our|independent)\ journalism\b.*|
        support\ \w+\ or\ become\ our\ patron!?|
        become\ a\ (?:member|patron).*|(?:©|\(c\)|copyright)\ .*|all\ rights\ reserved.*|
        about\ the\ author|share\ your\ thoughts.*|we\ are\ the\ news\ team\ .*|
        \d{1,2}:\d{2}(?:\ ?[ap]m)?|
        other\ news|latest|more\ on\ this\ story|related\ (?:topics|stories|content|coverage)|
        suggested\ topics:?|read\ next|in\ this\ issue|live(?:\ updates|\ feed|\ blog)?|
        (?:reporting|writing|editing|additional\ reporting|compiled)\ by\b.*|
        .*\bcontributed\ (?:to\ )?(?:this\ )?(?:report|story)\.?|our\ standards:.*|
        share:?|share\ this:?|
        підтримайте\b.*|головне|популярне|найпопулярніше|останні\ новини|
        читайте\ также|главное|популярное|последние\ новости
    )$""",
    re.I | re.X,
)

# "(NATO Pressroom)", "(Dursun Aydemir/Anadolu via Getty Images)", "Stock photo: Getty Images"
_CREDIT_TAIL = re.compile(
    r"""(?:
        \((?P<paren>[^()]{2,90})\)\s*$|
        (?:stock\ )?(?:photo|photograph|image|picture|credit|фото)(?:\ by)?\s*[:©]\s*[^.]{2,60}$|
        (?:photo|image)\ by\ [^.]{2,60}$|
        ©\s*[^.]{2,60}$
    )""",
    re.I | re.X,
)
_CREDIT_WORDS = re.compile(
    r"\b(getty|afp|reuters|ap|epa|pool|pressroom|press\ service|photo|images?|shutterstock|"
    r"wikimedia|ukrinform|anadolu|via|office|ministry|courtesy|nato|x|telegram|facebook)\b",
    re.I | re.X,
)


_LONG = 400  # characters: no promo, stop line or credit is longer, and the vocabulary's
# ".*x.*y" patterns would backtrack for minutes over a line of a megabyte (a fuzzed page)


def is_promo(line: str) -> bool:
    return len(line) <= _LONG and bool(_PROMO.match(line.strip(" •*")))


def is_stop(line: str) -> bool:
    return len(line) <= _LONG and bool(_STOP.match(line))


def _may_end_in_credit(tail: str) -> bool:
    """What every shape of `_CREDIT_TAIL` needs (a closing bracket at the end, a colon or a
    ©, or " by "): three lines in four have none, and the pattern's search tries each of
    a line's positions (15 µs a line, against 1 µs for this)."""
    return tail.rstrip().endswith(")") or ":" in tail or "©" in tail or " by " in tail.lower()


def is_caption(line: str) -> bool:
    """A photo caption: the line ends in a photo credit rather than in a sentence."""
    tail = line[-_LONG:]
    if not _may_end_in_credit(tail):
        return False
    match = _CREDIT_TAIL.search(tail)
    if not match:
        return False
    paren = match.group("paren")
    if paren is None:
        return True
    if not any(ch.isalpha() for ch in paren):
        return False  # "(38)", "(2024)": not a credit
    words = paren.split()
    looks_credit = "/" in paren or _CREDIT_WORDS.search(paren) is not None
    all_caps_words = all(w[:1].isupper() for w in words if w.isalpha() and len(w) > 3)
    return len(words) <= 8 and (looks_credit or all_caps_words) and not paren.endswith(".")


# "The Kyiv IndependentAlexander Khrebet": a teaser card's outlet glued to its author.
_GLUED = re.compile(
    r"^[A-Z][\w’'.-]*(?: [A-Z][\w’'.-]*){0,4}?[a-z][A-Z][a-z]+(?: [A-Z][\w’'-]+){0,3}$"
)


def is_glued_signature(line: str) -> bool:
    return len(line.split()) <= 8 and bool(_GLUED.match(line))


NOT_TITLE = re.compile(
    r"^(?:by|posted|published|updated|issued|last\ updated|press\ release|автор|author)\b", re.I
)
NAME_NOISE = re.compile(
    r"^(?:by|authors?:?|автор(?:и)?:?|(?:first\s+)?posted|(?:first\s+)?published|updated|written)"
    r"\s*(?:on|by)?\s*",
    re.I,
)
_PLACE_TAIL = re.compile(r"\s+in\s+[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?$")
_JOB_TAIL = re.compile(
    r"\s+(?:(?:senior|chief|deputy|political|diplomatic|defen[cs]e|security|foreign|europe|"
    r"economics|world|news|staff|special|international|social\s+affairs)\s+)*"
    r"(?:editor|correspondent|reporter|writer|journalist|analyst|columnist|contributor)$",
    re.I,
)
_ACRONYM = re.compile(r"^[A-Z]{2,5}$")


def is_author_line(text: str, following: list[str]) -> bool:
    """'Pippa Crerar Political editor' or 'Kenji Watanabe in Tokyo' right above the dates."""
    stripped = _PLACE_TAIL.sub("", _JOB_TAIL.sub("", text))
    if stripped == text or not 2 <= len(stripped.split()) <= 4:
        return False
    return all(w[:1].isupper() for w in stripped.split()) and bool(following)


_WEEKDAY_TAIL = re.compile(
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Понеділок|Вівторок|Середа|Четвер|"
    r"П['’]ятниця|Субота|Неділя|Понедельник|Вторник|Среда|Четверг|Пятница|Суббота|"
    r"Воскресенье),?\s*$"
)


def split_names(text: str) -> tuple[str, ...]:
    """Names from a byline: 'By ZEKE MILLER and SEUNG MIN KIM' -> Zeke Miller, Seung Min Kim."""
    text = NAME_NOISE.sub("", normalize_line(text))
    text = _WEEKDAY_TAIL.sub("", text).strip(" ,|·•-–")
    names = []
    for part in re.split(r",\s*|;\s*|\s+and\s+|\s*&\s*|\s*[|·•]\s*|\s+і\s+|\s+и\s+", text):
        part = _PLACE_TAIL.sub("", part.strip())
        unjobbed = _JOB_TAIL.sub("", part)
        part = unjobbed if len(unjobbed.split()) >= 2 else part
        if _ACRONYM.match(part):
            continue  # "…, CNN": the outlet, not a person
        if part.isupper() and len(part) > 3:
            part = part.title()
        words = part.split()
        if (
            1 <= len(words) <= 6
            and part[:1].isupper()
            and not NOT_TITLE.match(part)
            and not any(ch.isdigit() for ch in part)
        ):
            names.append(part)
    return tuple(dict.fromkeys(names))


def is_truncated(line: str) -> bool:
    """A teaser's cut-off text: ends in an ellipsis without closing the sentence."""
    return line.rstrip().endswith(("…", "...")) and len(line.split()) >= 6


@dataclass(frozen=True)
class Outlet:
    name: str
    markers: tuple[str, ...]


@dataclass(frozen=True)
class Outlets:
    """The outlet registry: which strings in a page's furniture name which outlet."""

    outlets: tuple[Outlet, ...]
    pattern: re.Pattern[str] | None = field(default=None, compare=False)
    owner: dict[str, int] = field(default_factory=dict, compare=False)

    @classmethod
    def from_data(cls, items: list[dict]) -> Outlets:
        outlets = tuple(
            Outlet(str(i["name"]), tuple(map(str, i.get("markers") or ())))
            for i in items
            if isinstance(i, dict) and i.get("name")
        )
        owner: dict[str, int] = {}
        for k, outlet in enumerate(outlets):
            for marker in outlet.markers:
                owner.setdefault(fold(marker), k)  # earlier sources (the site's own) win
        alternation = "|".join(re.escape(m) for m in sorted(owner, key=len, reverse=True) if m)
        pattern = re.compile(r"(?<!\w)(?:" + alternation + r")(?!\w)") if alternation else None
        return cls(outlets, pattern, owner)

    def identify(self, furniture: str) -> str | None:
        """The outlet whose markers occur most in `furniture` (text outside the article)."""
        if self.pattern is None:
            return None
        hits: Counter[int] = Counter(self.owner[m] for m in self.pattern.findall(fold(furniture)))
        if not hits:
            return None
        best = max(hits.values())
        return self.outlets[min(k for k, n in hits.items() if n == best)].name


_DESK = re.compile(
    r"^(?:by\s+)?(?P<outlet>(?:The\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3})\s+news\s+desk$"
)
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*(?P<outlet>[^.|,]{3,60})", re.I
)


def outlet_from_line(line: str) -> str | None:
    """An outlet named by the page's own furniture: 'X news desk', '© 2024 X'."""
    line = normalize_line(line)
    for pattern in (_DESK, _COPYRIGHT):
        match = pattern.match(line)
        if match:
            return match.group("outlet").strip()
    return None
