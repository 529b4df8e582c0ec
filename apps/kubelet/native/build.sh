#!/bin/sh
# Builds podling-nsexec (the agent's namespace step, see podling-nsexec.c and nsexec-serve.c). Run by `npm ci`/`npm
# install` as this package's install script; it needs a C compiler, as node-pty's build already does.
set -e
cd "$(dirname "$0")"
mkdir -p build
${CC:-cc} -O2 -Wall -Wextra -Werror -o build/podling-nsexec.$$ podling-nsexec.c nsexec-serve.c
mv build/podling-nsexec.$$ build/podling-nsexec
