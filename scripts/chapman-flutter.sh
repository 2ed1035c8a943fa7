#!/bin/sh
# Flutter from another database and device: the atrial flutter recordings of the
# Chapman-Shaoxing 12-lead database in HARESNET_DATA/chapman (10 s resting ECGs at 500 Hz,
# lead II, one patient each, none seen in training) classified with the embedded weights,
# `all` and `ds1`, at 2, 5 and 10 s, as a user would classify them (`haresnet classify`,
# causal context, the weights' smoothing, noisy segments reported as noisy).
#
#   scripts/chapman-flutter.sh OUT
#
# Writes OUT/<weights>-<seconds>s/<record>.csv and prints, per weights and length, the
# segments by call and the recordings with at least one segment called AFL, then each
# recording's calls at 5 and 10 s with the `all` weights and its mean heart rate.
#
# HARESNET_DATA holds chapman/; HARESNET names the binary to run (default: built and run
# through cargo).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
out=$1
data=${HARESNET_DATA:?set HARESNET_DATA to the directory holding chapman}
. "$(dirname "$0")/haresnet-command.sh"
mkdir -p "$out"
for weights in all ds1; do
    for s in 2 5 10; do
        dir=$out/$weights-${s}s
        haresnet classify --records "$data/chapman/RECORDS" --lead II --segment "$s" \
            --weights "$weights" --no-annotations --out "$dir" 2> "$dir.log"
        printf '%s %2s s: ' "$weights" "$s"
        # Columns of classify's CSV: 1 record, 4 status, 5 label.
        cat "$dir"/*.csv | awk -F, -v recordings="$(wc -l < "$data/chapman/RECORDS")" '
            $1 != "record" {
                call = ($4 == "noisy") ? "noisy" : $5; n[call]++; total++
                if (call == "AFL" && !($1 in afl)) { afl[$1] = 1; with_afl++ }
            }
            END {
                for (c in n) printf "%s %d, ", c, n[c]
                printf "of %d segments; %d of %d recordings with AFL\n", total, with_afl, recordings
            }'
    done
done
echo
echo "recording                   5 s calls      10 s call  heart rate (bpm)"
while read -r r; do
    calls5=$(awk -F, '$1 != "record" { printf "%s ", ($4 == "noisy") ? "noisy" : $5 }' "$out/all-5s/$r.csv")
    line10=$(awk -F, '$1 != "record" { print (($4 == "noisy") ? "noisy" : $5), $6 }' "$out/all-10s/$r.csv")
    printf '%-27s %-14s %-10s %s\n' "$r" "$calls5" "${line10% *}" "${line10#* }"
done < "$data/chapman/RECORDS"
