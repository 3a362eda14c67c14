// Command gen writes the JSON schemas that kubeconform checks deploy/k8s
// against (.ci/k8s-check), from the OpenAPI definitions that kube-openapi's
// openapi-gen builds out of k8s.io/api's Go types; generate.sh runs both.
// The schemas kubeconform downloads by default come from a host these
// machines cannot reach, so they are made here, offline, from the module
// proxy's k8s.io/api (the version in go.mod).
//
// Each schema is standalone (every $ref inlined) and strict: an object with
// properties allows no others, so a misspelt field is an error, as with
// kubeconform -strict. Descriptions and x- extensions are left out.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"

	"versa-k8s-schemas/openapi"
)

// kinds are the kinds deploy/k8s uses; kubeconform fails on a manifest of
// any other kind (no schema), so a new kind is added here.
var kinds = []struct{ kind, group, version, model string }{
	{"Deployment", "apps", "v1", "io.k8s.api.apps.v1.Deployment"},
	{"Service", "", "v1", "io.k8s.api.core.v1.Service"},
	{"Secret", "", "v1", "io.k8s.api.core.v1.Secret"},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen OUTDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	defs := openapi.GetOpenAPIDefinitions(func(path string) spec.Ref {
		return spec.MustCreateRef("#/definitions/" + common.EscapeJsonPointer(path))
	})
	models := map[string]any{}
	for name, d := range defs {
		b, err := json.Marshal(d.Schema)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var m any
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		models[name] = m
	}
	for _, k := range kinds {
		root, ok := models[k.model].(map[string]any)
		if !ok {
			return fmt.Errorf("no definition %s", k.model)
		}
		s, err := inline(root, models, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", k.model, err)
		}
		obj := s.(map[string]any)
		props := obj["properties"].(map[string]any)
		apiVersion := k.version
		if k.group != "" {
			apiVersion = k.group + "/" + k.version
		}
		props["apiVersion"] = map[string]any{"type": "string", "enum": []any{apiVersion}}
		props["kind"] = map[string]any{"type": "string", "enum": []any{k.kind}}
		obj["required"] = union(obj["required"], "apiVersion", "kind")
		obj["x-generated-from"] = k.model + " (k8s.io/api, see .ci/k8s-schemas/gen/go.mod)"
		b, err := json.MarshalIndent(obj, "", " ")
		if err != nil {
			return err
		}
		// kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}: deployment-apps-v1, service-v1.
		name := strings.ToLower(k.kind)
		if k.group != "" {
			name += "-" + strings.ToLower(strings.Split(k.group, ".")[0])
		}
		name += "-" + k.version + ".json"
		if err := os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", filepath.Join(dir, name), len(b), "bytes")
	}
	return nil
}

// inline returns s with every $ref replaced by its definition (merged with
// the keys beside the $ref), descriptions and x- extensions dropped, and
// objects with properties closed to others. stack holds the models being
// inlined, to refuse a cycle rather than loop.
func inline(s any, models map[string]any, stack []string) (any, error) {
	switch v := s.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			x, err := inline(e, models, stack)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case map[string]any:
		out := map[string]any{}
		if ref, ok := v["$ref"].(string); ok {
			name := strings.ReplaceAll(strings.ReplaceAll(strings.TrimPrefix(ref, "#/definitions/"), "~1", "/"), "~0", "~")
			for _, n := range stack {
				if n == name {
					return nil, fmt.Errorf("cycle through %s", name)
				}
			}
			def, ok := models[name]
			if !ok {
				return nil, fmt.Errorf("no definition %s", name)
			}
			d, err := inline(def, models, append(stack, name))
			if err != nil {
				return nil, err
			}
			for k, x := range d.(map[string]any) {
				out[k] = x
			}
		}
		for k, x := range v {
			switch {
			case k == "$ref", k == "description", k == "default", strings.HasPrefix(k, "x-"):
				continue
			case k == "properties":
				props := map[string]any{}
				for name, p := range x.(map[string]any) {
					y, err := inline(p, models, stack)
					if err != nil {
						return nil, err
					}
					props[name] = y
				}
				out[k] = props
			default:
				y, err := inline(x, models, stack)
				if err != nil {
					return nil, err
				}
				out[k] = y
			}
		}
		if _, ok := out["properties"]; ok {
			if _, set := out["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
		}
		return out, nil
	default:
		return s, nil
	}
}

func union(list any, names ...string) []any {
	var out []any
	seen := map[string]bool{}
	if l, ok := list.([]any); ok {
		for _, e := range l {
			out = append(out, e)
			seen[fmt.Sprint(e)] = true
		}
	}
	for _, n := range names {
		if !seen[n] {
			out = append(out, n)
		}
	}
	return out
}
