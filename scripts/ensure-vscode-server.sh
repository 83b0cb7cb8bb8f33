#!/usr/bin/env bash
# Installs a real VS Code server (code-server 4.100.3 = VS Code 1.100.3, the last line that runs
# on Node 20) and the Debian packages it and headless Chromium need, into .vscode-test/server.
# Recipe: ../shared/notes/real-vscode-here.md. Idempotent: a second run only checks.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
server_dir="$here/.vscode-test/server"
code_server_version="4.100.3"
apt_packages=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium)

echo "[vscode-server] 1/3 checking Debian packages: ${apt_packages[*]}"
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "[vscode-server] these Debian packages will be installed (apt-get install): ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo "[vscode-server]   apt-get update"
    apt-get update -qq
    echo "[vscode-server]   apt-get install ${missing[*]} (about a minute; dependencies come along)"
    apt-get install -y -qq "${missing[@]}" >/dev/null
    echo "[vscode-server]   installed: ${missing[*]}"
  else
    echo "[vscode-server] missing Debian packages: ${missing[*]}" >&2
    echo "[vscode-server] installing them needs root; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 3
  fi
else
  echo "[vscode-server]   all present"
fi
echo "[vscode-server] 2/3 checking the VS Code server in $server_dir"

vscode_dir="$server_dir/node_modules/code-server/lib/vscode"
main_js="$vscode_dir/out/server-main.js"
# server-main.js is unpacked before code-server's postinstall runs; these only exist once the
# postinstall (native modules, node_modules.asar link, built-in extensions' deps) has completed.
postinstall_markers=(
  "$vscode_dir/node_modules.asar"
  "$vscode_dir/node_modules/node-pty/build/Release/pty.node"
  "$vscode_dir/node_modules/@vscode/spdlog/build/Release/spdlog.node"
  "$vscode_dir/node_modules/native-watchdog/build/Release/watchdog.node"
  "$vscode_dir/node_modules/@vscode/ripgrep/bin/rg"
  "$vscode_dir/extensions/node_modules"
)
incomplete() {
  [ -f "$main_js" ] || { echo "$main_js"; return 0; }
  local m
  for m in "${postinstall_markers[@]}"; do [ -e "$m" ] || { echo "$m"; return 0; }; done
  return 1
}
if ! missing_marker="$(incomplete)"; then
  echo "[vscode-server] 3/3 present: $main_js"
  exit 0
fi
if [ -d "$server_dir/node_modules/code-server" ]; then
  echo "[vscode-server] earlier install is incomplete (missing $missing_marker); reinstalling"
  rm -rf "$server_dir/node_modules/code-server"
fi

# @vscode/ripgrep downloads rg from GitHub unless its cache already holds the archive.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
mkdir -p "$rg_cache"
tmp_rg="$(mktemp -d)"
cp "$(command -v rg)" "$tmp_rg/rg"
tar czf "$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$tmp_rg" rg
rm -rf "$tmp_rg"

mkdir -p "$server_dir"
cd "$server_dir"
[ -f package.json ] || echo '{"name":"scaling-lens-vscode-server","private":true}' > package.json
echo "[vscode-server] 3/3 installing code-server@$code_server_version with npm (about a minute, ~300 MB; log: $server_dir/install.log)"
# The install scripts ARE the install: code-server's postinstall runs two more `npm install`s (in
# lib/vscode and lib/vscode/extensions, projects whose package.json we don't control) that build
# native modules (node-pty, spdlog, kerberos, native-watchdog, …) and fetch rg. npm 11 gates
# dependency install scripts behind an `allowScripts` policy (11.19 still runs unreviewed ones with
# an "install-scripts … not yet covered by allowScripts" warning; stricter settings or later npm
# skip them silently). This is an isolated cache of one pinned package, so allow all of them, via
# the environment so the nested installs inherit it; and override any user `ignore-scripts=true`.
# The marker check below is the real guarantee. --foreground-scripts puts their output in the log.
npm_config_unsafe_perm=true npm_config_yes=true npm_config_ignore_scripts=false \
  npm_config_dangerously_allow_all_scripts=true npm_config_strict_allow_scripts=false \
  npm install --no-audit --no-fund --loglevel=warn --foreground-scripts \
  "code-server@$code_server_version" >"$server_dir/install.log" 2>&1 || {
  echo "[vscode-server] npm install failed; last lines of $server_dir/install.log:" >&2
  tail -30 "$server_dir/install.log" >&2
  exit 1
}
if missing_marker="$(incomplete)"; then
  echo "[vscode-server] npm install finished but $missing_marker is missing (postinstall skipped or failed?); see $server_dir/install.log" >&2
  tail -30 "$server_dir/install.log" >&2
  exit 1
fi
echo "[vscode-server] installed: $main_js"
