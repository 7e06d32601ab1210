#!/usr/bin/env bash
# Checks workflows/schema/workflow.xsd with xmllint against the shipped workflows and the fixtures in
# tests/fixtures/xsd/: every workflows/*.xml and every fixture named *-valid.xml must validate; every
# other fixture must be rejected by the schema (xmllint exit status 3, so a file that is not even
# well-formed XML, or a schema that does not compile, counts as a failure of this test).
# Usage: tests/xsd_fixtures_test.sh REPO_ROOT
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 REPO_ROOT" >&2
  exit 2
fi
root=$1
schema="$root/workflows/schema/workflow.xsd"
fixtures="$root/tests/fixtures/xsd"
readonly kSchemaValidationError=3  # xmllint's exit status when a well-formed file fails the schema

passed=0
failed=0

# validate FILE: prints xmllint's exit status for FILE.
validate() {
  local status=0
  xmllint --noout --schema "$schema" "$1" >/dev/null 2>&1 || status=$?
  echo "$status"
}

expect_valid() {
  local status
  status=$(validate "$1")
  if [[ $status -eq 0 ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $1 should validate (xmllint exit $status):" >&2
    xmllint --noout --schema "$schema" "$1" 2>&1 | sed 's/^/  /' >&2 || true
  fi
}

expect_invalid() {
  local status
  status=$(validate "$1")
  if [[ $status -eq $kSchemaValidationError ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $1 should be rejected by the schema, xmllint exit $status (expected $kSchemaValidationError)" >&2
    xmllint --noout --schema "$schema" "$1" 2>&1 | sed 's/^/  /' >&2 || true
  fi
}

shopt -s nullglob
workflows=("$root"/workflows/*.xml)
cases=("$fixtures"/*.xml)
if [[ ${#cases[@]} -eq 0 ]]; then
  echo "no fixtures in $fixtures" >&2
  exit 1
fi

for file in "${workflows[@]}"; do
  expect_valid "$file"
done
for file in "${cases[@]}"; do
  if [[ $file == *-valid.xml ]]; then
    expect_valid "$file"
  else
    expect_invalid "$file"
  fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
