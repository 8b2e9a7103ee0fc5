#!/usr/bin/env bash
# Checks build/aws/*.yaml against the AWS Control Tower proactive controls (cfn-guard rules), as shipped
# with cfn-guard itself in the npm package @cdklabs/cdk-validator-cfnguard (installed once into a cache).
#   build/cfn-guard.sh [template.yaml ...]
# A resource may suppress a rule only with a reason, in its Metadata:
#   Metadata:
#     guard:
#       SuppressedRules: [rule_name]
#       Reasons:
#         rule_name: why this rule does not apply here
# A suppression without a reason, or one no rule needs, is itself a failure.
# Last line: "cfn-guard: N templates, N rules, N failures, N suppressed"; exit 1 on any failure, 2 when
# the tool cannot be installed. Env: ACADEMY_CFN_GUARD_CACHE (default /var/cache/academy-video-cfnguard).
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${ACADEMY_CFN_GUARD_CACHE:-/var/cache/academy-video-cfnguard}
version=0.0.62
package="$cache/node_modules/@cdklabs/cdk-validator-cfnguard"
if [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$package/package.json" 2>/dev/null)" != "$version" ]; then
  mkdir -p "$cache"
  timeout 300 npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "@cdklabs/cdk-validator-cfnguard@$version" >&2 \
    || { echo "cfn-guard: cannot install @cdklabs/cdk-validator-cfnguard@$version with npm" >&2; exit 2; }
fi
case "$(uname -m)" in x86_64) machine=x86_64 ;; aarch64) machine=aarch64 ;; *) echo "cfn-guard: no binary for $(uname -m)" >&2; exit 2 ;; esac
guard="$package/bin/ubuntu/$machine/cfn-guard"
rules="$package/rules/control-tower/cfn-guard"
[ -x "$guard" ] && [ -d "$rules" ] || { echo "cfn-guard: $guard or $rules is missing" >&2; exit 2; }

[ $# -gt 0 ] || set -- build/aws/*.yaml
exec python3 - "$guard" "$rules" "$@" <<'PY'
import glob, json, os, re, subprocess, sys, tempfile
from cfnlint.decode import cfn_yaml  # cfn-lint's loader reads the short-form tags (!Ref, !Sub, ...)

guard, rules_dir, templates = sys.argv[1], sys.argv[2], sys.argv[3:]
rule_files = sorted(glob.glob(os.path.join(rules_dir, "**", "*.guard"), recursive=True))

def plain(node):
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node if isinstance(node, (bool, int, float)) or node is None else str(node)

def failing_rules(document, rules):
    """The (rule file, rule name) pairs that FAIL on the document; rules is a file or the whole folder."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as data:
        json.dump(document, data)
    try:
        run = subprocess.run([guard, "validate", "--rules", rules, "--data", data.name, "--show-summary", "fail",
                              "--output-format", "single-line-summary"], capture_output=True, text=True)
    finally:
        os.unlink(data.name)
    found = {(by_name[f], rule) for f, rule in re.findall(r"^(\S+\.guard)/(\S+)\s+FAIL", run.stdout, re.M)}
    if run.returncode not in (0, 19) or (run.returncode == 19 and not found):
        raise SystemExit(f"cfn-guard: {rules} did not run: {run.stderr.strip() or run.stdout.strip()}")
    return found, run.stdout

by_name = {os.path.basename(f): f for f in rule_files}
failures = suppressed = 0
for path in templates:
    template = plain(cfn_yaml.load(path))
    resources = template.get("Resources", {})
    suppressions = {}
    for logical_id, resource in resources.items():
        guard_meta = (resource.get("Metadata") or {}).get("guard") or {}
        names = guard_meta.get("SuppressedRules") or []
        reasons = guard_meta.get("Reasons") or {}
        for name in names:
            if not str(reasons.get(name, "")).strip():
                print(f"{path}: {logical_id} suppresses {name} without a reason (Metadata guard Reasons)")
                failures += 1
        suppressions[logical_id] = set(names)
    used = set()
    # One run of every rule; then each failing rule again without the resources that suppress it: what
    # still fails is a finding.
    found, _ = failing_rules(template, rules_dir)
    for rule_file, name in sorted(found):
        exempt = [logical_id for logical_id, rules in suppressions.items() if name in rules]
        reduced = dict(template, Resources={k: v for k, v in resources.items() if k not in exempt})
        still, report = failing_rules(reduced, rule_file)
        if exempt and (rule_file, name) not in still:
            suppressed += 1
            used.update((logical_id, name) for logical_id in exempt)
            continue
        failures += 1
        print(f"{path}: FAIL {os.path.relpath(rule_file, rules_dir)} {name}")
        for line in report.splitlines():
            if "[CT." in line or "[FIX]" in line or "Resource" in line:
                print("    " + line.strip())
    for logical_id, rules in suppressions.items():
        for name in rules:
            if (logical_id, name) not in used:
                print(f"{path}: {logical_id} suppresses {name}, which it does not fail: remove the suppression")
                failures += 1
print(f"cfn-guard: {len(templates)} templates, {len(rule_files)} rules, {failures} failures, {suppressed} suppressed")
sys.exit(1 if failures else 0)
PY
