#!/usr/bin/env python3
"""Where a wasm module's bytes are: sections, data segments, and code bodies by crate (from the
function names in the name section). For the package-size breakdown in BENCHMARKS.md:

    wasm-bindgen --target web --out-dir /tmp/w --out-name cf target/pkg-pkg.wasm
    wasm-opt -Oz -g <features as in build-pkg.sh> /tmp/w/cf_bg.wasm -o /tmp/w/named.wasm
    python3 scripts/wasm-size.py /tmp/w/named.wasm [how many of the largest functions to list]

(`-g` keeps the names; the shipped module has none.)"""
import sys, re, collections, zlib

def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1
        r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i

def parse(path):
    b = open(path, 'rb').read()
    i = 8
    secs = []
    while i < len(b):
        sid = b[i]; i += 1
        size, i = leb(b, i)
        secs.append((sid, b[i:i+size], i))
        i += size
    return b, secs

def main():
    path = sys.argv[1]; top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    b, secs = parse(path)
    nimports = 0
    names = {}
    bodies = []
    sec_sizes = collections.Counter()
    datas = []
    for sid, s, off in secs:
        if sid == 0:
            nl, j = leb(s, 0); nm = s[j:j+nl].decode(); j += nl
            sec_sizes['custom:' + nm] += len(s)
            if nm == 'name':
                while j < len(s):
                    sub = s[j]; j += 1
                    sz, j = leb(s, j); end = j + sz
                    if sub == 1:
                        cnt, j = leb(s, j)
                        for _ in range(cnt):
                            idx, j = leb(s, j); l, j = leb(s, j)
                            names[idx] = s[j:j+l].decode('utf-8', 'replace'); j += l
                    j = end
            continue
        sec_sizes[sid] += len(s)
        if sid == 2:
            cnt, j = leb(s, 0)
            for _ in range(cnt):
                l, j = leb(s, j); j += l; l, j = leb(s, j); j += l
                kind = s[j]; j += 1
                if kind == 0: _, j = leb(s, j); nimports += 1
                elif kind == 1: j += 1; fl, j = leb(s, j); _, j = leb(s, j); j = j if fl == 0 else leb(s, j)[1]
                elif kind == 2: fl, j = leb(s, j); _, j = leb(s, j); j = j if fl == 0 else leb(s, j)[1]
                elif kind == 3: j += 2
        if sid == 10:
            cnt, j = leb(s, 0)
            for k in range(cnt):
                sz, j2 = leb(s, j)
                bodies.append((nimports + k, sz + (j2 - j), s[j2:j2+sz]))
                j = j2 + sz
        if sid == 11:
            cnt, j = leb(s, 0)
            for k in range(cnt):
                fl, j = leb(s, j)
                if fl == 0:
                    # i32.const expr
                    while s[j] != 0x0b: j += 1
                    j += 1
                elif fl == 2:
                    _, j = leb(s, j)
                    while s[j] != 0x0b: j += 1
                    j += 1
                sz, j = leb(s, j)
                datas.append(s[j:j+sz]); j += sz
    secnames = {1:'type',2:'import',3:'function',4:'table',5:'memory',6:'global',7:'export',8:'start',9:'elem',10:'code',11:'data',12:'datacount'}
    total = len(b)
    print(f"{path}: {total} bytes raw, {len(zlib.compress(b, 9))} zlib-9")
    for k, v in sec_sizes.most_common():
        print(f"  section {secnames.get(k, k)}: {v}")
    print(f"  data segments: {len(datas)}, sizes {[len(d) for d in datas][:10]}")
    def crate(n):
        n = re.sub(r"\[[0-9a-f]{16}\]", "", n.strip())
        m = re.match(r'^<?(?:&(?:mut )?)?(?:\w+ as )?([A-Za-z_][A-Za-z0-9_]*)::', n)
        if n.startswith('<'):
            inner = n[1:]
            m2 = re.match(r'(?:&(?:mut )?)?(?:\[)?(?:dyn )?([A-Za-z_][A-Za-z0-9_]*)', inner)
            # prefer the trait impl's crate for "<X as trait>"
            m3 = re.search(r' as ([A-Za-z_][A-Za-z0-9_]*)::', n)
            if m2 and m2.group(1) in ('alloc','core','std') and m3: return m3.group(1)
            return m2.group(1) if m2 else '?'
        return m.group(1) if m else n.split('(')[0][:30]
    bycrate = collections.Counter(); cnt = collections.Counter()
    byfn = []
    for idx, sz, body in bodies:
        n = names.get(idx, f'func{idx}')
        c = crate(n)
        bycrate[c] += sz; cnt[c] += 1
        byfn.append((sz, n))
    code_total = sum(sz for _, sz, _ in bodies)
    print(f"code bodies: {code_total} bytes in {len(bodies)} functions; by crate (first path segment):")
    for c, v in bycrate.most_common(25):
        print(f"  {v:8d} {100*v/code_total:5.1f}%  {cnt[c]:5d} fns  {c}")
    groups = collections.Counter()
    for c, v in bycrate.items():
        if c in ('core','std','alloc','compiler_builtins','dlmalloc','f64','f32','char','T','i128','u128','hashbrown','zmij','sinh','memcpy','memset','memmove') or c.startswith(('core','compiler_builtins','std','alloc','dlmalloc','<')):
            g = 'Rust std/core/alloc (sort, fmt, malloc, math)'
        elif c in ('serde_json',): g = 'serde_json'
        elif c in ('serde_wasm_bindgen','serde_core','serde'): g = 'serde + serde-wasm-bindgen'
        elif c in ('jiff','jiff_core'): g = 'jiff (+ jiff-core)'
        elif c == 'rust_decimal': g = 'rust_decimal'
        elif c == 'serde_path_to_error': g = 'serde_path_to_error'
        elif c == 'chargefinder': g = 'chargefinder (core crate, not inlined)'
        elif c.startswith('chargefinder_') or c.startswith('filter_') or c in ('wasm_bindgen','js_sys','__wbindgen','__wbg'): g = 'binding: exported shims (inlined core code) + wasm-bindgen'
        else: g = 'other: ' + c
        groups[g] += v
    print("grouped:")
    for g, v in groups.most_common(15):
        print(f"  {v:8d} {100*v/code_total:5.1f}%  {g}")
    print("largest functions:")
    for sz, n in sorted(byfn, reverse=True)[:top]:
        print(f"  {sz:7d}  {n[:150]}")

main()
