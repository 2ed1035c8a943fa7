#!/bin/sh
# Leave-one-patient-out over MIT-BIH: for each of the 43 patients of the 44 records without
# paced beats (201 and 202 are one patient), the shipped `all` recipe trained without that
# patient, then every patient classified by its own pathway and the results pooled
# (`haresnet eval --lopo`). The estimate of what the `all` weights do on a new patient.
#
#   scripts/lopo.sh OUT [rr-pretrain options...]
#
# Writes OUT/<patient>.hrn (named by the patient's first record; its pathway in
# OUT/s<seed>/<patient>/), then OUT/lopo.{json,csv} (the pooled report and per-segment
# predictions) and prints the report. A patient whose file exists is not trained again, so
# an interrupted run resumes where it stopped.
#
# SEGMENT is the segment length (default 5), SEEDS the seeds merged per patient (default
# "1"; the shipped weights merge "1 2 3"), HALF_LIFE the smoothing half-life stored in each
# file (default 5, as shipped). CARD, when set, is a weights file whose card gets the report
# as `metrics.lopo` (e.g. plugin/weights/rhythm-5s-all.hrn).
#
# HARESNET_DATA holds afdb-ann/, ltafdb-ann/ and mitdb/; HARESNET names the binary to run
# (default: built and run through cargo).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 OUT [rr-pretrain options...]" >&2; exit 2; }
out=$1
shift
data=${HARESNET_DATA:?set HARESNET_DATA to the directory holding afdb-ann, ltafdb-ann and mitdb}
segment=${SEGMENT:-5}
seeds=${SEEDS:-1}
half_life=${HALF_LIFE:-5}
. "$(dirname "$0")/haresnet-command.sh"
# The patients' first records, as `haresnet::train::split::patients` lists them (202 is
# 201's patient); `eval --lopo` refuses a folder that misses one.
patients="100 101 103 105 106 108 109 111 112 113 114 115 116 117 118 119 121 122 123 124
200 201 203 205 207 208 209 210 212 213 214 215 219 220 221 222 223 228 230 231 232 233 234"
mkdir -p "$out"
n=0
for p in $patients; do
    n=$((n + 1))
    [ -f "$out/$p.hrn" ] && continue
    echo "== patient $n of 43: $p"
    members=
    for s in $seeds; do
        dir=$out/s$s/$p
        if [ ! -f "$dir/rhythm.bpk" ]; then
            haresnet rr-pretrain --data "$data/afdb-ann" --data "$data/ltafdb-ann" \
                --context 60 --mitdb "$data/mitdb" --segment "$segment" --protocol all \
                --class-weight-power 0 --leave-out "$p" --seed "$s" "$@" --out "$dir"
        fi
        members="$members --rr-model $dir"
    done
    model=$dir
    if [ "$(echo $seeds | wc -w)" -gt 1 ]; then
        model=$out/merged/$p
        # shellcheck disable=SC2086 # one word per member option
        haresnet rr-merge $members --out "$model"
    fi
    mkdir -p "$out/tmp"
    haresnet rr-export --rr-model "$model" --set all \
        --smoothing-half-life "$half_life" --out "$out/tmp/$p.hrn"
    # Moved last, so a file that exists is whole.
    mv "$out/tmp/$p.json" "$out/$p.json"
    mv "$out/tmp/$p.hrn" "$out/$p.hrn"
done
echo "== every patient by its own pathway"
set -- --data "$data/mitdb" --lopo "$out" --save "$out/lopo"
if [ -n "${CARD:-}" ]; then
    set -- "$@" --record lopo --card "$CARD"
fi
haresnet eval "$@"
