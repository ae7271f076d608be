#!/usr/bin/env bash
# Load scenarios of issue 6 against the leaderboard app, on loopback only, each bounded in time.
#
#   bench/load.sh build                      # compile and write the class path (done by every scenario)
#   bench/load.sh capacity|spike|crash|ingest|churn|storm|stall|scaleout|idle [reps]
#   STALL_ORDER="stalled none" bench/load.sh stall 2   # each pair with the stalled run first
#   INSTANCES=2 PER_INSTANCE=500 SCALE_HOLD=30 bench/load.sh scaleout   # a small scale-out with hops
#   HOP_FRACTION=0 bench/load.sh scaleout    # scale-out without hops (HOP_EVERY: seconds, default 10)
#   SCALE_PROGRESS=60 bench/load.sh scaleout # progress lines, and so /metrics scrapes, once a minute
#
# Results: bench/results/<scenario>-<time>/ (generator JSON summaries, server logs, a results.txt
# of the figures each scenario derives). Needs JDK 21+ (JAVA_HOME), Maven; Redis on
# 127.0.0.1:6379 for ingest (redis part) and scaleout. Every server and generator started here is
# stopped by pid on exit. Ports 27080+ (below the ephemeral range, so a client never takes them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
JCMD="$JAVA_HOME/bin/jcmd"
BASE_PORT=${BASE_PORT:-27080}
REPS=${2:-3}
PIDS=()

cleanup() {
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # so a timeout or ^C still runs cleanup (EXIT) and stops the JVMs

log() { echo "[$(date +%T)] $*" | tee -a "$OUT/results.txt" >&2; }

build() {
    # one reactor build, so the app's sibling modules resolve from it and need not be installed;
    # every module writes the class path file, and the app, built last, writes it last
    local args=(-B -q -pl leaderboard-app -am package dependency:build-classpath -DskipTests
        -Dmdep.includeScope=runtime -Dmdep.outputFile="$ROOT/leaderboard-app/target/load.classpath")
    mvn -o "${args[@]}" >/dev/null 2>&1 || mvn "${args[@]}"
    # the modules' own classes first, so a stale fanout-core/fanout-sse jar in ~/.m2 is never measured
    CP="$ROOT/leaderboard-app/target/classes:$ROOT/fanout-sse/target/classes:$ROOT/fanout-redis/target/classes:$ROOT/fanout-core/target/classes:$(cat "$ROOT/leaderboard-app/target/load.classpath")"
}

# start_server NAME PORT [ENV=VALUE ...]: a server JVM with its own journal; sets SERVER_PID
start_server() {
    local name=$1 port=$2
    shift 2
    local journal=${JOURNAL:-$OUT/$name.journal}
    env SERVER_PORT="$port" LEADERBOARD_JOURNAL="$journal" "$@" \
        "$JAVA" ${SERVER_JAVA_OPTS:-} -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
        -XX:StartFlightRecording=filename="$OUT/$name.jfr",settings=profile,dumponexit=true,maxsize=200m \
        -cp "$CP" dev.fanout.leaderboard.Main >>"$OUT/$name.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    for _ in $(seq 1 100); do
        if curl -s -o /dev/null "http://127.0.0.1:$port/leaderboard"; then
            return 0
        fi
        sleep 0.2
    done
    echo "server $name did not start; see $OUT/$name.log" >&2
    exit 1
}

stop_server() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# gen NAME ARGS...: one generator process, summary in $OUT/NAME.json, output in $OUT/NAME.out
gen() {
    local name=$1
    shift
    "$JAVA" -Xmx2g -cp "$CP" dev.fanout.leaderboard.load.LoadMain run --json "$OUT/$name.json" "$@" >"$OUT/$name.out" 2>&1
}

gen_bg() {
    local name=$1
    shift
    "$JAVA" -Xmx2g -cp "$CP" dev.fanout.leaderboard.load.LoadMain run --json "$OUT/$name.json" "$@" >"$OUT/$name.out" 2>&1 &
    GEN_PID=$!
    PIDS+=("$GEN_PID")
}

# cpu_ticks PID: user+system CPU time of a process in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
machine_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; } # user nice system irq softirq
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# heap_after_gc_kb PID: a full GC, then the used heap
heap_after_gc_kb() {
    "$JCMD" "$1" GC.run >/dev/null
    "$JCMD" "$1" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9
}
# save_metrics PORT FILE: the whole /metrics text (SSE admission, eviction and disconnect counters)
save_metrics() { curl -s -m 10 "http://127.0.0.1:$1/metrics" >"$2" || true; }
# sse_counter FILE NAME [CAUSE]: a fanout.sse counter from a saved /metrics text, or -1
sse_counter() {
    awk -v n="$2" -v c="${3:-}" '$1 ~ "^"n"(_total)?[{ ]" && (c == "" || index($1, "cause=\""c"\"")) {print int($NF); f=1; exit} END {if (!f) print -1}' "$1"
}
metric() { # metric PORT NAME: a gauge's value from /metrics, or -1
    { curl -s -m 10 "http://127.0.0.1:$1/metrics" || true; } | awk -v n="$2" '$1 ~ "^"n"[{ ]" || $1 == n {print int($NF); f=1; exit} END {if (!f) print -1}'
}
j() { # j FILE JQ-LIKE-PATH: read a field from a summary with python
    python3 -c "import json,sys; d=json.load(open('$1')); print(eval('d'+sys.argv[1]))" "$2"
}
median() { python3 -c "import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(round(statistics.median(v),2))" "$@"; }

