# forget_stale_build_plan <package directory> <configuration: debug|release>
#
# The example and the benchmarks depend on this package by path, and SwiftPM keeps their build plan across builds
# without noticing Swift files added to this package since: the next build then fails to find what they declare.
# When any of this package's Swift sources is newer than the plan, the plan goes (the compiled modules stay, so
# only planning is redone, a few seconds).
forget_stale_build_plan() {
    local build="$1/.build" configuration="$2"
    local plan="$build/$configuration.yaml"
    [ -f "$plan" ] || return 0
    if [ -n "$(find Sources -name '*.swift' -newer "$plan" -print -quit)" ]; then
        rm -f "$plan" "$build"/*/"$configuration"/description.json
    fi
}
