#!/usr/bin/env bash
# Installs the web terminals the `peers` bench compares with into a TEMPORARY folder (never the
# project's dependencies): Debian's shellinabox, and WeTTY, gritty and ghostty-web's demo from npm,
# whose node-pty is built with node-gyp against /usr's Node headers when npm ran no build. Prints
# one line per peer, `ok NAME` or `skip NAME: why`; a peer that cannot install is skipped.
# Usage: peers-install.sh DIR
set -uo pipefail
dir=${1:?usage: peers-install.sh DIR}
mkdir -p "$dir"
node=/usr/bin/node
gyp=/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js

if command -v shellinaboxd >/dev/null; then
  echo "ok shellinabox"
elif [ "$(id -u)" != 0 ]; then
  echo "skip shellinabox: not installed, and installing Debian's package needs root"
else
  # its postinst would start a daemon on 0.0.0.0:4200: policy-rc.d forbids that
  policy=/usr/sbin/policy-rc.d
  had_policy=0; [ -e $policy ] && had_policy=1
  [ $had_policy = 1 ] || printf '#!/bin/sh\nexit 101\n' > $policy && chmod +x $policy
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellinabox >"$dir/apt.log" 2>&1; then echo "ok shellinabox"; else echo "skip shellinabox: apt-get install failed (see $dir/apt.log)"; fi
  [ $had_policy = 1 ] || rm -f $policy
fi

if [ ! -x $node ]; then
  for p in wetty gritty ghostty-web; do echo "skip $p: needs a Node at $node (with its headers) to build node-pty"; done
  exit 0
fi
install_npm() { # NAME SPEC
  local name=$1 spec=$2 d="$dir/$1"
  mkdir -p "$d"
  [ -f "$d/package.json" ] || echo '{"private":true}' > "$d/package.json"
  if [ ! -d "$d/node_modules" ] && ! (cd "$d" && npm install --no-audit --no-fund "$spec" >"$d/npm.log" 2>&1); then
    echo "skip $name: npm install $spec failed (see $d/npm.log)"; return
  fi
  local pty
  for pty in "$d"/node_modules/node-pty; do
    [ -d "$pty" ] || continue
    if [ ! -e "$pty/build/Release/pty.node" ] && ! (cd "$pty" && $node $gyp rebuild --nodedir=/usr >"$d/gyp.log" 2>&1); then
      echo "skip $name: building node-pty failed (see $d/gyp.log)"; return
    fi
  done
  echo "ok $name"
}
install_npm wetty wetty@3.2.0
install_npm gritty gritty@10.1
install_npm ghostty-web @ghostty-web/demo@0.4