# ------------------------------------------------------------------ 1. capacity
capacity() {
    local n=${CONNS:-19000}
    for rate in 1 10; do
        local p50s=() p99s=() cpus=() heaps=() rsss=()
        for r in $(seq 1 "$REPS"); do
            local name="cap-r$rate-$r" port=$BASE_PORT
            start_server "$name-server" "$port" LEADERBOARD_RATE="$rate"
            local srv=$SERVER_PID
            sleep 2
            local heap0 rss0
            heap0=$(heap_after_gc_kb "$srv")
            rss0=$(rss_kb "$srv")
            # ramp ~10 s, hold 45 s (CPU sampled over 20 s of it), then keep them open 20 s for heap and RSS
            gen_bg "$name" --target "http://127.0.0.1:$port" -n "$n" --ramp 2000 --sources 2 --duration 45 --warmup 5 \
                --submit-rate 100 --players 20 --hold-after 20 --max-time 300
            local g=$GEN_PID
            sleep $((n / 2000 + 15))
            local t0 c0 t1 c1 g0 g1 m0 m1
            t0=$(date +%s.%N); c0=$(cpu_ticks "$srv"); g0=$(cpu_ticks "$g"); m0=$(machine_busy)
            sleep 20
            t1=$(date +%s.%N); c1=$(cpu_ticks "$srv"); g1=$(cpu_ticks "$g"); m1=$(machine_busy)
            while ! grep -q "holding" "$OUT/$name.out" 2>/dev/null; do sleep 1; done
            sleep 2
            local open heap1 rss1
            open=$(metric "$port" leaderboard_streams_open)
            heap1=$(heap_after_gc_kb "$srv")
            rss1=$(rss_kb "$srv")
            wait "$g" || true
            stop_server "$srv"
            local cpu gcpu mcpu
            cpu=$(python3 -c "print(round(($c1-$c0)/$(getconf CLK_TCK)/($t1-$t0),2))")
            gcpu=$(python3 -c "print(round(($g1-$g0)/$(getconf CLK_TCK)/($t1-$t0),2))")
            mcpu=$(python3 -c "print(round(($m1-$m0)/$(getconf CLK_TCK)/($t1-$t0),2))")
            local hpc rpc
            hpc=$(python3 -c "print(round(($heap1-$heap0)*1024/max(1,$open)))")
            rpc=$(python3 -c "print(round(($rss1-$rss0)*1024/max(1,$open)))")
            p50s+=("$(j "$OUT/$name.json" "['latency_ms']['p50']")")
            p99s+=("$(j "$OUT/$name.json" "['latency_ms']['p99']")")
            cpus+=("$cpu"); heaps+=("$hpc"); rsss+=("$rpc")
            log "capacity rate=$rate rep=$r: established=$(j "$OUT/$name.json" "['connections']['established']") failed=$(j "$OUT/$name.json" "['connections']['failed']") dropped=$(j "$OUT/$name.json" "['connections']['dropped']") server_open=$open events/s=$(j "$OUT/$name.json" "['events']['steady_per_s']") latency=$(j "$OUT/$name.json" "['latency_ms']") on_final=$(j "$OUT/$name.json" "['all_on_final_snapshot']") server_cpu_cores=$cpu generator_cpu_cores=$gcpu machine_busy_cores=$mcpu heap_after_gc_kb=$heap0->$heap1 rss_kb=$rss0->$rss1 heap_B_per_conn=$hpc rss_B_per_conn=$rpc"
        done
        log "capacity rate=$rate MEDIAN of $REPS: p50=$(median "${p50s[@]}") ms p99=$(median "${p99s[@]}") ms server_cpu=$(median "${cpus[@]}") cores heap/conn=$(median "${heaps[@]}") B rss/conn=$(median "${rsss[@]}") B"
    done
}

