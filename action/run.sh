#!/usr/bin/env bash
# Runs the gate for the GitHub Action (action.yml). Inputs come as INPUT_*
# environment variables (lists one item per line); outputs go where a runner
# says: $GITHUB_STEP_SUMMARY (Markdown), $GITHUB_OUTPUT (passed, sarif-file).
#
# shipgate verify runs once and writes its JSON report; `shipgate render`
# turns that report into SARIF, the job summary and the log's text, so all
# three say the same. The exit status is verify's: 0 pass, 1 fail, 2 the run
# itself failed (then nothing is rendered).
set -uo pipefail
shipgate=${SHIPGATE:-shipgate}
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
report=$(mktemp "$tmp/shipgate-report.XXXXXX")
trap 'rm -f "$report"' EXIT
sarif=${INPUT_SARIF_FILE:-shipgate.sarif}

args=(verify --format json -o "$report" --fail-on "${INPUT_FAIL_ON:-error}")
[ -n "${INPUT_POLICY:-}" ] && args+=(--policy "$INPUT_POLICY")
while IFS= read -r line; do
	[ -n "$line" ] && args+=(--blocklist "$line")
done <<<"${INPUT_BLOCKLISTS:-}"
while IFS= read -r line; do
	[ -n "$line" ] && args+=(--roots "$line")
done <<<"${INPUT_ROOTS:-}"
paths=()
while IFS= read -r line; do
	[ -n "$line" ] && paths+=("$line")
done <<<"${INPUT_PATHS:-}"
if [ ${#paths[@]} -eq 0 ]; then
	echo "::error title=shipgate::the paths input names nothing to verify"
	exit 2
fi

"$shipgate" "${args[@]}" -- "${paths[@]}"
code=$?
if [ "$code" -ge 2 ]; then
	echo "::error title=shipgate::shipgate verify could not run (exit $code)"
	exit "$code"
fi

"$shipgate" render --format text "$report" || exit 2
"$shipgate" render --format sarif -o "$sarif" "$report" || exit 2
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
	"$shipgate" render --format markdown "$report" >>"$GITHUB_STEP_SUMMARY" || exit 2
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
	passed=false
	[ "$code" -eq 0 ] && passed=true
	{
		echo "passed=$passed"
		echo "sarif-file=$sarif"
	} >>"$GITHUB_OUTPUT"
fi
exit "$code"
