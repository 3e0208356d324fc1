#!/bin/bash
# Build cronie's crond from source (needs gcc, make, autoconf, automake, pkg-config) and the virtual clock.
# usage: build.sh CRONIE_SOURCE_DIR   (a checkout of github.com/cronie-crond/cronie; this was recorded at 5f9f16b)
# crond is configured for /opt/cronie: it reads /opt/cronie/etc/cron.d and nothing of this machine's cron.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$1"
[ -x configure ] || ./autogen.sh
./configure --prefix=/opt/cronie --without-pam --without-selinux --without-audit --disable-anacron --with-inotify=no >/dev/null
make -j2 >/dev/null
gcc -shared -fPIC -O2 -o "$here/vclock.so" "$here/vclock.c" -ldl
echo "crond: $PWD/src/crond"