# ------------------------------------------------------------------ 3. spike
spike() {
    local p99s=() firsts=()
    for r in $(seq 1 "$REPS"); do
        local name="spike-$r" port=$BASE_PORT
        start_server "$name-server" "$port"
        local srv=$SERVER_PID
        sleep 2
        gen "$name" --target "http://127.0.0.1:$port" -n 10000 --ramp 5000 --sources 2 --duration 10 --warmup 2 \
            --submit-rate 20 --players 20 --connect-timeout 30 --max-time 120 || true
        stop_server "$srv"
        p99s+=("$(j "$OUT/$name.json" "['latency_ms']['p99']")")
        firsts+=("$(j "$OUT/$name.json" "['first_event_ms']['p99']")")
        log "spike rep=$r: established=$(j "$OUT/$name.json" "['connections']['established']")/10000 failed=$(j "$OUT/$name.json" "['connections']['failures']") dropped=$(j "$OUT/$name.json" "['connections']['dropped']") first_event_ms=$(j "$OUT/$name.json" "['first_event_ms']") latency=$(j "$OUT/$name.json" "['latency_ms']") on_final=$(j "$OUT/$name.json" "['all_on_final_snapshot']")"
    done
    log "spike MEDIAN of $REPS: connect-to-first-event p99=$(median "${firsts[@]}") ms, event p99=$(median "${p99s[@]}") ms"
}

# ------------------------------------------------------------------ 6. crash
crash() {
    for r in $(seq 1 "$REPS"); do
        local name="crash-$r" port=$BASE_PORT
        local journal="$OUT/$name.journal"
        JOURNAL=$journal start_server "$name-server" "$port"
        local srv=$SERVER_PID
        gen_bg "$name" --target "http://127.0.0.1:$port" -n 50 --duration 12 --submit-unpaced --submitters 8 \
            --players 200 --ids-out "$OUT/$name" --settle 1 --connect-timeout 5 --max-time 120
        local g=$GEN_PID
        sleep $((4 + r))
        kill -9 "$srv"
        log "crash rep=$r: kill -9 of the server at $(date +%T.%N) while submitting"
        wait "$g" || true
        JOURNAL=$journal start_server "$name-restart" "$port"
        local srv2=$SERVER_PID
        "$JAVA" -cp "$CP" dev.fanout.leaderboard.load.LoadMain verify-acks --target "http://127.0.0.1:$port" \
            --ids "$OUT/$name" --players 200 >"$OUT/$name.verify" 2>&1 || true
        stop_server "$srv2"
        log "crash rep=$r: $(grep -h 'replayed' "$OUT/$name-restart.log" | sed 's/.*journal/journal/') $(tr -d '\n ' <"$OUT/$name.verify")"
    done
}

