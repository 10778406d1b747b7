"""Polls GET /api/v1/pipelines/<name> every 0.25 s and prints when the last result row was stored and when the
reported lag (job and loader) reached 0 for good. Used by lag-after-backlog.sh. Usage: lag_after_backlog.py PORT PIPELINE"""
import json, sys, time, urllib.request
port, name = sys.argv[1], sys.argv[2]
samples = []  # (t, processed, eventsIn, pipelineLag, loaderLag, rowsLoadedTotal)
quiet_since = None
while True:
    t = time.time()
    try:
        s = json.load(urllib.request.urlopen(f"http://localhost:{port}/api/v1/pipelines/{name}", timeout=10))
    except Exception:
        time.sleep(0.25)
        continue
    samples.append((t, s["eventsIn"] - s["pipelineLag"], s["eventsIn"], s["pipelineLag"], s["loaderLag"], s["rowsLoadedTotal"]))
    last = samples[-1]
    if last[2] > 0 and last[3] == 0 and last[4] == 0 and len(samples) > 2 and samples[-2][5] == last[5]:
        quiet_since = quiet_since or t
        if t - quiet_since > 20:
            break
    else:
        quiet_since = None
    time.sleep(0.25)
final_rows = samples[-1][5]
t_rows = next(x[0] for x in samples if x[5] == final_rows)
# Lag 0 for good: the first sample after which every sample has both lags 0.
t_lag0 = None
for i in range(len(samples) - 1, -1, -1):
    if samples[i][3] == 0 and samples[i][4] == 0:
        t_lag0 = samples[i][0]
    else:
        break
t_first = next(x[0] for x in samples if x[2] > 0)
i_rows = next(i for i, x in enumerate(samples) if x[5] == final_rows)
resolution = samples[i_rows][0] - samples[i_rows - 1][0] if i_rows > 0 else 0.0
print(f"events {samples[-1][2]:,}, rows {final_rows:,}; last row stored {t_rows - t_first:.2f} s after the first event was"
      f" seen; lag 0 (pipeline and loader) {t_lag0 - t_first:.2f} s after it: {t_lag0 - t_rows:+.2f} s after the last row"
      f" was stored (samples {resolution:.2f} s apart there)")
