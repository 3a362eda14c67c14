#!/usr/bin/env bash
# Regenerates the JSON schemas in .ci/k8s-schemas/ from k8s.io/api (the
# version in go.mod): openapi-gen (kube-openapi, a tool of this module)
# writes the OpenAPI definitions of the Go types into ./openapi, then gen
# inlines them into one strict schema per kind. Not run by CI (it takes
# minutes to build openapi-gen); run it after changing go.mod or the kinds
# in main.go, and commit the schemas.
set -euo pipefail
cd "$(dirname "$0")"
export GOFLAGS=-mod=mod
mkdir -p openapi
trap 'rm -rf openapi' EXIT
touch openapi/.header
go tool openapi-gen --go-header-file openapi/.header --output-dir ./openapi \
  --output-pkg versa-k8s-schemas/openapi --output-file zz_generated.openapi.go \
  --report-filename openapi/violations.txt \
  k8s.io/api/apps/v1 k8s.io/api/core/v1 k8s.io/apimachinery/pkg/apis/meta/v1 \
  k8s.io/apimachinery/pkg/api/resource k8s.io/apimachinery/pkg/util/intstr \
  k8s.io/apimachinery/pkg/runtime k8s.io/apimachinery/pkg/version
go run . ..
