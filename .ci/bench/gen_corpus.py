#!/usr/bin/env python3
"""Generate a synthetic content folder in Versa's format (shared/SPEC.md) and,
beside it, the same pages as a Hugo site, so both can be built and served from
the same words.

usage: gen_corpus.py OUT_DIR [--topics T] [--systems S] [--features F] [--articles A] [--seed N]
       gen_corpus.py OUT_DIR --wide [--systems 17] [--features 20000] [--articles 0]
writes OUT_DIR/versa/content/... and OUT_DIR/hugo/{config.toml,content/...}

--wide writes one topic shaped like a browser-compatibility matrix: few
systems, tens of thousands of features with hierarchical dotted keys
(area.interface.member, e.g. api.fetch.keepalive) in about 20 categories,
most cells a support level with a since version, some with notes. It is the
data set issue 15 measures check, build and restart time and memory with.
"""
import argparse, os, random, textwrap

WORDS = ("cache query index latency throughput schema migration replica shard "
         "cluster async thread worker pool template router handler middleware "
         "session cookie token auth admin form validation serializer queue "
         "stream batch commit rollback transaction lock contention memory "
         "allocation garbage pause tail percentile benchmark deploy container "
         "image build plugin extension ecosystem community documentation tutorial "
         "upgrade backward compatible release stable mature lightweight flexible "
         "opinionated batteries minimal explicit convention configuration secure "
         "injection escaping forgery clickjacking header policy encryption hashing "
         "password permission role group tenant scale horizontal vertical load "
         "balancer proxy gateway websocket realtime streaming upload download "
         "json xml graphql rest grpc protocol client server driver dialect").split()

SUPPORT = ["yes", "yes", "yes", "partial", "no", "no", "plugin", "unknown"]


def sentence(rng, n=None):
    n = n or rng.randint(8, 20)
    w = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(w).capitalize() + "."


def para(rng, k=None):
    return " ".join(sentence(rng) for _ in range(k or rng.randint(3, 6)))


