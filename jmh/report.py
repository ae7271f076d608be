#!/usr/bin/env python3
"""Renders JMH JSON from jmh/run.sh into docs/benchmarks.md (tables) and an SVG chart.

Every throughput figure is the median of the measurement iterations, shown beside the floor
(the bare JCTools queues) of the same run as a ratio. Latencies are JMH SampleTime percentiles
of the publisher's call.

    python3 jmh/report.py jmh/results/quick-....json --command "jmh/run.sh quick" --out docs/benchmarks.md
"""
import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
from pathlib import Path

NS = [1, 16, 256, 4096]
STRATEGIES = ["SLOW_PRODUCER", "DROP_OLDEST", "DROP_NEWEST", "LATEST_ONLY", "LATEST_PER_KEY", "DISCONNECT"]
ENGINES = ["QUEUES", "RING"]
PEERS = ["JCTOOLS_FLOOR", "DISRUPTOR", "SUBMISSION_PUBLISHER_OFFER", "SUBMISSION_PUBLISHER_SUBMIT",
         "REACTOR_BUFFER", "REACTOR_BEST_EFFORT"]
FLOOR = "JCTOOLS_FLOOR"
# the Fanout strategy whose semantics match each peer's
MATCH = {
    "DISRUPTOR": "SLOW_PRODUCER",
    "SUBMISSION_PUBLISHER_SUBMIT": "SLOW_PRODUCER",
    "REACTOR_BUFFER": "SLOW_PRODUCER",
    "SUBMISSION_PUBLISHER_OFFER": "DROP_NEWEST",
    "REACTOR_BEST_EFFORT": "DROP_NEWEST",
}
PEER_NAMES = {
    "JCTOOLS_FLOOR": "floor: JCTools SPSC queues",
    "DISRUPTOR": "Disruptor (pollers)",
    "SUBMISSION_PUBLISHER_OFFER": "SubmissionPublisher offer+drop",
    "SUBMISSION_PUBLISHER_SUBMIT": "SubmissionPublisher submit",
    "REACTOR_BUFFER": "Reactor multicast buffer",
    "REACTOR_BEST_EFFORT": "Reactor directBestEffort",
}


def median_raw(metric):
    """Median of the measurement iterations of a metric, in its own unit."""
    raw = [x for fork in metric.get("rawData", []) for x in fork]
    return statistics.median(raw) if raw else metric["score"]


def median_of(metric):
    """Median of the measurement iterations of a throughput metric, in ops/s."""
    if metric is None:
        return None
    return median_raw(metric) * per_second(metric["scoreUnit"])


def per_second(unit):
    return {"ops/s": 1.0, "ops/ms": 1e3, "ops/us": 1e6, "ops/ns": 1e9}[unit]


def to_micros(unit):
    return {"s/op": 1e6, "ms/op": 1e3, "us/op": 1.0, "ns/op": 1e-3}[unit]


def key_of(result):
    bench = result["benchmark"].split(".")[-2]
    p = result.get("params", {})
    subject = p.get("peer") or (p.get("engine", "") + "/" + p.get("strategy", ""))
    if bench == "OneThreadBenchmark":
        subject = p["subject"]
    if bench == "ElasticWorkersBenchmark":
        subject = p["strategy"] + "/" + p["work"]
    return bench, result["mode"], subject, int(p.get("subscribers", 1))


def fmt_rate(v):
    if v is None:
        return "n/a"
    if v >= 1e9:
        return f"{v / 1e9:.2f} G/s"
    if v >= 1e6:
        return f"{v / 1e6:.2f} M/s"
    if v >= 1e3:
        return f"{v / 1e3:.1f} k/s"
    return f"{v:.0f} /s"


def fmt_us(v):
    if v is None:
        return "n/a"
    if v >= 1000:
        return f"{v / 1000:.1f} ms"
    if v >= 10:
        return f"{v:.0f} us"
    return f"{v:.2f} us"


def flag(failed, bench, subject, n):
    f = failed.get((bench, subject, n))
    return f" **{f}**" if f else ""


def ratio(v, floor):
    if v is None or not floor:
        return ""
    return f" ({v / floor:.2f}x)"


def subject_label(subject):
    if subject in PEER_NAMES:
        return PEER_NAMES[subject]
    engine, strategy = subject.split("/")
    return f"Fanout {engine.lower()} {strategy.lower().replace('_', '-')}"


