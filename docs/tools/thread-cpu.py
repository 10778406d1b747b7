#!/usr/bin/env python3
"""CPU seconds per thread name of every `sluice bench` JVM on this machine (docs/benchmarks.md, "Third round").

Usage: python3 docs/tools/thread-cpu.py &   (then run benches; stop it with kill PID)

Polls /proc every 0.5 s; when a bench JVM exits, writes /tmp/sluice-threads/<pid>.txt: its installation directory, total
CPU seconds, and the CPU seconds of its threads summed by name (the kernel keeps 15 characters: "route: payments" is the
source router chain with everything chained behind it, "C2 CompilerThre" the optimising JIT). Unlike a JFR profile it
counts native work too (DuckDB, the JIT, GC)."""
import os, time, glob, collections
HZ = os.sysconf('SC_CLK_TCK'); os.makedirs('/tmp/sluice-threads', exist_ok=True)
state = {}
def cmd(pid):
    try: return open(f'/proc/{pid}/cmdline','rb').read().replace(b'\0',b' ').decode()
    except Exception: return ''
while True:
    pids = [p for p in os.listdir('/proc') if p.isdigit()]
    for p in pids:
        if p not in state:
            c = cmd(p)
            if 'sluice.jar' in c and ' bench ' in c and c.startswith('java'):
                home = os.readlink(f'/proc/{p}/cwd') if os.path.exists(f'/proc/{p}/cwd') else '?'
                state[p] = {'home': home, 'threads': {}, 'start': time.time()}
    for p, st in list(state.items()):
        alive = os.path.exists(f'/proc/{p}')
        if alive:
            for t in glob.glob(f'/proc/{p}/task/*'):
                try:
                    s = open(t + '/stat').read()
                    comm = s[s.index('(')+1:s.rindex(')')]
                    f = s[s.rindex(')')+2:].split()
                    st['threads'][t.rsplit('/',1)[1]] = (comm, (int(f[11]) + int(f[12])) / HZ)
                except Exception: pass
        else:
            agg = collections.Counter()
            for comm, cpu in st['threads'].values(): agg[comm] += cpu
            with open(f'/tmp/sluice-threads/{p}.txt', 'w') as out:
                out.write(f"home {st['home']} total {sum(agg.values()):.1f}\n")
                for k, v in agg.most_common(): out.write(f'{v:8.2f} {k}\n')
            del state[p]
    time.sleep(0.5)