# ------------------------------------------------------------------ 8. ingest
ingest() {
    for store in memory redis; do
        local rates=() s2s=() acks=()
        for r in $(seq 1 "$REPS"); do
            local name="ingest-$store-$r" port=$BASE_PORT prefix="load-ingest-$$-$r"
            if [ "$store" = memory ]; then
                start_server "$name-server" "$port"
            else
                start_server "$name-server" "$port" LEADERBOARD_STORE=redis://127.0.0.1:6379 LEADERBOARD_PREFIX="$prefix"
            fi
            local srv=$SERVER_PID
            sleep 2
            gen "$name" --target "http://127.0.0.1:$port" -n 100 --duration 20 --warmup 5 --submit-unpaced \
                --submitters "${SUBMITTERS:-16}" --players 1000 --max-time 120 || true
            stop_server "$srv"
            [ "$store" = redis ] && redis-cli --scan --pattern "$prefix:*" | xargs -r -n 500 redis-cli del >/dev/null
            local secs sent
            rates+=("$(j "$OUT/$name.json" "['submissions']['acked_per_s_over_run']")")
            s2s+=("$(j "$OUT/$name.json" "['submissions']['submit_to_stream_ms']['p99']")")
            acks+=("$(j "$OUT/$name.json" "['submissions']['ack_latency_ms']['p99']")")
            log "ingest $store rep=$r: $(j "$OUT/$name.json" "['submissions']") stream latency=$(j "$OUT/$name.json" "['latency_ms']")"
        done
        log "ingest $store MEDIAN of $REPS: acked/s=$(median "${rates[@]}") ack p99=$(median "${acks[@]}") ms submit-to-stream p99=$(median "${s2s[@]}") ms"
    done
}

# ------------------------------------------------------------------ 4. churn and leaks
churn() {
    local name="churn" port=$BASE_PORT hb=${HEARTBEAT_S:-15}
    start_server "$name-server" "$port" LEADERBOARD_HEARTBEAT="PT${hb}S"
    local srv=$SERVER_PID
    sleep 2
    # warm-up cycle, so the baseline has the classes and JIT code a cycle loads
    gen "$name-warm" --target "http://127.0.0.1:$port" -n 2000 --ramp 2000 --duration 3 --submit-rate 20 --max-time 60 || true
    sleep $((2 * hb + 2))
    local base
    base=$(heap_after_gc_kb "$srv")
    log "churn: baseline heap after GC ${base} KB, rss $(rss_kb "$srv") KB, streams open $(metric "$port" leaderboard_streams_open)"
    for r in $(seq 1 "${CHURN_REPS:-5}"); do
        gen "$name-$r" --target "http://127.0.0.1:$port" -n 10000 --ramp 5000 --sources 2 --duration 5 --settle 5 \
            --submit-rate 20 --players 20 --abrupt-close --max-time 120 || true
        local t0 open subs elapsed
        t0=$(date +%s.%N)
        while true; do
            open=$(metric "$port" leaderboard_streams_open)
            subs=$(metric "$port" fanout_hub_subscribers)
            elapsed=$(python3 -c "print(round($(date +%s.%N)-$t0,1))")
            if [ "$open" = 0 ] && [ "$subs" = 0 ]; then break; fi
            if python3 -c "import sys; sys.exit(0 if $elapsed > $((3 * hb)) else 1)"; then break; fi
            sleep 0.5
        done
        local heap
        heap=$(heap_after_gc_kb "$srv")
        log "churn rep=$r: established=$(j "$OUT/$name-$r.json" "['connections']['established']") reset; streams_open=$open subscribers=$subs after ${elapsed}s (limit $((2 * hb))s); heap after GC ${heap} KB = $(python3 -c "print(round(100*($heap-$base)/$base,1))")% vs baseline; rss $(rss_kb "$srv") KB"
    done
    stop_server "$srv"
}

