#!/usr/bin/env bash
# setup.sh: Diptych's one entry point. Installs the Debian packages the project needs when they are
# missing, builds, and then runs the main job or the tests.
#   ./setup.sh run     set up, build in release mode, run the main job
#   ./setup.sh test    set up, run the test suite
#   ./setup.sh build   set up, build in release mode
set -euo pipefail
cd "$(dirname "$0")"

packages=(libopenblas-dev libpng-dev libjpeg-dev zlib1g-dev fonts-noto-color-emoji unicode-data)

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

build_release() {
    echo "setup: building (release)" >&2
    swift build -c release --product diptych >&2
}

mode="${1:-run}"
case "$mode" in
    run)
        install_missing
        build_release
        bin=.build/release/diptych
        $bin info
        if [ -f Models/default/bundle.json ]; then
            $bin generate "a red circle above a blue square" --out Outputs/first
        else
            $bin bench --quick
        fi
        ;;
    test)
        install_missing
        build_release   # ShippedBundleTests run the shipped models through the release binary
        swift build --build-tests >&2
        export DIPTYCH_RELEASE_BINARY="$PWD/.build/release/diptych"
        # XCTest only: its closing "Executed N tests" line is the one CI reads.
        swift test --skip-build --disable-swift-testing
        ;;
    build)
        install_missing
        build_release
        ;;
    *)
        echo "usage: ./setup.sh run|test|build" >&2
        exit 64
        ;;
esac
