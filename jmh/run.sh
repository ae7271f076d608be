#!/usr/bin/env bash
# Runs the JMH benchmarks and renders docs/benchmarks.md from the JSON they write.
#
#   jmh/run.sh quick   # minutes: 1 fork, 1 x 1 s warmup, 3 x 1 s measurement
#   jmh/run.sh full    # the annotations' settings (3 x 2 s warmup, 5 x 2 s measurement), 2 forks
#
# Extra arguments go to JMH, e.g. a benchmark filter and parameters:
#   jmh/run.sh quick 'PeerBenchmark' -p subscribers=16
#   jmh/run.sh quick 'FanoutBenchmark' -prof jfr      # JFR recording per fork (JMH's jfr profiler)
# Environment: JAVA_HOME (a JDK >= 21), SKIP_BUILD=1 to reuse jmh/target/benchmarks.jar,
# NO_REPORT=1 to leave docs/benchmarks.md alone.
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-quick}"
shift || true
case "$profile" in
    quick) settings=(-f 1 -wi 1 -w 1s -i 3 -r 1s) ;;
    full)  settings=(-f 2) ;;
    *) echo "usage: $0 quick|full [JMH arguments...]" >&2; exit 2 ;;
esac

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ -z "${SKIP_BUILD:-}" ]; then
    mvn -B -q -pl jmh -am package -DskipTests
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p jmh/results
json="jmh/results/$profile-$stamp.json"
cmd=("$java" -jar jmh/target/benchmarks.jar "${settings[@]}" -rf json -rff "$json" "$@")
echo "${cmd[*]}"
start=$(date +%s)
"${cmd[@]}" 2>&1 | grep -v -E 'sun\.misc\.Unsafe|terminally deprecated|Please consider reporting' | tee "jmh/results/$profile-$stamp.log"
echo "took $(( $(date +%s) - start )) s; results in $json"

if [ -z "${NO_REPORT:-}" ]; then
    python3 jmh/report.py "$json" --command "jmh/run.sh $profile $*" --out docs/benchmarks.md
    echo "wrote docs/benchmarks.md"
fi
