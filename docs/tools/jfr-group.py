#!/usr/bin/env python3
"""Where the samples of a JFR recording go: per thread name, the top leaf frames and first non-JDK frames of the threads
matching a pattern, and the share of samples whose stack matches each further pattern (docs/benchmarks.md, "Third round").

Usage: python3 docs/tools/jfr-group.py rec.jfr [thread-regex] [frame-regex ...]

Record with -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints: without it JFR attributes samples to the nearest
safepoint debug information and names methods that never ran (see "Third round")."""
import collections, re, subprocess, sys
out = subprocess.run(['jfr','print','--events','jdk.ExecutionSample','--stack-depth','96',sys.argv[1]],capture_output=True,text=True).stdout
thr_rx = re.compile(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None
pats = sys.argv[3:]
threads = collections.Counter(); leaf = collections.Counter(); firstown = collections.Counter(); incl = collections.Counter()
total = 0
for s in out.split('jdk.ExecutionSample')[1:]:
    m = re.search(r'sampledThread = "([^"]*)"', s)
    t = m.group(1) if m else '?'
    t = re.sub(r'\(\d+/\d+\)#\d+', '', t); t = re.sub(r'[-#]\d+$', '', t); t = re.sub(r'\d+', 'N', t)[:110]
    threads[t] += 1
    if thr_rx and not thr_rx.search(t): continue
    frames = re.findall(r'^\s+([\w$.<>]+)\(', s, re.M)
    if not frames: continue
    total += 1
    leaf[frames[0]] += 1
    for f in frames:
        if not re.match(r'(java|jdk|sun)\.', f): firstown[f] += 1; break
    seen = set()
    for p in pats:
        for f in frames:
            if re.search(p, f):
                seen.add(p); break
    for p in seen: incl[p] += 1
allt = sum(threads.values())
print('== threads (all samples %d)' % allt)
for k, v in threads.most_common(25): print('%5.1f%% %5d  %s' % (100*v/allt, v, k))
print('== selected samples', total)
total = max(total, 1)
print('-- leaf frames'); [print('%5.1f%% %s' % (100*v/total, k)) for k, v in leaf.most_common(40)]
print('-- first non-JDK frame'); [print('%5.1f%% %s' % (100*v/total, k)) for k, v in firstown.most_common(40)]
print('-- inclusive'); [print('%5.1f%% %s' % (100*incl[p]/total, p)) for p in pats]