def bullets(rng, k):
    return "\n".join("- " + sentence(rng) for _ in range(k))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--topics", type=int, default=5)
    ap.add_argument("--systems", type=int, default=40, help="per topic")
    ap.add_argument("--features", type=int, default=60, help="per topic")
    ap.add_argument("--articles", type=int, default=None, help="per topic (default 200; 0 with --wide)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wide", action="store_true", help="one browser-compat-like topic (see above)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    if a.wide:
        a.systems = a.systems if a.systems != 40 else 17
        a.features = a.features if a.features != 60 else 20000
        a.articles = a.articles or 0
        wide(a, rng)
        return
    if a.articles is None:
        a.articles = 200
    vroot = os.path.join(a.out, "versa", "content")
    hroot = os.path.join(a.out, "hugo")
    os.makedirs(os.path.join(hroot, "content"), exist_ok=True)
    with open(os.path.join(hroot, "config.toml"), "w") as f:
        f.write('baseURL = "http://localhost/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    os.makedirs(os.path.join(hroot, "layouts", "_default"), exist_ok=True)
    page = ('<!doctype html><html><head><title>{{ .Title }}</title></head><body>'
            '<h1>{{ .Title }}</h1>{{ .Content }}</body></html>')
    for name in ("single.html", "list.html"):
        with open(os.path.join(hroot, "layouts", "_default", name), "w") as f:
            f.write(page)
    cells = 0
    for t in range(a.topics):
        topic = f"topic-{t}"
        tdir = os.path.join(vroot, topic)
        os.makedirs(os.path.join(tdir, "systems"), exist_ok=True)
        os.makedirs(os.path.join(tdir, "articles"), exist_ok=True)
        cats = [f"cat-{c}" for c in range(max(1, a.features // 10))]
        feats = []
        for i in range(a.features):
            typ = "support" if i % 10 else rng.choice(["text", "year", "number"])
            feats.append((f"feat-{i}", cats[i % len(cats)], typ))
        with open(os.path.join(tdir, "topic.yaml"), "w") as f:
            f.write(f"title: Topic {t}\nsummary: {sentence(rng)}\ncategories:\n")
            for c in cats:
                f.write(f"  - key: {c}\n    title: Category {c[4:]}\n")
            f.write("features:\n")
            for key, cat, typ in feats:
                f.write(f"  - key: {key}\n    name: Feature {key[5:]}\n    category: {cat}\n"
                        f"    description: {sentence(rng)}\n    type: {typ}\n")
        hsys = os.path.join(hroot, "content", topic, "systems")
        hart = os.path.join(hroot, "content", topic, "articles")
        os.makedirs(hsys, exist_ok=True)
        os.makedirs(hart, exist_ok=True)
        systems = [f"sys-{t}-{s}" for s in range(a.systems)]
        for slug in systems:
            body = (f"{para(rng)}\n\n## Pros\n{bullets(rng, 5)}\n\n## Cons\n{bullets(rng, 4)}\n\n"
                    f"## Use cases\n{bullets(rng, 3)}\n\n## Details\n{para(rng)}\n")
            lines = [f"name: System {slug[4:]}", f"homepage: https://example.org/{slug}/",
                     f"summary: {sentence(rng)}", "tags: [bench]", "features:"]
            for key, cat, typ in feats:
                cells += 1
                if typ == "support":
                    v = rng.choice(SUPPORT)
                    if rng.random() < 0.3:
                        lines.append(f"  {key}: {{support: {v}, note: {sentence(rng, 6)[:-1]}}}")
                    else:
                        lines.append(f"  {key}: {v}")
                elif typ == "year":
                    lines.append(f"  {key}: {rng.randint(1995, 2025)}")
                elif typ == "number":
                    lines.append(f"  {key}: {rng.randint(1, 100000)}")
                else:
                    lines.append(f"  {key}: {rng.choice(WORDS)} {rng.choice(WORDS)}")
            fm = "\n".join(lines)
            with open(os.path.join(tdir, "systems", slug + ".md"), "w") as f:
                f.write(f"---\n{fm}\n---\n{body}")
            with open(os.path.join(hsys, slug + ".md"), "w") as f:
                f.write(f"---\ntitle: System {slug[4:]}\n---\n{body}")
        for i in range(a.articles):
            pick = rng.sample(systems, 2)
            slug = f"article-{t}-{i}"
            body = "\n\n".join(f"## Section {k}\n{para(rng)}" for k in range(4))
            body += f"\n\n## When to choose {pick[0]}\n{bullets(rng, 3)}\n"
            fm = (f"title: Article {t}-{i}\nsummary: {sentence(rng)}\n"
                  f"systems: [{pick[0]}, {pick[1]}]\ntags: [bench]\nupdated: 2026-01-{1 + i % 28:02d}")
            with open(os.path.join(tdir, "articles", slug + ".md"), "w") as f:
                f.write(f"---\n{fm}\n---\n{body}")
            with open(os.path.join(hart, slug + ".md"), "w") as f:
                f.write(f"---\ntitle: Article {t}-{i}\n---\n{body}")
    n_sys = a.topics * a.systems
    n_art = a.topics * a.articles
    print(f"topics={a.topics} systems={n_sys} articles={n_art} cells={cells}")


def wide(a, rng):
    """One topic of a.systems systems x a.features dotted features."""
    tdir = os.path.join(a.out, "versa", "content", "compat")
    os.makedirs(os.path.join(tdir, "systems"), exist_ok=True)
    os.makedirs(os.path.join(tdir, "articles"), exist_ok=True)
    areas = ["api", "css", "html", "http", "javascript", "svg", "webassembly", "webdriver",
             "mathml", "manifests", "media", "security", "storage", "workers", "xpath",
             "intl", "webgl", "webgpu", "webrtc", "accessibility"]
    # Each interface has a few dozen members, as in browser-compat data,
    # and (every other one) is a feature itself, the prefix of its members'
    # keys (api.fetch before api.fetch.keepalive).
    feats = []
    i = 0
    while len(feats) < a.features:
        area = areas[i % len(areas)]
        iface = f"{rng.choice(WORDS)}{i}"
        if i % 2 == 0:
            feats.append((f"{area}.{iface}", area))
        for m in range(rng.randint(5, 60)):
            if len(feats) == a.features:
                break
            member = f"{rng.choice(WORDS)}_{m}"
            feats.append((f"{area}.{iface}.{member}", area))
        i += 1
    with open(os.path.join(tdir, "topic.yaml"), "w") as f:
        f.write("title: Compatibility\nsummary: A wide generated matrix of platform features.\ncategories:\n")
        for area in areas:
            f.write(f"  - key: {area}\n    title: {area.capitalize()}\n")
        f.write("features:\n")
        for key, area in feats:
            f.write(f"  - key: {key}\n    name: {key.split('.', 1)[1]}\n    category: {area}\n")
            if rng.random() < 0.2:
                f.write(f"    description: {sentence(rng, 8)}\n")
    cells = 0
    wide_support = ["yes"] * 6 + ["partial", "no", "no", "unknown"]
    for s in range(a.systems):
        slug = f"browser-{s}"
        lines = [f"name: Browser {s}", f"homepage: https://example.org/{slug}/",
                 f"summary: {sentence(rng)}", "features:"]
        for key, _ in feats:
            v = rng.choice(wide_support)
            r = rng.random()
            cells += 1
            if v == "unknown" and r < 0.5:
                continue  # left out: shown as unknown
            if r < 0.1:
                lines.append(f"  {key}: {{support: {v}, since: \"{rng.randint(1, 130)}\", note: {sentence(rng, 6)[:-1]}}}")
            elif r < 0.6 and v != "unknown":
                lines.append(f"  {key}: {{support: {v}, since: \"{rng.randint(1, 130)}\"}}")
            else:
                lines.append(f"  {key}: {v}")
        with open(os.path.join(tdir, "systems", slug + ".md"), "w") as f:
            f.write("---\n" + "\n".join(lines) + f"\n---\n{para(rng)}\n\n## Pros\n{bullets(rng, 3)}\n")
    for i in range(a.articles):
        pick = rng.sample(range(a.systems), 2)
        with open(os.path.join(tdir, "articles", f"notes-{i}.md"), "w") as f:
            f.write(f"---\ntitle: Notes {i}\nsystems: [browser-{pick[0]}, browser-{pick[1]}]\n"
                    f"updated: 2026-01-{1 + i % 28:02d}\n---\n{para(rng)}\n")
    print(f"topics=1 systems={a.systems} features={len(feats)} articles={a.articles} cells={cells}")


if __name__ == "__main__":
    main()
