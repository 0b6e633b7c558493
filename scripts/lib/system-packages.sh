# Installs Debian packages the first time they are missing. Source this file, then:
#   require_packages PACKAGE:FILE [PACKAGE:FILE ...]
# where FILE is a path that exists once PACKAGE is installed.

require_packages() {
    local missing=() item package file
    for item in "$@"; do
        package="${item%%:*}"
        file="${item#*:}"
        [ -e "$file" ] || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; return 1; }
        sudo="sudo"
    fi
    echo "Installing ${missing[*]} (apt-get)..." >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}
