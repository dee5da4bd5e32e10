#!/usr/bin/env bash
# Benchmarks dossier at archive scale, side by side with Hugo. Not part of
# the test suite: it builds corpora of up to 100,000 articles.
#
#   scripts/bench.sh [SIZE ...]        default sizes: 1000 10000 100000
#
# For each size it generates a corpus (`dossier gen-corpus`, fixed seed) from
# the BBC articles, writes the same articles as Markdown pages for Hugo with
# a minimal theme, then measures:
#   - dossier full build (no output, no cache), a rebuild with no change,
#     and a rebuild after editing one article;
#   - hugo building the Markdown pages;
# and prints wall time, CPU time, articles per second, peak RSS, output size,
# the dossier/hugo ratio, and dossier's time per stage (`build --timings`:
# wall and CPU seconds, peak RSS and RSS at the end of each stage).
#
# Environment: BBC (source corpus; default ../shared/corpora/bbc), WORK
# (scratch folder; default $TMPDIR/dossier-bench), SEED (default 1), REPEAT
# (default 1): runs each full build, one-edit rebuild and Hugo build that
# many times and reports the run of median wall time (this machine varies by
# 10-25% from one run to the next; the stage tables are the median run's).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${BBC:-../shared/corpora/bbc}
WORK=${WORK:-${TMPDIR:-/tmp}/dossier-bench}
SEED=${SEED:-1}
REPEAT=${REPEAT:-1}
SIZES=${*:-1000 10000 100000}
[ -d "$SRC" ] || { echo "no source corpus at $SRC (set BBC=DIR)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
HUGO=$(command -v hugo || true)
[ -n "$HUGO" ] || echo "hugo not found (apt-get install hugo): measuring dossier only" >&2

cargo build --release --locked -q
BIN=$PWD/target/release/dossier
mkdir -p "$WORK"

echo "dossier $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$HUGO" ] && echo "$($HUGO version | cut -d' ' -f1-2)"

# Runs a command under /usr/bin/time; sets WALL, CPU (user+sys), RSS_MB.
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" >"$WORK/last.out" 2>&1 ||
    { cat "$WORK/last.out" >&2; exit 1; }
  read -r WALL USR SYS RSS <"$WORK/time.txt"
  CPU=$(echo "$USR + $SYS" | bc)
  RSS_MB=$((RSS / 1024))
}

