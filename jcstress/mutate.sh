#!/usr/bin/env bash
# Shows that a test can fail: applies one mutation of fanout-core (mutations/NAME.patch: a
# fence or a check removed), builds, runs the jcstress tests that guard it, and reverts the
# mutation whatever happens. Prints jcstress's verdict; a FAILED test is the expected result.
#
#   jcstress/mutate.sh NAME TEST_REGEX [jcstress options...]
#   jcstress/mutate.sh publish-fence 'ConsumerWakeStress.QueuePush' -time 200 -iters 5
#
# Run from a clean checkout: it refuses when fanout-core has uncommitted changes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
name=$1 tests=$2
shift 2
patch="$here/mutations/$name.patch"
[ -f "$patch" ] || { echo "no mutation $patch" >&2; exit 1; }
cd "$root"
git diff --quiet -- fanout-core || { echo "fanout-core has uncommitted changes" >&2; exit 1; }
# revert, and rebuild so that the jar left behind tests fanout-core as it is in the checkout
trap 'git -C "$root" checkout -q -- fanout-core; (cd "$root" && mvn -B -o -q -pl fanout-core,jcstress package -DskipTests >/dev/null)' EXIT
git apply "$patch"
mvn -B -o -q -pl fanout-core,jcstress package -DskipTests >/dev/null
out="$here/target/mutation-$name"
rm -rf "$out" && mkdir -p "$out" && cd "$out"
status=0
java --enable-native-access=ALL-UNNAMED -jar "$here/target/jcstress.jar" -t "$tests" -sc false -c 2 \
    -jvmArgsPrepend --enable-native-access=ALL-UNNAMED "$@" -v > run.txt 2>&1 || status=$?
sed -n '/^  Failed tests:/,/HTML report/p' run.txt | grep -v -e WARNING -e '^ *$' -e 'HTML report' || true
grep '^FANOUT' run.txt || true
echo "exit status $status (mutation $name, report in $out)"
