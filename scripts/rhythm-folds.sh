#!/bin/sh
# The patient-wise check that chooses the rhythm pathway's recipe: for each of the three
# leave-patients-out folds of DS1, pre-train with the fold's patients out of the MIT-BIH
# material, then score the pathway on them (what DS2 is never used for).
#
#   scripts/rhythm-folds.sh OUT [rr-pretrain options...]
#
# e.g. `scripts/rhythm-folds.sh runs/v8 --class-weight-power 0 --seed 2`. Writes
# OUT/f<K>/ (the pathway, its card with the held-out afdb/ltafdb patients' report) and
# OUT/f<K>/ds1-fold<K>.{json,csv} (the fold's report and per-segment predictions).
#
# As shipped (several seeds merged, smoothing): with SEEDS="1 2 3" each seed is pre-trained
# into OUT/s<k>/f<K> (pass no --seed then), the seeds are merged into OUT/f<K> and exported
# as OUT/f<K>/fold.hrn, which the `Classifier` scores at every half-life of HALF_LIVES
# (default "0"): OUT/f<K>/ds1-fold<K>-h<H>.{json,csv}. E.g.
# `SEEDS="1 2 3" HALF_LIVES="0 5" CONTEXT=120 scripts/rhythm-folds.sh runs/ctx120 --class-weight-power 0`.
#
# SEGMENT is the segment length (default 5), CONTEXT the rhythm context (default 60 s). A
# pathway that exists is only scored again.
# Ends with each fold's macro F1 over classes with >= 20 segments and their mean.
#
# HARESNET_DATA holds afdb-ann/, ltafdb-ann/ and mitdb/; HARESNET names the binary to run
# (default: built and run through cargo).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 OUT [rr-pretrain options...]" >&2; exit 2; }
out=$1
shift
data=${HARESNET_DATA:?set HARESNET_DATA to the directory holding afdb-ann, ltafdb-ann and mitdb}
segment=${SEGMENT:-5}
context=${CONTEXT:-60}
seeds=${SEEDS:-}
. "$(dirname "$0")/haresnet-command.sh"
# sh has no local variables: the function's names are its own.
pretrain() { # DIR FOLD [options...]
    pretrain_dir=$1 pretrain_fold=$2
    shift 2
    [ -f "$pretrain_dir/rhythm.json" ] && return 0
    haresnet rr-pretrain --data "$data/afdb-ann" --data "$data/ltafdb-ann" --segment "$segment" \
        --context "$context" --mitdb "$data/mitdb" --protocol ds1 --fold "$pretrain_fold" \
        --folds 3 "$@" --out "$pretrain_dir"
}
for k in 0 1 2; do
    dir=$out/f$k
    if [ -z "$seeds" ]; then
        pretrain "$dir" "$k" "$@"
        echo "== fold $k: the fold's DS1 patients"
        haresnet eval --data "$data/mitdb" --rr-model "$dir" --fold "$k" --folds 3 \
            --save "$dir/ds1-fold$k"
        continue
    fi
    members=
    for s in $seeds; do
        pretrain "$out/s$s/f$k" "$k" "$@" --seed "$s"
        members="$members --rr-model $out/s$s/f$k"
    done
    if [ ! -f "$dir/fold.hrn" ]; then
        # shellcheck disable=SC2086 # one word per member option
        haresnet rr-merge $members --out "$dir"
        haresnet rr-export --rr-model "$dir" --set ds1 --out "$dir/fold.hrn"
    fi
    for h in ${HALF_LIVES:-0}; do
        echo "== fold $k: the fold's DS1 patients, smoothing half-life $h s"
        haresnet eval --data "$data/mitdb" --weights "$dir/fold.hrn" --protocol ds1 \
            --fold "$k" --folds 3 --smoothing-half-life "$h" --save "$dir/ds1-fold$k-h$h"
    done
done
# One line: LABEL, then each fold's unrounded macro F1 >= 20 from OUT/f<K>/ds1-fold<K>SUFFIX.json.
summary() { # LABEL SUFFIX
    for k in 0 1 2; do
        sed -n 's/.*"macro_f1_supported": *\([-0-9.eE+]*\).*/\1/p' "$out/f$k/ds1-fold$k$2.json"
    done | awk -v label="$1" '{ s += $1; line = line sprintf(" %.3f", $1) }
        END { printf "%s:%s, mean %.3f\n", label, line, s / NR }'
}
echo "== macro F1 over classes with >= 20 segments: folds 0, 1, 2 and their mean"
if [ -z "$seeds" ]; then
    summary "$out" ''
else
    for h in ${HALF_LIVES:-0}; do
        summary "$out, half-life $h s" "-h$h"
    done
fi