# Runs `$1` (a function that prepares, then calls `measure`) REPEAT times;
# sets WALL, CPU and RSS_MB to those of the run of median wall time, and
# leaves that run's output in $WORK/last.out. RUNS lists every wall time.
median_run() {
  local k runs=()
  for k in $(seq "$REPEAT"); do
    "$1" "$k"
    cp "$WORK/last.out" "$WORK/run-$k.out"
    runs+=("$WALL $CPU $RSS_MB $k")
  done
  read -r WALL CPU RSS_MB k < <(printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(((REPEAT + 1) / 2))p")
  cp "$WORK/run-$k.out" "$WORK/last.out"
  RUNS=$(printf '%s\n' "${runs[@]}" | cut -d' ' -f1 | sort -n | paste -sd' ')
}

hugo_site() { # $1: site folder (content/ already written)
  mkdir -p "$1/layouts/_default"
  cat >"$1/config.toml" <<'EOF'
baseURL = "http://example.org/"
title = "Benchmark archive"
disableKinds = ["taxonomy", "term", "RSS", "sitemap"]
EOF
  cat >"$1/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><header><a href="{{ "" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
EOF
  cat >"$1/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}
EOF
  cat >"$1/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
EOF
}

SUMMARY="$WORK/summary.txt"
OLD="$WORK/old.$$"
trap 'rm -rf "$OLD"' EXIT
: >"$SUMMARY"
: >"$WORK/runs.txt"
for N in $SIZES; do
  D="$WORK/n$N"
  if [ ! -f "$D/.generated-$SEED" ]; then
    rm -rf "$D"
    "$BIN" gen-corpus --from "$SRC" --count "$N" --seed "$SEED" --out "$D/txt" --markdown "$D/hugo/content" >/dev/null
    hugo_site "$D/hugo"
    touch "$D/.generated-$SEED"
  fi
  # Previous outputs are moved aside, and deleted only after the last
  # measurement: on ext4 without a journal, a file created within seconds to
  # minutes of a mass deletion skips the deleted inodes one by one (30,000
  # files took 2.8 s to create right after deleting 30,000, 0.6 s otherwise),
  # which would time the file system's cleanup rather than the generators.
  mkdir -p "$OLD/$N"
  for f in "$D/site" "$D/.dossier-cache" "$D/hugo/public"; do
    [ ! -e "$f" ] || mv "$f" "$OLD/$N/"
  done
  sync
  # A build does not trust input times of the last second (see `inputs_key`
  # in src/build.rs): right after generating the corpus, the full build would
  # leave no stamp and the no-change rebuild would run every stage.
  sleep 1.1

  build=("$BIN" build --timings --config /nonexistent.toml --input "$D/txt" --output "$D/site")
  full_build() { # a full build: each repeat starts without site or cache
    if [ "$1" -gt 1 ]; then
      mkdir -p "$OLD/$N/full-$1"
      mv "$D/site" "$D/.dossier-cache" "$OLD/$N/full-$1/"
    fi
    measure "${build[@]}"
  }
  median_run full_build
  F_WALL=$WALL F_CPU=$CPU F_RSS=$RSS_MB F_RUNS=$RUNS
  sed -n '/^stage/,/^total/p' "$WORK/last.out" >"$WORK/stages-$N.txt"
  OUT_MB=$(($(du -sk "$D/site" | cut -f1) / 1024))
  FILES=$(find "$D/site" -type f | wc -l)

  measure "${build[@]}"
  N_WALL=$WALL N_CPU=$CPU
  N_WRITTEN=$(grep -o '[0-9]* written' "$WORK/last.out" | cut -d' ' -f1)

  victim=$(find "$D/txt" -name '*.txt' | sort | sed -n "$((N / 2 + 1))p")
  cp "$victim" "$WORK/victim.bak"
  edit_rebuild() { # from the unedited site, the same edit each time
    if [ "$1" -gt 1 ]; then
      cp "$WORK/victim.bak" "$victim"
      "${build[@]}" >/dev/null
    fi
    printf '\nAn editor added this closing sentence to the article.\n' >>"$victim"
    measure "${build[@]}"
  }
  median_run edit_rebuild
  E_WALL=$WALL E_CPU=$CPU E_RUNS=$RUNS
  E_WRITTEN=$(grep -o '[0-9]* written' "$WORK/last.out" | cut -d' ' -f1)
  sed -n '/^stage/,/^total/p' "$WORK/last.out" >"$WORK/edit-stages-$N.txt"
  grep '^per-article results' "$WORK/last.out" >>"$WORK/edit-stages-$N.txt" || true
  cp "$WORK/victim.bak" "$victim"
  "${build[@]}" >/dev/null # back to the unedited site

  H_WALL=- H_CPU=- H_RSS=- H_MB=- RATIO=-
  if [ -n "$HUGO" ]; then
    hugo_build() {
      if [ "$1" -gt 1 ]; then
        mkdir -p "$OLD/$N/hugo-$1"
        mv "$D/hugo/public" "$OLD/$N/hugo-$1/"
      fi
      measure "$HUGO" --quiet -s "$D/hugo" -d "$D/hugo/public"
    }
    median_run hugo_build
    H_WALL=$WALL H_CPU=$CPU H_RSS=$RSS_MB H_RUNS=$RUNS
    H_MB=$(($(du -sk "$D/hugo/public" | cut -f1) / 1024))
    RATIO=$(echo "scale=2; $F_WALL / $H_WALL" | bc)
  fi
  RATE=$(echo "$N / $F_WALL" | bc)
  EDIT_PCT=$(echo "scale=1; 100 * $E_WALL / $F_WALL" | bc)
  EDIT_CPU_PCT=$(echo "scale=1; 100 * $E_CPU / $F_CPU" | bc)
  CPU_RATIO=-
  [ -n "$HUGO" ] && CPU_RATIO=$(echo "scale=2; $F_CPU / $H_CPU" | bc)
  printf '%s\n' "$N $F_WALL $F_CPU $RATE $F_RSS $OUT_MB $FILES $N_WALL $N_CPU $N_WRITTEN $E_WALL $E_CPU $EDIT_PCT $EDIT_CPU_PCT $E_WRITTEN $H_WALL $H_CPU $H_RSS $H_MB $RATIO $CPU_RATIO" >>"$SUMMARY"
  echo "== $N articles done: dossier ${F_WALL}s, hugo ${H_WALL}s" >&2
  [ "$REPEAT" -gt 1 ] && printf '%s\n' "$N full builds: $F_RUNS s | one-edit rebuilds: $E_RUNS s | hugo: ${H_RUNS:--} s" >>"$WORK/runs.txt"
done

echo
echo "Full builds (wall and CPU seconds, peak RSS and output in MB), rebuilds, and Hugo on the same"
echo "articles; ratio = dossier full build / hugo build (below 1: dossier is faster):"
{
  echo "articles wall cpu art/s rss_MB out_MB files | nochange_wall cpu written | edit1_wall cpu %full_wall %full_cpu written | hugo_wall cpu rss_MB out_MB | ratio_wall ratio_cpu"
  awk '{print $1,$2,$3,$4,$5,$6,$7,"|",$8,$9,$10,"|",$11,$12,$13"%",$14"%",$15,"|",$16,$17,$18,$19,"|",$20,$21}' "$SUMMARY"
} | column -t
if [ "$REPEAT" -gt 1 ]; then
  echo "Medians of $REPEAT runs each; every run's wall seconds, sorted:"
  cat "$WORK/runs.txt"
fi

echo
echo "dossier seconds per stage (full build):"
set -- $SIZES
{
  printf 'stage'
  for N in "$@"; do printf ' %s' "$N"; done
  [ $# -ge 2 ] && printf ' growth_%s→%s' "${@: -2:1}" "${@: -1}"
  echo
  awk 'NR>1 {print $1}' "$WORK/stages-$1.txt" | while read -r stage; do
    printf '%s' "$stage"
    for N in "$@"; do printf ' %s' "$(awk -v s="$stage" '$1==s {print $2}' "$WORK/stages-$N.txt")"; done
    if [ $# -ge 2 ]; then
      a=$(awk -v s="$stage" '$1==s {print $2}' "$WORK/stages-${@: -2:1}.txt")
      b=$(awk -v s="$stage" '$1==s {print $2}' "$WORK/stages-${@: -1}.txt")
      if [ "$(echo "$a > 0.0005" | bc)" = 1 ]; then printf ' x%s' "$(echo "scale=1; $b / $a" | bc)"; else printf ' -'; fi
    fi
    echo
  done
} | column -t
[ $# -ge 2 ] && echo "(growth: time ratio between the two largest sizes; linear work grows by their size ratio, quadratic by its square)"
echo
echo "dossier build --timings at ${*: -1} articles (CPU seconds near twice the wall seconds: both cores busy):"
cat "$WORK/stages-${*: -1}.txt"
echo
echo "The rebuild after editing one article at ${*: -1} articles:"
cat "$WORK/edit-stages-${*: -1}.txt"
exit 0
