"""Words clinicians type that the code titles do not use, for the search's fallback steps.

Used only when a query finds nothing word for word (see ``catalog/search.py``): filler words
are dropped, shorthand is spelled out in the words ICD-10-CM titles use, and a word the
catalog does not hold is loosened (plural, possessive, past tense). Whole-query shorthand that
names codes lives in ``resources/catalog/icd_aliases.toml`` and ``search_hints.toml``.
"""

from __future__ import annotations

#: Words that say what kind of code is wanted, not which one ("cpt 97110", "abn modifier").
#: The value is the system filter the word asks for, or None.
FILLER_KINDS: dict[str, str | None] = {
    "cpt": "pt", "hcpcs": "pt", "procedure": None, "billing": None, "bill": None,
    "code": None, "codes": None, "number": None, "num": None,
    "modifier": "modifier", "modifiers": "modifier", "mod": "modifier", "mods": "modifier",
    "icd": "icd10cm", "icd10": "icd10cm", "icd10cm": "icd10cm", "cm": "icd10cm",
    "dx": "icd10cm", "diagnosis": "icd10cm", "diag": "icd10cm",
}

#: Small words a title may lack ("cva with aphasia", "code for therapeutic exercise"); the
#: lone "s" is what is left of a possessive ("golfer's" is tokenised "golfer", "s").
STOPWORDS = frozenset({
    "a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "w",
    "with", "s", "pt", "patient", "pts", "dz",
    # a question around the words ("what is the cpt code for gait training")
    "what", "which", "is", "are", "how", "do", "does", "should", "can", "i", "use", "please",
    "meaning", "definition", "mean", "means",
})
#: Tokens of "s/p" (status post): never in a title in that form.
STATUS_POST = ("s", "p")

#: Shorthand spelled out in the words of ICD-10-CM titles and of the PT catalog (two-word
#: keys are matched before one-word keys). Body parts and conditions PTs abbreviate.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "it band": ("iliotibial", "band"),
    "itb": ("iliotibial", "band"),
    "itbs": ("iliotibial", "band", "syndrome"),
    "acl": ("anterior", "cruciate"),
    "pcl": ("posterior", "cruciate"),
    "mcl": ("medial", "collateral"),
    "lcl": ("lateral", "collateral"),
    "ucl": ("ulnar", "collateral"),
    "tfl": ("hip",),
    "ac": ("acromioclavicular",),
    "si": ("sacroiliac",),
    "sij": ("sacroiliac",),
    "tmj": ("temporomandibular",),
    "rc": ("rotator", "cuff"),
    "rtc": ("rotator", "cuff"),
    "pfps": ("patellofemoral",),
    "ddd": ("disc", "degeneration"),
    "djd": ("osteoarthritis",),
    "oa": ("osteoarthritis",),
    "ra": ("rheumatoid", "arthritis"),
    "cva": ("cerebral", "infarction"),
    "tbi": ("intracranial", "injury"),
    "pd": ("parkinson",),
    "ms": ("multiple", "sclerosis"),
    "als": ("amyotrophic", "lateral", "sclerosis"),
    "cts": ("carpal", "tunnel"),
    "lbp": ("low", "back", "pain"),
    "hnp": ("disc", "displacement"),
    "fx": ("fracture",),
    "fxs": ("fracture",),
    "frx": ("fracture",),
    "rt": ("right",),
    "lt": ("left",),
    "bil": ("bilateral",),
    "bilat": ("bilateral",),
    "hx": ("history",),
    # comorbidities on a referral
    "chf": ("heart", "failure"),
    "copd": ("chronic", "obstructive", "pulmonary"),
    "htn": ("hypertension",),
    "dvt": ("deep", "vein", "thrombosis"),
    "afib": ("atrial", "fibrillation"),
    "cad": ("coronary", "artery", "disease"),
    "dm": ("diabetes", "mellitus"),
    "sob": ("shortness", "breath"),
    "ue": ("upper", "arm"),
    "le": ("lower", "leg"),
    "ant": ("anterior",),
    "lat": ("lateral",),
    "med": ("medial",),
    "torn": ("tear",),
    "broken": ("fracture",),
    "break": ("fracture",),
    "pulled": ("strain",),
    "collarbone": ("clavicle",),
    "kneecap": ("patella",),
    "shinbone": ("tibia",),
    "thighbone": ("femur",),
    "oedema": ("edema",),
    "lymphoedema": ("lymphedema",),
    "tendonitis": ("tendinitis",),
    "tendinopathy": ("tendinitis",),
    "tendonopathy": ("tendinitis",),
    "osteoporotic": ("osteoporosis",),
    "radial": ("radius",),
    "patellar": ("patella",),
    "vertebral": ("vertebra",),
    "fibular": ("fibula",),
    "clavicular": ("clavicle",),
    "scapular": ("scapula",),
    "ulnar": ("ulna",),
    "humeral": ("humerus",),
    "femoral": ("femur",),
    "tibial": ("tibia",),
    "trng": ("training",),
    "trg": ("training",),
    "ther": ("therapeutic",),
    "ex": ("exercise",),
    "exer": ("exercise",),
    "stim": ("stimulation",),
    "eval": ("evaluation",),
}

