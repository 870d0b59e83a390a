#!/usr/bin/env python3
"""Grows a generated corpus's glossary to a given number of terms and synonyms, for the auto-link benchmark.

    python3 bench/add_glossary_terms.py SITE_ROOT --terms 2000 --synonyms 6000

New terms are made of word pairs that occur in the corpus's own bodies (so they really match),
plus rarer made-up phrases; synonyms are spread over the corpus's departments. Deterministic.
"""
import argparse, collections, os, random, re

ap = argparse.ArgumentParser()
ap.add_argument("root")
ap.add_argument("--terms", type=int, default=2000)
ap.add_argument("--synonyms", type=int, default=6000)
ap.add_argument("--seed", type=int, default=7)
a = ap.parse_args()
rnd = random.Random(a.seed)
content = os.path.join(a.root, "content")
glossary = os.path.join(content, "glossary")
departments = sorted(f[:-3] for f in os.listdir(os.path.join(content, "departments")) if f.endswith(".md"))

existing_terms, existing_synonyms, taken = 0, 0, set()
for f in sorted(os.listdir(glossary)):
    text = open(os.path.join(glossary, f), encoding="utf-8").read()
    existing_terms += 1
    fm = text.split("---")[1]
    existing_synonyms += len(re.findall(r'"([^"]+)"', "\n".join(l for l in fm.splitlines() if l.startswith("  "))))
    for w in re.findall(r'"([^"]+)"', fm):
        taken.add(w.lower())

# Word pairs from the bodies, most frequent first: realistic phrases that occur in text.
pairs = collections.Counter()
for folder in ("journeys", "research", "personas"):
    d = os.path.join(content, folder)
    for f in sorted(os.listdir(d))[:300]:
        words = re.findall(r"[a-z]+", open(os.path.join(d, f), encoding="utf-8").read().split("---", 2)[-1].lower())
        for x, y in zip(words, words[1:]):
            if len(x) > 3 and len(y) > 3:
                pairs[x + " " + y] += 1
common = [p for p, _ in pairs.most_common() if p not in taken]
syllables = ["ka", "lo", "mi", "ran", "tor", "vel", "sin", "dar", "pe", "qua", "zo", "bri"]

def made_up():
    return "".join(rnd.choice(syllables) for _ in range(3)) + " " + "".join(rnd.choice(syllables) for _ in range(2))

def fresh(pool):
    while True:
        w = pool.pop(0) if pool and rnd.random() < 0.5 else made_up()
        if w not in taken:
            taken.add(w)
            return w

need_terms = max(0, a.terms - existing_terms)
need_synonyms = max(0, a.synonyms - existing_synonyms)
for i in range(need_terms):
    name = fresh(common)
    count = need_synonyms // (need_terms - i) if need_terms - i else 0
    need_synonyms -= count
    synonyms = collections.defaultdict(list)
    for _ in range(count):
        synonyms[rnd.choice(departments)].append(fresh(common))
    lines = ["---", f'term: "{name.capitalize()}"', f'definition: "What every department means by {name}."']
    if synonyms:
        lines.append("synonyms:")
        for dep in sorted(synonyms):
            lines.append(f"  {dep}: [" + ", ".join(f'"{w}"' for w in synonyms[dep]) + "]")
    lines += ["---", "", f"Benchmark term {i}.", ""]
    slug = re.sub(r"[^a-z0-9]+", "-", name) + f"-b{i:05d}"
    with open(os.path.join(glossary, slug + ".md"), "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
print(f"glossary: {existing_terms + need_terms} terms, {a.synonyms} synonyms (added {need_terms} terms)")
