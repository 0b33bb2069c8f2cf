#!/bin/sh
# man.sh -- a man page from a program's own --help text, so the manual never drifts from the
# program: `man.sh PROGRAM NAME SECTION "summary" [SUBCOMMAND...] > NAME.SECTION`.
# The --help text is shown verbatim (.nf) under DESCRIPTION, each subcommand's --help under
# its own heading. Used by `cmake --install` (dist/CMakeLists.txt); needs no other tool.
set -eu
prog=$1; name=$2; section=$3; summary=$4; shift 4
roff_escape() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"; }
printf '.TH %s %s "%s" "huizong" "huizong 汇总"\n' "$(echo "$name" | tr a-z A-Z)" "$section" "$(date -u +%Y-%m-%d)"
printf '.SH NAME\n%s \\- %s\n' "$name" "$summary"
printf '.SH DESCRIPTION\n.nf\n'
"$prog" --help 2>&1 | roff_escape
printf '.fi\n'
for sub in "$@"; do
  printf '.SH "%s %s"\n.nf\n' "$name" "$sub"
  "$prog" "$sub" --help 2>&1 | roff_escape
  printf '.fi\n'
done
printf '.SH SEE ALSO\nhuizong(1), huizong-aggregator(1), huizong-collector(1), huizong-pdf-pages(1); the documentation in share/doc/huizong.\n'
