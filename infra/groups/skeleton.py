"""File names that look like ``groups.yaml`` but are not: Unicode skeletons.

The skeleton of a string (Unicode TS #39, section 4) maps each character to
the one it is confused with, so two strings that look alike have the same
skeleton. Here: compatibility decomposition (NFKD, which folds full-width
and mathematical letters), case folding, combining marks dropped, then the
table below, a subset of Unicode's ``confusables.txt``: the characters of
other scripts whose prototype is an ASCII letter, digit or dot. A name whose
skeleton equals ``groups.yaml``'s is a groups file renamed with a look-alike
letter (a Cyrillic o, U+043E, for its first o, say): the loader warns about
it, since it is not read and its groups would read as deleted.
"""

from __future__ import annotations

import unicodedata

# character -> ASCII prototype: the entries of Unicode's confusables.txt whose
# prototype is one ASCII letter, digit or dot, for the scripts file names here
# could be typed in (Cyrillic, Greek, Armenian, Latin extensions, Cherokee...)
CONFUSABLES: dict[str, str] = {
    "\u0131": "i",  # LATIN SMALL LETTER DOTLESS I
    "\u018d": "g",  # LATIN SMALL LETTER TURNED DELTA
    "\u01c0": "i",  # LATIN LETTER DENTAL CLICK
    "\u0251": "a",  # LATIN SMALL LETTER ALPHA
    "\u0261": "g",  # LATIN SMALL LETTER SCRIPT G
    "\u0269": "i",  # LATIN SMALL LETTER IOTA
    "\u026a": "i",  # LATIN LETTER SMALL CAPITAL I
    "\u028f": "y",  # LATIN LETTER SMALL CAPITAL Y
    "\u03b1": "a",  # GREEK SMALL LETTER ALPHA
    "\u03b3": "y",  # GREEK SMALL LETTER GAMMA
    "\u03b9": "i",  # GREEK SMALL LETTER IOTA
    "\u03bd": "v",  # GREEK SMALL LETTER NU
    "\u03bf": "o",  # GREEK SMALL LETTER OMICRON
    "\u03c1": "p",  # GREEK SMALL LETTER RHO
    "\u03c3": "o",  # GREEK SMALL LETTER SIGMA
    "\u03c5": "u",  # GREEK SMALL LETTER UPSILON
    "\u03f1": "p",  # GREEK RHO SYMBOL
    "\u03f2": "c",  # GREEK LUNATE SIGMA SYMBOL
    "\u03f3": "j",  # GREEK LETTER YOT
    "\u0430": "a",  # CYRILLIC SMALL LETTER A
    "\u0431": "6",  # CYRILLIC SMALL LETTER BE
    "\u0433": "r",  # CYRILLIC SMALL LETTER GHE
    "\u0435": "e",  # CYRILLIC SMALL LETTER IE
    "\u043e": "o",  # CYRILLIC SMALL LETTER O
    "\u0440": "p",  # CYRILLIC SMALL LETTER ER
    "\u0441": "c",  # CYRILLIC SMALL LETTER ES
    "\u0443": "y",  # CYRILLIC SMALL LETTER U
    "\u0445": "x",  # CYRILLIC SMALL LETTER HA
    "\u0455": "s",  # CYRILLIC SMALL LETTER DZE
    "\u0456": "i",  # CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
    "\u0458": "j",  # CYRILLIC SMALL LETTER JE
    "\u0475": "v",  # CYRILLIC SMALL LETTER IZHITSA
    "\u04af": "y",  # CYRILLIC SMALL LETTER STRAIGHT U
    "\u04bb": "h",  # CYRILLIC SMALL LETTER SHHA
    "\u04cf": "i",  # CYRILLIC SMALL LETTER PALOCHKA
    "\u0501": "d",  # CYRILLIC SMALL LETTER KOMI DE
    "\u051b": "q",  # CYRILLIC SMALL LETTER QA
    "\u051d": "w",  # CYRILLIC SMALL LETTER WE
    "\u0561": "w",  # ARMENIAN SMALL LETTER AYB
    "\u0566": "q",  # ARMENIAN SMALL LETTER ZA
    "\u0570": "h",  # ARMENIAN SMALL LETTER HO
    "\u0578": "n",  # ARMENIAN SMALL LETTER VO
    "\u057d": "u",  # ARMENIAN SMALL LETTER SEH
    "\u0581": "g",  # ARMENIAN SMALL LETTER CO
    "\u0584": "f",  # ARMENIAN SMALL LETTER KEH
    "\u0585": "o",  # ARMENIAN SMALL LETTER OH
    "\u0660": ".",  # ARABIC-INDIC DIGIT ZERO
    "\u06f0": ".",  # EXTENDED ARABIC-INDIC DIGIT ZERO
    "\u0702": ".",  # SYRIAC SUBLINEAR FULL STOP
    "\u1d04": "c",  # LATIN LETTER SMALL CAPITAL C
    "\u1d0f": "o",  # LATIN LETTER SMALL CAPITAL O
    "\u1d1c": "u",  # LATIN LETTER SMALL CAPITAL U
    "\u1d20": "v",  # LATIN LETTER SMALL CAPITAL V
    "\u1d21": "w",  # LATIN LETTER SMALL CAPITAL W
    "\u1d22": "z",  # LATIN LETTER SMALL CAPITAL Z
    "\u1eff": "y",  # LATIN SMALL LETTER Y WITH LOOP
    "\u2024": ".",  # ONE DOT LEADER
    "\ua4f8": ".",  # LISU LETTER TONE MYA TI
    "\ua731": "s",  # LATIN LETTER SMALL CAPITAL S
    "\uabaa": "s",  # CHEROKEE SMALL LETTER DU
    # digits and signs confusables.txt folds into letters
    "0": "o",
    "1": "l",
    "|": "l",
}


def skeleton(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).casefold()
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return "".join(CONFUSABLES.get(c, c) for c in bare)


def looks_like(name: str, target: str) -> bool:
    """Whether ``name`` is not ``target`` but looks like it."""
    return name != target and skeleton(name) == skeleton(target)