# ------------------------------------------------------------------ 2. storm
storm() {
    for variant in default ${STORM_MAX_TCP:-18000}; do
        local name="storm-$variant" port=$BASE_PORT
        if [ "$variant" = default ]; then
            SERVER_JAVA_OPTS="" start_server "$name-server" "$port"
        else
            SERVER_JAVA_OPTS="-Dserver.max-tcp-connections=$variant" start_server "$name-server" "$port"
        fi
        local srv=$SERVER_PID
        sleep 2
        # default: max-tcp-connections from the open-file limit (ConnectionLimits: 19,600 of 20,000),
        # limits.streams 64 below it; 25,000 attempts from two processes (each under its 20,000 files), 12,500 at 6,000/s each
        gen_bg "$name-a" --target "http://127.0.0.1:$port" -n 12500 --ramp 6000 --sources-from 127.0.0.2 --sources 2 \
            --duration 20 --connect-timeout 10 --submit-rate 20 --players 20 --max-time 120
        local ga=$GEN_PID
        gen_bg "$name-b" --target "http://127.0.0.1:$port" -n 12500 --ramp 6000 --sources-from 127.0.0.4 --sources 2 \
            --duration 20 --connect-timeout 10 --max-time 120
        local gb=$GEN_PID
        local worst=0 fails=0 samples=0
        while kill -0 "$ga" 2>/dev/null || kill -0 "$gb" 2>/dev/null; do
            local t
            t=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/metrics" || true)
            [ -n "$t" ] || t="000 5"
            samples=$((samples + 1))
            [ "${t%% *}" = 200 ] || fails=$((fails + 1))
            worst=$(python3 -c "print(max($worst, ${t#* }))")
            sleep 1
        done
        wait "$ga" || true
        wait "$gb" || true
        local alive=yes
        kill -0 "$srv" 2>/dev/null || alive=no
        save_metrics "$port" "$OUT/$name.metrics"
        log "storm $variant: server alive=$alive; sse accepted=$(sse_counter "$OUT/$name.metrics" fanout_sse_accepted) rejected_503=$(sse_counter "$OUT/$name.metrics" fanout_sse_rejected); /metrics $samples samples, $fails failed, slowest ${worst}s; a: established=$(j "$OUT/$name-a.json" "['connections']['established']") failures=$(j "$OUT/$name-a.json" "['connections']['failures']") dropped=$(j "$OUT/$name-a.json" "['connections']['drops']"); b: established=$(j "$OUT/$name-b.json" "['connections']['established']") failures=$(j "$OUT/$name-b.json" "['connections']['failures']") dropped=$(j "$OUT/$name-b.json" "['connections']['drops']"); server log errors: $(grep -c -E 'SEVERE|Too many open files' "$OUT/$name-server.log")"
        stop_server "$srv"
    done
}

# ------------------------------------------------------------------ 5. stalled clients
stall() {
    local base99=() stall99=()
    # The server's socket send buffer: with the kernel's autotuning (tcp_wmem max 4 MiB here) a
    # stalled socket absorbs the whole run (~600 snapshots of ~4 KB) and no write ever blocks, so
    # there is nothing to evict. 64 KiB makes a stalled client block within seconds, as it would
    # on a real network with a sane buffer. STALL_SNDBUF=0: the kernel's default.
    local sndbuf=${STALL_SNDBUF:-65536}
    local opts=${SERVER_JAVA_OPTS:-}
    [ "$sndbuf" != 0 ] && opts="$opts -Dserver.connection-options.socket-send-buffer-size=$sndbuf"
    log "stall: server java options: ${opts:-none}"
    for r in $(seq 1 "$REPS"); do
        for variant in ${STALL_ORDER:-none stalled}; do
            local name="stall-$variant-$r" port=$BASE_PORT
            SERVER_JAVA_OPTS="$opts" start_server "$name-server" "$port" LEADERBOARD_TOPK="${STALL_TOPK:-100}"
            local srv=$SERVER_PID
            sleep 2
            local extra=()
            [ "$variant" = stalled ] && extra=(--stall-fraction 0.01 --stall-after 5 --stall-rcvbuf 4096)
            gen "$name" --target "http://127.0.0.1:$port" -n 5000 --ramp 2500 --duration 60 --warmup 10 \
                --submit-rate 100 --players 200 --max-time 200 "${extra[@]}" || true
            local open
            open=$(metric "$port" leaderboard_streams_open)
            save_metrics "$port" "$OUT/$name.metrics"
            stop_server "$srv"
            if [ "$variant" = none ]; then base99+=("$(j "$OUT/$name.json" "['latency_ms']['p99']")"); else stall99+=("$(j "$OUT/$name.json" "['latency_ms']['p99']")"); fi
            log "stall $variant rep=$r: client open=$(j "$OUT/$name.json" "['connections']['open_at_end']") stalled=$(j "$OUT/$name.json" "['connections']['stalled']") server streams_open at end=$open evicted_for_stall=$(sse_counter "$OUT/$name.metrics" fanout_sse_disconnects stalled) latency=$(j "$OUT/$name.json" "['latency_ms']") on_final=$(j "$OUT/$name.json" "['all_on_final_snapshot']")"
        done
    done
    log "stall MEDIAN of $REPS: healthy clients' p99 without stalled=$(median "${base99[@]}") ms, with 1% stalled=$(median "${stall99[@]}") ms"
}

