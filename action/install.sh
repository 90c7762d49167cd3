#!/usr/bin/env bash
# Installs the shipgate CLI for the GitHub Action (action.yml): from the
# module proxy at the action's ref (a tag, branch or commit), or from the
# action's own checkout when it is used by path (uses: ./), which has no ref.
set -euo pipefail
if [ -n "${SHIPGATE_REF:-}" ]; then
	go install "github.com/shipgate/shipgate/cmd/shipgate@${SHIPGATE_REF}"
else
	(cd "${GITHUB_ACTION_PATH:?}" && go install ./cmd/shipgate)
fi
echo "$(go env GOPATH)/bin" >>"${GITHUB_PATH:-/dev/null}"