#: Words that cannot carry a partial match alone: "piriformis syndrome" is not any syndrome.
GENERIC = frozenset({
    "syndrome", "disorder", "disorders", "disease", "pain", "problem", "problems", "issue",
    "condition", "dysfunction", "other", "unspecified", "left", "right", "bilateral",
    "chronic", "acute", "initial", "subsequent", "encounter", "sequela", "type", "site",
    "part", "region", "therapy", "treatment", "training", "management", "care",
})

#: Words that say a procedure is meant without naming it ("bppv treatment", "ultrasound
#: therapy"): a PT code matching every other word still matches.
PROCEDURE_WORDS = frozenset({
    "treatment", "treatments", "therapy", "tx", "rx", "session", "sessions", "technique",
    "techniques", "procedure", "service", "services", "intervention", "interventions",
    "rehab", "rehabilitation", "program", "programs",
})

#: Phrases PT titles abbreviate: "physical therapy re-evaluation" is "PT re-evaluation".
PT_PHRASES: dict[str, str] = {
    "physical therapy": "pt", "physical therapist": "pt", "occupational therapy": "ot",
}

#: Words that mean an injury: "ankle fracture" is the injury (S82), not an osteoporotic or
#: pathological fracture (M80/M84), unless the query names one of PATHOLOGY_WORDS.
INJURY_WORDS = frozenset({
    "fracture", "fractures", "fractured", "fx", "sprain", "sprains", "sprained", "strain",
    "strains", "strained", "dislocation", "dislocated", "tear", "torn", "rupture",
    "ruptured", "injury", "contusion", "break", "broken",
})
PATHOLOGY_WORDS = frozenset({
    "osteoporotic", "osteoporosis", "pathological", "pathologic", "path", "stress",
    "fatigue", "insufficiency", "neoplastic", "disease", "fragility", "nontraumatic",
    "atraumatic", "malunion", "nonunion", "periprosthetic", "chronic", "spontaneous",
    "arthritis", "osteoarthritis", "arthropathy",
})


#: Qualifiers that titles write as two words ("left non-dominant side") and clinicians as one:
#: the query word also matches the two words, and "dominant" alone does not match them.
SPLIT_WORDS: dict[str, tuple[str, ...]] = {"nondominant": ("non", "dominant")}
#: How a title is read for the qualifiers: "non-dominant" is "nondominant" (so "dominant" does
#: not match it) and "not specified as traumatic" (M75.1) is "nontraumatic" (so "traumatic"
#: does not match it).
TITLE_FOLDS: tuple[tuple[str, str], ...] = (
    ("non-dominant", "nondominant"),
    ("not specified as traumatic", "nontraumatic"),
)


#: Query words the folds matter to; other queries compare plain lower-cased titles.
FOLDED_WORDS = frozenset({"dominant", "nondominant", "traumatic", "nontraumatic"})


def folds(words: list[str]) -> bool:
    """Whether ``TITLE_FOLDS`` can change how ``words`` match a title."""
    return not FOLDED_WORDS.isdisjoint(words)


def fold_title(title: str, fold: bool = True) -> str:
    """``title`` lower-cased as the ranking compares it with query words (``TITLE_FOLDS``;
    ``fold`` False: only lower-cased, for a query without a folded word)."""
    lowered = title.lower()
    if not fold:
        return lowered
    for old, new in TITLE_FOLDS:
        if old in lowered:
            lowered = lowered.replace(old, new)
    return lowered


def joined(words: list[str]) -> list[str]:
    """Query words with the two words of a ``SPLIT_WORDS`` qualifier made one again
    ("non-dominant" is tokenised "non", "dominant")."""
    if "non" not in words:
        return words
    out: list[str] = []
    for w in words:
        if out and out[-1] == "non" and SPLIT_WORDS.get("non" + w) == ("non", w):
            out[-1] = "non" + w
        else:
            out.append(w)
    return out


def traumatic(words: list[str]) -> bool:
    """The query says the condition came from an injury ("traumatic rotator cuff tear"), not
    "post traumatic" arthritis."""
    return any(w in ("traumatic", "trauma") and (i == 0 or words[i - 1] != "post")
               for i, w in enumerate(words))


def loosened(word: str, *, known: bool = False) -> list[str]:
    """Forms of ``word`` without a plural, possessive or past-tense ending, most likely
    first ('golfers' -> 'golfer', 'fractured' -> 'fractur', 'exercises' -> 'exercise').
    A ``known`` word keeps its "-ing" ('training' is not 'train')."""
    out: list[str] = []
    n = len(word)
    if n > 4 and word.endswith("ies"):
        out.append(word[:-3] + "y")
    if n > 4 and word.endswith("es"):
        out.append(word[:-1])
        out.append(word[:-2])
    elif n > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        out.append(word[:-1])
    if n > 4 and word.endswith("ed"):
        out.append(word[:-2])
    if n > 5 and word.endswith("ing") and not known:
        out.append(word[:-3])
    return [w for w in dict.fromkeys(out) if w and w != word]


def stem(word: str) -> str:
    """The singular of ``word`` for comparing phrases loosely ('hot packs' = 'hot pack')."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_LINKING = frozenset({"a", "an", "and", "at", "for", "in", "of", "on", "s", "the", "to", "with"})


def loose_key(words: list[str]) -> str:
    """A phrase key insensitive to plurals, possessives, linking words and word order:
    "golfer's elbows" and "elbow golfer" -> 'elbow golfer'."""
    return " ".join(sorted(stem(w) for w in words if w not in _LINKING))
