#!/usr/bin/env python3
"""Rewrites every code block in docs/*.md and README.md marked <!-- snippet: path#region --> from that region of
that file (the lines between // @start region="region" and // @end, dedented). Run from the
repository root after changing an example; DocsSnippetsTest fails until the docs match."""
import re, pathlib
root = pathlib.Path('.')
def region(path, name):
    lines = (root/path).read_text().splitlines()
    out=[]; inside=False
    for l in lines:
        if l.strip()==f'// @start region="{name}"': inside=True; continue
        if inside and l.strip()=='// @end':
            ind=min(len(x)-len(x.lstrip()) for x in out if x.strip())
            return ''.join(('' if not x.strip() else x[ind:])+'\n' for x in out)
        if inside: out.append(l)
    raise SystemExit(f'no region {name} in {path}')
pat = re.compile(r'<!-- snippet: (?P<path>[^#\s]+)#(?P<region>[\w-]+) -->\n```java\n(?P<code>.*?)```', re.S)
for md in sorted(root.glob('docs/*.md')) + [root/'README.md']:
    t = md.read_text()
    md.write_text(pat.sub(lambda m: f"<!-- snippet: {m['path']}#{m['region']} -->\n```java\n{region(m['path'], m['region'])}```", t))