# ------------------------------------------------------------------ 7. scale-out
# INSTANCES servers on one Redis (REDIS_PORT, default 6379), one stream generator per instance
# with PER_INSTANCE clients; every HOP_EVERY seconds a HOP_FRACTION of each generator's clients
# leave for the next instance with their Last-Event-ID (HOP_FRACTION=0: no hops, the scenario of
# before). Games go to instance 0 from their own process, whose one stream client sits on the
# last instance, so its submit-to-stream latency crosses Redis. Redis INFO stats is sampled every
# 5 s (redis.samples): commands/s before (servers idle), during and after the generators.
redis_stats() { # redis_stats: "<epoch seconds> <total_commands_processed> <instantaneous_ops_per_sec>"
    redis-cli -p "${REDIS_PORT:-6379}" info stats | tr -d '\r' | awk -F: -v t="$(date +%s.%N)" \
        '$1 == "total_commands_processed" {c=$2} $1 == "instantaneous_ops_per_sec" {o=$2} END {print t, c, o}'
}
rate_between() { # rate_between "T0 C0 _" "T1 C1 _": commands per second between two samples
    python3 -c "import sys; a=sys.argv[1].split(); b=sys.argv[2].split(); print(round((int(b[1])-int(a[1]))/(float(b[0])-float(a[0]))))" "$1" "$2"
}
scaleout() {
    local inst=${INSTANCES:-6} per=${PER_INSTANCE:-16700} prefix="load-scale-$$" rport=${REDIS_PORT:-6379}
    local hopf=${HOP_FRACTION:-0.1} hope=${HOP_EVERY:-10}
    local srvs=() gens=() urls=()
    for i in $(seq 0 $((inst - 1))); do
        start_server "scale-server-$i" $((BASE_PORT + 1 + i)) LEADERBOARD_STORE="redis://127.0.0.1:$rport" \
            LEADERBOARD_PREFIX="$prefix" LEADERBOARD_RATE="${SCALE_RATE:-1}"
        srvs+=("$SERVER_PID")
        urls+=("http://127.0.0.1:$((BASE_PORT + 1 + i))")
    done
    local ring
    ring=$(IFS=,; echo "${urls[*]}")
    log "scaleout: $inst instances, $per streams each, hops: fraction $hopf every ${hope}s over $ring; Redis on port $rport"
    sleep 2
    local idle0 idle1
    idle0=$(redis_stats)
    sleep 10
    idle1=$(redis_stats)
    log "scaleout redis before (servers idle, 10 s): $(rate_between "$idle0" "$idle1") commands/s"
    # games go to instance 0 from their own process, and stop well before any stream generator's
    # hold ends, so every instance's final snapshot is read after the last game
    local hold=${SCALE_HOLD:-60}
    local hopargs=()
    if [ "$hopf" != 0 ]; then hopargs=(--hop-fraction "$hopf" --hop-every "$hope" --hop-targets "$ring"); fi
    local run0
    run0=$(redis_stats)
    echo "$run0" >"$OUT/redis.samples"
    gen_bg "scale-submit" --target "${urls[$((inst - 1))]}" --submit-target "${urls[0]}" -n 1 --duration "$hold" \
        --sources-from 127.0.100.2 --submit-rate 20 --players 50 --settle 1 --max-time 600
    gens+=("$GEN_PID")
    # the games process reads the store's version first: let it do so before the ramps swamp the instances
    for _ in $(seq 1 60); do grep -q "ramp done" "$OUT/scale-submit.out" 2>/dev/null && break; sleep 0.5; done
    for i in $(seq 0 $((inst - 1))); do
        gen_bg "scale-$i" --target "${urls[$i]}" -n "$per" --ramp 1000 \
            --sources-from "127.0.$((i + 1)).2" --sources 2 --duration $((hold + 15)) --warmup 10 --settle 30 \
            --connect-timeout 60 --max-time 600 --progress "${SCALE_PROGRESS:-5}" "${hopargs[@]}"
        gens+=("$GEN_PID")
    done
    # steady window for the servers' CPU: after the ramp and warm-up, 30 s of the hold
    local steady_at=$((per / 1000 + 15))
    local t0="" c0=() t1="" c1=() s0="" s1="" n=0
    while true; do
        local alive=0
        for g in "${gens[@]}"; do kill -0 "$g" 2>/dev/null && alive=1; done
        [ "$alive" = 1 ] || break
        sleep 5
        n=$((n + 5))
        redis_stats >>"$OUT/redis.samples"
        if [ -z "$t0" ] && [ "$n" -ge "$steady_at" ]; then
            t0=$(date +%s.%N); s0=$(redis_stats); for s in "${srvs[@]}"; do c0+=("$(cpu_ticks "$s")"); done
        elif [ -n "$t0" ] && [ -z "$t1" ] && [ "$n" -ge $((steady_at + 30)) ]; then
            t1=$(date +%s.%N); s1=$(redis_stats); for s in "${srvs[@]}"; do c1+=("$(cpu_ticks "$s")"); done
        fi
    done
    for g in "${gens[@]}"; do wait "$g" || true; done
    # each instance's own account at the end: the cluster counters (reads, backfills and their
    # failures, gaps) tell a history too short from a read-back that failed
    for i in $(seq 0 $((inst - 1))); do
        curl -s --max-time 20 "${urls[$i]}/metrics" >"$OUT/metrics-$i.txt" || true
        log "scaleout instance $i /metrics at the end: $(grep -E '^(leaderboard_cluster_[a-z_]+|fanout_sse_resume[a-z_]*|fanout_sse_rejected[a-z_]*|fanout_sse_connections_open)(\{[^}]*\})? ' "$OUT/metrics-$i.txt" | tr '\n' ' ')"
    done
    local run1
    run1=$(redis_stats)
    echo "$run1" >>"$OUT/redis.samples"
    sleep 10
    local after
    after=$(redis_stats)
    log "scaleout redis during the generators ($(python3 -c "print(round($(echo "$run1" | cut -d' ' -f1)-$(echo "$run0" | cut -d' ' -f1)))") s): $(rate_between "$run0" "$run1") commands/s; steady 30 s window: $([ -n "$s1" ] && rate_between "$s0" "$s1" || echo n/a) commands/s; highest instantaneous_ops_per_sec sampled: $(awk 'NR > 1 {if ($3 > m) m = $3} END {print m + 0}' "$OUT/redis.samples"); after (10 s, servers idle again): $(rate_between "$run1" "$after") commands/s"
    log "scaleout submissions (to instance 0, probe stream on instance $((inst - 1))): $(j "$OUT/scale-submit.json" "['submissions']")"
    local total=0
    for i in $(seq 0 $((inst - 1))); do
        local e cpu=n/a
        e=$(j "$OUT/scale-$i.json" "['connections']['established']")
        total=$((total + e))
        [ -n "$t1" ] && cpu=$(python3 -c "print(round((${c1[$i]}-${c0[$i]})/$(getconf CLK_TCK)/($t1-$t0),2))")
        log "scaleout instance $i: established=$e failed=$(j "$OUT/scale-$i.json" "['connections']['failures']") dropped=$(j "$OUT/scale-$i.json" "['connections']['dropped']") final_version=$(j "$OUT/scale-$i.json" "['targets'][0]['final_version']") all_on_final=$(j "$OUT/scale-$i.json" "['all_on_final_snapshot']") server_cpu_cores=$cpu latency_at_this_instance=$(j "$OUT/scale-$i.json" "['targets'][0]['latency_ms']") latency_of_its_clients=$(j "$OUT/scale-$i.json" "['latency_ms']")"
        log "scaleout instance $i check: $(j "$OUT/scale-$i.json" "['events']['per_client_check']") hops: $(j "$OUT/scale-$i.json" ".get('hops', {})")"
    done
    log "scaleout: $total streams established over $inst instances on one Redis; final versions seen by each generator: $(for i in $(seq 0 $((inst - 1))); do printf '%s ' "$(j "$OUT/scale-$i.json" "['targets'][0]['final_version']")"; done); all on final: $(for i in $(seq 0 $((inst - 1))); do printf '%s ' "$(j "$OUT/scale-$i.json" "['all_on_final_snapshot']")"; done)"
    for s in "${srvs[@]}"; do stop_server "$s"; done
    redis-cli -p "$rport" --scan --pattern "$prefix:*" | xargs -r -n 500 redis-cli -p "$rport" del >/dev/null
}

