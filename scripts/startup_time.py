"""Starts `sluice demo` from the distribution jar on a fresh data directory, as ./sluice does (same JVM flags), and
prints one JSON line: the load average, when GET /api/v1/health first answered, when the banner was printed, when each
table first reported stored rows in /metrics (seconds since the process was started, with the process's CPU-s then),
the CPU-s of the busiest live threads at the first row (the JIT's compiler threads among them), and the server's own
"Started:" line (docs/benchmarks.md, start-up). Stops the demo once merchant_revenue has a row.
`cpu_timeline` is the process's CPU-s every half second ([seconds, CPU-s]): how much of the cores the start kept busy.
Usage: [SLUICE_JIT=full|jvm] [KEEP_LOG=FILE] startup_time.py SLUICE_HOME [JVM_OPTION...],
e.g. startup_time.py . -XX:SharedArchiveFile=sluice-cli/target/sluice.jsa (KEEP_LOG copies the server's log there)"""
import json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

home = os.path.abspath(sys.argv[1])
jar = os.path.join(home, "sluice-cli", "target", "sluice.jar")
OPENS = ["java.base/java.lang", "java.base/java.util", "java.base/java.util.concurrent", "java.base/java.util.concurrent.atomic",
         "java.base/java.lang.invoke", "java.base/java.lang.reflect", "java.base/java.io", "java.base/java.nio",
         "java.base/sun.nio.ch", "java.base/java.net", "java.base/java.text", "java.base/java.time", "java.base/java.math",
         "java.sql/java.sql"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


port, kafka_port = free_port(), free_port()
work = tempfile.mkdtemp(prefix="sluice-start-")
# The JIT flags ./sluice gives `demo` (SLUICE_JIT as there: unset C1 alone, full the later C2, jvm the JVM's defaults).
C2_LATER = ["-XX:Tier4InvocationThreshold=50000", "-XX:Tier4MinInvocationThreshold=6000",
            "-XX:Tier4CompileThreshold=150000", "-XX:Tier4BackEdgeThreshold=400000"]
jit = {"": ["-XX:TieredStopAtLevel=1"], "full": C2_LATER, "jvm": []}[os.environ.get("SLUICE_JIT", "")]
command = (["java"] + jit + sys.argv[2:] + ["-XX:+UseG1GC"] + [f"--add-opens={o}=ALL-UNNAMED" for o in OPENS]
           + [f"-Dsluice.home={home}", "-jar", jar, "demo", "--data-dir", work + "/data", "--port", str(port),
              "--kafka-port", str(kafka_port)])
load = os.getloadavg()[0]
t0 = time.time()
out = open(work + "/out.log", "w")
process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=home)
ticks = os.sysconf("SC_CLK_TCK")


def cpu_seconds():
    with open(f"/proc/{process.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks


def thread_cpu_seconds():
    """CPU-s per live thread, threads of one pool summed (digits in the name dropped, except in the JIT's C1/C2)."""
    threads = {}
    for task in os.listdir(f"/proc/{process.pid}/task"):
        try:
            with open(f"/proc/{process.pid}/task/{task}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        name = name if name.startswith(("C1 ", "C2 ")) else re.sub(r"[0-9]+", "#", name)
        fields = raw.rsplit(")", 1)[1].split()
        threads[name] = threads.get(name, 0) + (int(fields[11]) + int(fields[12])) / ticks
    return {k: round(v, 2) for k, v in sorted(threads.items(), key=lambda e: -e[1])[:12]}


health = banner = None
threads = {}
first = {}
# The process's CPU-s every half second of wall time: how much of the 2 cores the start kept busy, phase by phase.
timeline = []
deadline = t0 + float(os.environ.get("TIMEOUT", "240"))
while time.time() < deadline and process.poll() is None:
    now = time.time() - t0
    if not timeline or now >= timeline[-1][0] + 0.5:
        try:
            timeline.append([round(now, 2), round(cpu_seconds(), 2)])
        except OSError:
            pass
    if banner is None and "Press Ctrl-C" in open(work + "/out.log").read():
        banner = now
    try:
        if health is None:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).read()
            health = now
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
        for line in metrics.splitlines():
            m = re.match(r'sluice_table_rows_loaded_total\{.*table="([^"]+)".*\} ([0-9.e+]+)', line)
            if m and float(m.group(2)) > 0 and m.group(1) not in first:
                first[m.group(1)] = [round(now, 2), round(cpu_seconds(), 1)]
        if first and not threads:
            threads = thread_cpu_seconds()
        if "merchant_revenue" in first:
            break
    except Exception:
        pass
    time.sleep(0.05)
process.terminate()
try:
    process.wait(60)
except subprocess.TimeoutExpired:
    process.kill()
started = ""
log = work + "/data/logs/sluice.log"
if os.path.exists(log):
    for line in open(log):
        if "Started: " in line:
            started = line.split("Started: ", 1)[1].strip()
print(json.dumps({"jit": os.environ.get("SLUICE_JIT", ""), "load": round(load, 1), "load_end": round(os.getloadavg()[0], 1), "health": health and round(health, 2),
                  "banner": banner and round(banner, 2), "first": first, "started": started,
                  "threads_at_first_row": threads, "cpu_timeline": timeline}))
if os.environ.get("KEEP_LOG") and os.path.exists(log):
    shutil.copy(log, os.environ["KEEP_LOG"])
shutil.rmtree(work, ignore_errors=True)
