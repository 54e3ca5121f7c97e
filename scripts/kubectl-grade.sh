#!/usr/bin/env bash
# secure-workspace graded the way open CKA simulators grade: one
# `kubectl get … -o jsonpath` per rubric check (22 checks, 22 kubectl calls),
# each compared in bash. The baseline of scripts/bench-grade.sh.
#
#   scripts/kubectl-grade.sh [CONTEXT]
set -u

ctx=()
if [ -n "${1:-}" ]; then ctx=(--context "$1"); fi
ns=secure-workspace
score=0

k() { kubectl "${ctx[@]}" "$@" 2>/dev/null; }

# check POINTS TITLE ACTUAL EXPECTED
check() {
  if [ "$3" = "$4" ]; then
    score=$((score + $1))
    echo "PASS $2"
  else
    echo "FAIL $2 (expected '$4', found '$3')"
  fi
}

# contains POINTS TITLE HAYSTACK NEEDLE
contains() {
  case "$3" in
    *"$4"*) check "$1" "$2" x x ;;
    *) check "$1" "$2" "$3" "…$4…" ;;
  esac
}

registry() { k get secret regcred -n $ns -o jsonpath='{.data.\.dockerconfigjson}' | base64 -d 2>/dev/null; }
container() { k get deployment secure-app -n $ns -o jsonpath="{.spec.template.spec.containers[*].$1}"; }
pods() { k get pods -n $ns -l app=secure-app --field-selector=status.phase=Running -o jsonpath="$1"; }

check 3 "namespace secure-workspace exists" "$(k get namespace $ns -o jsonpath='{.metadata.name}')" $ns
check 4 "ServiceAccount secure-runner exists" "$(k get sa secure-runner -n $ns -o jsonpath='{.metadata.name}')" secure-runner
check 8 "secure-runner disables token automount" "$(k get sa secure-runner -n $ns -o jsonpath='{.automountServiceAccountToken}')" false

contains 4 "regcred is for registry.internal.com" "$(registry)" '"registry.internal.com"'
contains 4 "regcred holds username ci-bot" "$(registry)" '"username":"ci-bot"'
contains 4 "regcred holds the password" "$(registry)" '"password":"ci-token-123"'
contains 8 "secure-runner lists regcred" "$(k get sa secure-runner -n $ns -o jsonpath='{.imagePullSecrets[*].name}')" regcred

check 3 "2 replicas" "$(k get deployment secure-app -n $ns -o jsonpath='{.spec.replicas}')" 2
check 2 "image nginx:alpine" "$(container image)" nginx:alpine
check 3 "serviceAccountName secure-runner" "$(k get deployment secure-app -n $ns -o jsonpath='{.spec.template.spec.serviceAccountName}')" secure-runner
check 6 "runAsUser 1001" "$(container securityContext.runAsUser)" 1001
check 6 "runAsNonRoot true" "$(container securityContext.runAsNonRoot)" true
check 5 "allowPrivilegeEscalation false" "$(container securityContext.allowPrivilegeEscalation)" false
check 4 "readOnlyRootFilesystem false" "$(container securityContext.readOnlyRootFilesystem)" false
contains 6 "capabilities drop ALL" "$(container securityContext.capabilities.drop)" ALL

contains 5 "liveness probe" "$(container livenessProbe)" '{'
contains 5 "readiness probe" "$(container readinessProbe)" '{'
contains 5 "requests and limits" "$(container resources)" '"limits":{"cpu"'

check 5 "2 pods ready" "$(k get deployment secure-app -n $ns -o jsonpath='{.status.readyReplicas}')" 2
check 4 "no token mounted" "$(pods '{.items[*].spec.containers[*].volumeMounts[*].mountPath}' | grep -c serviceaccount)" 0
check 3 "pods run as uid 1001" "$(pods '{.items[0].spec.containers[0].securityContext.runAsUser}')" 1001
check 3 "pods cannot run as root" "$(pods '{.items[0].spec.containers[0].securityContext.runAsNonRoot}')" true

echo "secure-workspace: $score/100"