# 9: idle connections. The server as configured (max-tcp-connections 19,600, reserve 196, header
# timeout 10 s); two generators hold 9,900 silent connections each (19,800), reconnecting when the
# server closes them; the first also probes GET /leaderboard and POST /submit-game 20 times a
# second on fresh connections. /metrics is sampled every 5 s (fanout_connections_*).
# IDLE_RAMP (connections/s per generator, default 2000), IDLE_DURATION (s, default 90) and
# IDLE_SERVER_ENV (e.g. LEADERBOARD_TIMEOUTS_HEADER=PT300S, so the reserve does the work) vary it.
idle() {
    local name=idle port=$BASE_PORT
    # shellcheck disable=SC2086
    start_server "$name-server" "$port" ${IDLE_SERVER_ENV:-}
    local srv=$SERVER_PID
    sleep 2
    "$JAVA" -Xmx1g -cp "$CP" dev.fanout.leaderboard.load.LoadMain idle --target "http://127.0.0.1:$port" \
        -n 9900 --sources-from 127.0.0.3 --ramp "${IDLE_RAMP:-2000}" --duration "${IDLE_DURATION:-90}" --probe-rate 0 >"$OUT/$name-b.out" 2>&1 &
    local gb=$!
    PIDS+=("$gb")
    "$JAVA" -Xmx1g -cp "$CP" dev.fanout.leaderboard.load.LoadMain idle --target "http://127.0.0.1:$port" \
        -n 9900 --sources-from 127.0.0.2 --ramp "${IDLE_RAMP:-2000}" --duration "${IDLE_DURATION:-90}" --probe-rate 20 >"$OUT/$name-a.out" 2>&1 &
    local ga=$!
    PIDS+=("$ga")
    while kill -0 "$ga" 2>/dev/null; do
        { date +%T; curl -s -m 5 -w 'metrics_time %{time_total}\n' "http://127.0.0.1:$port/metrics" \
            | grep -E '^fanout_connections|metrics_time' || echo "metrics_time timeout"
          echo "loadavg $(cut -d' ' -f1 /proc/loadavg)"; } >>"$OUT/$name.samples" 2>&1
        sleep 5
    done
    wait "$ga" || true
    wait "$gb" || true
    save_metrics "$port" "$OUT/$name.metrics"
    log "idle (${IDLE_SERVER_ENV:-defaults}, ramp ${IDLE_RAMP:-2000}/s per generator): $(grep '^total' "$OUT/$name-a.out"); server: $(grep -E '^fanout_connections_closed_total' "$OUT/$name.metrics" | sed -E 's/.*reason="([a-z_]+)".* ([0-9.]+)$/\1=\2/' | tr '\n' ' ')"
    stop_server "$srv"
}

scenario=${1:-}
case "$scenario" in
    build) OUT=$(mktemp -d); build ;;
    capacity | spike | crash | ingest | churn | storm | stall | scaleout | idle)
        OUT="$ROOT/bench/results/$scenario-$(date +%Y%m%d-%H%M%S)"
        mkdir -p "$OUT"
        build
        log "scenario $scenario, $REPS rep(s), $(nproc) cores, git $(git rev-parse --short HEAD), server java options '${SERVER_JAVA_OPTS:-}', results in $OUT"
        "$scenario"
        ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
esac
