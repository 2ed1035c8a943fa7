# Sourced by the training and evaluation scripts: `haresnet ARGS...` runs the binary named
# by HARESNET, or builds and runs the command through cargo (`cargo haresnet`).
haresnet() {
    if [ -n "${HARESNET:-}" ]; then
        "$HARESNET" "$@"
    else
        cargo haresnet "$@"
    fi
}
