#!/usr/bin/env python3
"""Where the CPU of a ThroughputBenchmark run goes (docs/benchmarks.md, "Tuning").

Usage: python3 docs/tools/jfr-areas.py recording.jfr

Reads the jdk.ExecutionSample events with `jfr print` and attributes each sample to the first frame (from the leaf)
outside the JDK that names a known area; samples of the main thread (planning) are left out.
"""
import collections
import re
import subprocess
import sys

out = subprocess.run(['jfr', 'print', '--events', 'jdk.ExecutionSample', '--stack-depth', '64', sys.argv[1]], capture_output=True, text=True).stdout
areas = [
 ('JSON parse: Jackson', r'com\.fasterxml\.jackson\.core'),
 ('JSON parse: ValueParser (numbers, timestamps)', r'ValueParser'),
 ('JSON parse: UTF-8 check', r'internal\.Utf8\.'),
 ('JSON parse: JsonRecordParser itself', r'JsonRecordParser'),
 ('source rows: SourceRecords/InternalValues', r'InternalValues|SourceRecords'),
 ('exchange (de)serialisation', r'RowDataSerializer|BinaryRow|RecordWriter|SpanningRecordSerializer|SpillingAdaptiveSpanning|DataOutputSerializer|StreamElementSerializer|DataInputDeserializer'),
 ('late/dead-letter JSON', r'RejectedRecord'),
 ('router', r'RecordRouter'),
 ('window aggregate', r'[Ww]indow|Slice|GroupAgg|AggsHandle|Accumulat|KeySelector|BytesMultiMap|BytesHashMap'),
 ('SQL Calc / conversions', r'Calc|InputConversion|SourceConversion|OutputConversion|ProjectedRowData'),
 ('watermarks', r'Watermark'),
 ('result sink', r'ResultSerializer|KafkaWriter|JsonValues'),
 ('loader / DuckDB', r'dev\.sluice\.storage|duckdb'),
 ('kafka consumer', r'org\.apache\.kafka\.clients\.consumer|KafkaSourceReader|KafkaPartitionSplitReader|SplitFetcher|KafkaRecordEmitter|FetchTask'),
 ('kafka producer', r'org\.apache\.kafka\.clients\.producer'),
 ('compression', r'lz4|zstd|Lz4|LZ4'),
 ('kafka network', r'org\.apache\.kafka\.common'),
 ('checkpointing', r'[Cc]heckpoint|[Ss]napshot'),
 ('flink runtime (mailbox, network, metrics)', r'org\.apache\.flink'),
]
count = collections.Counter(); other = collections.Counter(); total = 0; skipped = 0
for s in out.split('jdk.ExecutionSample')[1:]:
    m = re.search(r'sampledThread = "([^"]*)"', s)
    if m and m.group(1) == 'main':
        skipped += 1; continue
    frames = re.findall(r'^\s+([\w$.<>]+)\(', s, re.M)
    if not frames: continue
    total += 1
    hit = None
    for f in frames:
        if re.match(r'(java|jdk|sun)\.', f): continue
        for name, rx in areas:
            if re.search(rx, f): hit = name; break
        if hit: break
    if hit is None:
        hit = 'JDK only / other'; other[frames[0]] += 1
    count[hit] += 1
print(f'samples {total} (main thread left out: {skipped})')
for k, v in count.most_common(): print(f'{100*v/total:5.1f}%  {k}')
print('-- top leaf frames of "other"')
for k, v in other.most_common(6): print(v, k)