def failed_checks(log):
    """(benchmark, subject, N) whose run failed, from the run's log: JMH may keep the iterations before the failure."""
    failed = {}
    if not log.exists():
        return failed
    bench = params = None
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("# Benchmark: "):
            bench = line.split(".")[-2]
        elif line.startswith("# Parameters: "):
            params = dict(kv.split(" = ") for kv in line[len("# Parameters: ("):-1].split(", "))
        elif "<failure" in line and bench and params is not None:
            failed.setdefault((bench, params_subject(params), int(params.get("subscribers", 1))), "failed")
        elif "not applicable:" in line and bench and params is not None:
            failed.pop((bench, params_subject(params), int(params.get("subscribers", 1))), None)
            params = None  # refused by the engine: not a failure
        elif "counts do not add up" in line and bench and params is not None:
            failed[(bench, params_subject(params), int(params.get("subscribers", 1)))] = "count check failed"
    return failed


def params_subject(p):
    return p.get("peer") or (p.get("engine", "") + "/" + p.get("strategy", ""))


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return cpu, os.cpu_count(), platform.platform()


def svg_chart(series, floor_name, title, path):
    """Log-log line chart of deliveries/s against N, one line per subject."""
    width, height, left, right, top, bottom = 960, 520, 80, 330, 40, 50
    values = [v for s in series.values() for v in s.values() if v]
    if not values:
        return
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(n):
        return left + plot_w * NS.index(n) / (len(NS) - 1)

    def y(v):
        return top + plot_h * (1 - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)))

    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="15">{title}</text>']
    decade = lo
    while decade <= hi * 1.0001:
        yy = y(decade)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{fmt_rate(decade)}</text>')
        decade *= 10
    for n in NS:
        out.append(f'<line x1="{x(n):.1f}" y1="{top}" x2="{x(n):.1f}" y2="{top + plot_h}" stroke="#eee"/>')
        out.append(f'<text x="{x(n):.1f}" y="{top + plot_h + 18}" text-anchor="middle">N = {n}</text>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle">subscribers (log scale); y: deliveries per second (log scale)</text>')
    for i, (name, points) in enumerate(series.items()):
        colour = "#000" if name == floor_name else palette[i % len(palette)]
        dash = ' stroke-dasharray="6,3"' if name in PEER_NAMES and name != floor_name else ""
        widths = 3 if name == floor_name else 1.6
        pts = [(x(n), y(v)) for n, v in sorted(points.items()) if v]
        if len(pts) > 1:
            path_d = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
            out.append(f'<polyline points="{path_d}" fill="none" stroke="{colour}" stroke-width="{widths}"{dash}/>')
        for px, py in pts:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>')
        ly = top + 14 + i * 17
        out.append(f'<line x1="{width - right + 15}" y1="{ly - 4}" x2="{width - right + 40}" y2="{ly - 4}" stroke="{colour}" stroke-width="{widths}"{dash}/>')
        out.append(f'<text x="{width - right + 46}" y="{ly}">{subject_label(name)}</text>')
    out.append("</svg>")
    Path(path).write_text("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--command", default="")
    ap.add_argument("--out", default="docs/benchmarks.md")
    args = ap.parse_args()
    results = json.loads(Path(args.json).read_text())
    by = {key_of(r): r for r in results}
    failed = failed_checks(Path(args.json).with_suffix(".log"))
    first = results[0] if results else {}

    def thrpt(bench, subject, n, metric="deliveries"):
        r = by.get((bench, "thrpt", subject, n))
        return median_of(r["secondaryMetrics"].get(metric)) if r else None

    def pct(bench, subject, n, q):
        r = by.get((bench, "sample", subject, n))
        if not r:
            return None
        m = r["secondaryMetrics"].get("publish")
        return m["scorePercentiles"][q] * to_micros(m["scoreUnit"]) if m else None

    out_path = Path(args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    svg_name = out_path.with_name(out_path.stem + "-throughput.svg")
    cpu, cores, osname = machine()
    stamp = Path(args.json).stem.split("-", 1)[-1]
    lines = []
    w = lines.append
    w("# Benchmarks")
    w("")
    w("Generated by `jmh/report.py` from the JMH JSON of one run; do not edit by hand.")
    w("")
    w(f"- run: `{Path(args.json).name}` (UTC {stamp}), command: `{args.command}`")
    w(f"- machine: {cores} cores, {cpu}, {osname}; shared with other builds while it ran, so figures are noisy")
    w(f"- JDK: {first.get('jdkVersion', '?')} {first.get('vmName', '')} {first.get('vmVersion', '')}; "
      f"JMH {first.get('jmhVersion', '?')}; JVM options: `{' '.join(first.get('jvmArgs', []))}`")
    w(f"- iterations: {first.get('warmupIterations', '?')} x {first.get('warmupTime', '?')} warmup, "
      f"{first.get('measurementIterations', '?')} x {first.get('measurementTime', '?')} measurement, "
      f"{first.get('forks', '?')} fork(s) per combination")
    w("- every throughput figure is the **median of the measurement iterations**; `(0.85x)` is the ratio "
      "to the floor (bare JCTools queues) at the same N **in the same run**")
    w(f"- load average when the report was written: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min) "
      "on 2 cores: other engineers' builds ran beside the benchmarks")
    if failed:
        w("- **failed in the run** (figures from the iterations before the failure, shown but not to be trusted): "
          + ", ".join(f"{b} {s} N={n} ({why})" for (b, s, n), why in sorted(failed.items())))
    w("- engine x strategy combinations the engine refuses at build time are listed as refused")
    w("")
    w("## The scenario")
    w("")
    w("One publisher thread and two drain threads (a JMH group). Each drain thread loops over its half of the N "
      "subscribers and takes up to 256 messages from each (`drain(handler, 256)` for Fanout, the same batch for "
      "the others) and yields the core after a pass that found nothing. Buffers and rings hold 1024. "
      "Push-based peers (SubmissionPublisher, Reactor) run their consumer tasks on the same two drain threads "
      "through an executor the drain threads run, so every subject has the same threads on the same two cores. "
      "A delivery counts only when a subscriber's handler received the message (into a Blackhole); the trial "
      "setup proves every subscriber gets a probe, the teardown checks the handlers' counts against the "
      "subject's own counters and, for lossless subjects, against the messages published.")
    w("")
    w(f"![deliveries per second]({svg_name.name})")
    w("")

    # ---- throughput
    fanout_subjects = [f"{e}/{s}" for e in ENGINES for s in STRATEGIES]
    series = {}
    w("## Fan-out throughput: deliveries per second (all subscribers together)")
    w("")
    w("| subject | " + " | ".join(f"N = {n}" for n in NS) + " |")
    w("|---|" + "---|" * len(NS))
    floor = {n: thrpt("PeerBenchmark", FLOOR, n) for n in NS}
    for subject in PEERS[:1] + fanout_subjects + PEERS[1:]:
        bench = "PeerBenchmark" if subject in PEER_NAMES else "FanoutBenchmark"
        row = {n: thrpt(bench, subject, n) for n in NS}
        if all(v is None for v in row.values()):
            if subject.startswith("RING/"):
                w(f"| {subject_label(subject)} | " + " | ".join("refused by the engine" for _ in NS) + " |")
            continue
        series[subject] = {n: v for n, v in row.items() if (bench, subject, n) not in failed}
        w(f"| {subject_label(subject)} | " + " | ".join(
            fmt_rate(row[n]) + ratio(row[n], floor[n]) + flag(failed, bench, subject, n) for n in NS) + " |")
    w("")
    w("Publisher's rate (publishes per second) in the same runs:")
    w("")
    w("| subject | " + " | ".join(f"N = {n}" for n in NS) + " |")
    w("|---|" + "---|" * len(NS))
    pfloor = {n: thrpt("PeerBenchmark", FLOOR, n, "publish") for n in NS}
    for subject in series:
        bench = "PeerBenchmark" if subject in PEER_NAMES else "FanoutBenchmark"
        row = {n: thrpt(bench, subject, n, "publish") for n in NS}
        drops = {n: thrpt(bench, subject, n, "drops") for n in NS}
        cells = []
        for n in NS:
            c = fmt_rate(row[n]) + ratio(row[n], pfloor[n])
            if drops[n]:
                c += f", drops {fmt_rate(drops[n])}"
            cells.append(c)
        w(f"| {subject_label(subject)} | " + " | ".join(cells) + " |")
    w("")
    svg_chart(series, FLOOR, "Fan-out: deliveries per second, 1 publisher, 2 drain threads, 2 cores", svg_name)

    # ---- against each peer
    w("## Fanout against each peer, same semantics")
    w("")
    w("Deliveries per second; `Fanout/peer` above 1 means Fanout delivered more. Lossless peers are set against "
      "`slowProducer`, the dropping ones against `dropNewest` (refused by the ring engine).")
    w("")
    w("| peer | Fanout strategy | N | peer | Fanout queues | Fanout/peer | Fanout ring | Fanout/peer |")
    w("|---|---|---|---|---|---|---|---|")
    for peer, strategy in MATCH.items():
        for n in NS:
            p = thrpt("PeerBenchmark", peer, n)
            q = thrpt("FanoutBenchmark", f"QUEUES/{strategy}", n)
            r = thrpt("FanoutBenchmark", f"RING/{strategy}", n)
            w(f"| {PEER_NAMES[peer]} | {strategy.lower().replace('_', '-')} | {n} | {fmt_rate(p)} | {fmt_rate(q)} | "
              f"{f'{q / p:.2f}' if p and q else 'n/a'} | {fmt_rate(r)} | {f'{r / p:.2f}' if p and r else 'n/a'} |")
    w("")

    # ---- latency
    w("## Publish latency (JMH SampleTime of the publisher's call, microseconds)")
    w("")
    qs = ["50.0", "90.0", "99.0", "99.9", "100.0"]
    for n in (1, 4096):
        w(f"### N = {n}")
        w("")
        w("| subject | p50 | p90 | p99 | p99.9 | max | p50 / floor p50 |")
        w("|---|---|---|---|---|---|---|")
        f50 = pct("PeerLatencyBenchmark", FLOOR, n, "50.0")
        for subject in PEERS[:1] + fanout_subjects + PEERS[1:]:
            bench = "PeerLatencyBenchmark" if subject in PEER_NAMES else "FanoutLatencyBenchmark"
            vals = [pct(bench, subject, n, q) for q in qs]
            if vals[0] is None:
                continue
            rel = f"{vals[0] / f50:.2f}x" if f50 else "n/a"
            w(f"| {subject_label(subject)} | " + " | ".join(fmt_us(v) for v in vals) + f" | {rel} |")
        w("")

    # ---- stalled
    w("## One stalled subscriber among 16")
    w("")
    w("Subscriber 0 never drains. `deliveries` are the 15 healthy subscribers' (ratio: against the floor's "
      "deliveries at N = 16 without a stall, scaled to 15 subscribers); publish latency percentiles from "
      "SampleTime. Under `slowProducer` every publish waits out the stalled subscriber's 1 ms `maxWait` and "
      "counts a TIMEOUT.")
    w("")
    w("| engine | strategy | healthy deliveries | publishes | drops | publish p50 | p99 | p99.9 |")
    w("|---|---|---|---|---|---|---|---|")
    f16 = floor.get(16)
    for e in ENGINES:
        for s in STRATEGIES:
            subject = f"{e}/{s}"
            d = thrpt("StalledSubscriberBenchmark", subject, 16)
            if d is None and pct("StalledSubscriberBenchmark", subject, 16, "50.0") is None:
                continue
            p = thrpt("StalledSubscriberBenchmark", subject, 16, "publish")
            dr = thrpt("StalledSubscriberBenchmark", subject, 16, "drops")
            lat = [pct("StalledSubscriberBenchmark", subject, 16, q) for q in ("50.0", "99.0", "99.9")]
            w(f"| {e.lower()} | {s.lower().replace('_', '-')} | {fmt_rate(d)}{ratio(d, f16 * 15 / 16 if f16 else None)} | "
              f"{fmt_rate(p)} | {fmt_rate(dr)} | " + " | ".join(fmt_us(v) for v in lat) + " |")
    w("")

    # ---- elastic
    w("## elasticWorkers against a single worker, slow handler")
    w("")
    w("A push subscription whose handler parks 100 us (IO) or computes about 20 us (CPU) per message; "
      "`slow-producer` runs it on one worker at a time, `elastic-workers` on one to four. Lossless: the "
      "publisher's rate is the handler's.")
    w("")
    w("| work | single worker | elastic workers (1..4) | elastic / single |")
    w("|---|---|---|---|")
    for work in ("IO", "CPU"):
        a = thrpt("ElasticWorkersBenchmark", f"SLOW_PRODUCER/{work}", 1)
        b = thrpt("ElasticWorkersBenchmark", f"ELASTIC_WORKERS/{work}", 1)
        w(f"| {work} | {fmt_rate(a)} | {fmt_rate(b)} | {f'{b / a:.2f}x' if a and b else 'n/a'} |")
    w("")
    one = {k: r for k, r in by.items() if k[0] == "OneThreadBenchmark"}
    if one:
        w("## One thread: the work of one message")
        w("")
        w("`OneThreadBenchmark`: one thread publishes a message and drains every subscriber once "
          "(lossless subjects, `slowProducer` for Fanout), so no cache line moves between cores and "
          "nothing waits: each subject's own instructions and footprint. Nanoseconds per message "
          "to all N subscribers (median of the iterations), and the ratio to the floor.")
        w("")
        ns = sorted({k[3] for k in one})
        w("| subject | " + " | ".join(f"N = {n}" for n in ns) + " |")
        w("|---|" + "---|" * len(ns))

        def nanos(subject, n):
            r = one.get(("OneThreadBenchmark", "avgt", subject, n))
            if not r:
                return None
            m = r["primaryMetric"]
            return median_raw(m) * 1e3 * to_micros(m["scoreUnit"])

        for subject in ("JCTOOLS_FLOOR", "QUEUES", "RING", "DISRUPTOR"):
            cells = []
            for n in ns:
                v, f = nanos(subject, n), nanos("JCTOOLS_FLOOR", n)
                cells.append("n/a" if v is None else f"{v:,.0f} ns" + (f" ({v / f:.2f}x)" if f else ""))
            w(f"| {subject} | " + " | ".join(cells) + " |")
        w("")
    notes = Path(__file__).with_name("notes.md")
    if notes.exists():
        w(notes.read_text().rstrip())
        w("")
    out_path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
