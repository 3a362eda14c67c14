package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       map[string]any    `yaml:"build"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
		DependsOn   any               `yaml:"depends_on"`
		Healthcheck map[string]any    `yaml:"healthcheck"`
		ReadOnly    bool              `yaml:"read_only"`
	} `yaml:"services"`
	Name    string         `yaml:"name"`
	Volumes map[string]any `yaml:"volumes"`
}

// TestCompose: compose.yaml parses (anchors and merge keys too) and has
// postgres, three versa replicas sharing one database URL but each with its
// own data volume, and nginx in front of all three.
func TestCompose(t *testing.T) {
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.UnmarshalWithOptions(b, &c, yaml.Strict()); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	if _, ok := c.Services["postgres"]; !ok {
		t.Error("no postgres service")
	}
	if pg := c.Services["postgres"]; pg.Healthcheck == nil {
		t.Error("postgres has no healthcheck, replicas cannot wait for it")
	}
	dataVolumes := map[string]bool{}
	var url string
	for _, name := range []string{"versa1", "versa2", "versa3"} {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("no service %s", name)
			continue
		}
		u := s.Environment["VERSA_DATABASE_URL"]
		if !strings.HasPrefix(u, "postgres://") {
			t.Errorf("%s: VERSA_DATABASE_URL = %q, want a postgres:// URL", name, u)
		}
		if url != "" && u != url {
			t.Errorf("%s: database URL %q differs from %q", name, u, url)
		}
		url = u
		if s.Image == "" && s.Build == nil {
			t.Errorf("%s: neither image nor build", name)
		}
		if len(s.Volumes) != 1 || !strings.HasSuffix(s.Volumes[0], ":/data") {
			t.Errorf("%s: volumes = %v, want one volume on /data", name, s.Volumes)
			continue
		}
		vol := strings.TrimSuffix(s.Volumes[0], ":/data")
		if dataVolumes[vol] {
			t.Errorf("%s shares data volume %s with another replica; each keeps its own read model", name, vol)
		}
		dataVolumes[vol] = true
		if _, ok := c.Volumes[vol]; !ok {
			t.Errorf("%s: volume %s is not declared", name, vol)
		}
	}
	nginx, ok := c.Services["nginx"]
	if !ok {
		t.Fatal("no nginx service")
	}
	if len(nginx.Ports) == 0 {
		t.Error("nginx publishes no port")
	}
	conf, err := os.ReadFile("nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"versa1", "versa2", "versa3"} {
		if !strings.Contains(string(conf), "server "+name+":8080") {
			t.Errorf("nginx.conf has no upstream server %s:8080", name)
		}
	}
}

// TestK8s: the manifests parse, the Deployment runs three replicas with
// readiness on /readyz and liveness on /healthz, takes the database URL from
// the Secret that secret.yaml defines, and the Service selects its pods.
// The schema check of the same files is kubeconform in .ci/run.
func TestK8s(t *testing.T) {
	docs := map[string]map[string]any{}
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no k8s manifests: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		kind, _ := m["kind"].(string)
		if kind == "" {
			t.Fatalf("%s: no kind", f)
		}
		docs[kind] = m
	}
	var dep struct {
		Spec struct {
			Replicas int `yaml:"replicas"`
			Selector struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"selector"`
			Template struct {
				Metadata struct {
					Labels map[string]string `yaml:"labels"`
				} `yaml:"metadata"`
				Spec struct {
					Containers []struct {
						Env []struct {
							Name      string `yaml:"name"`
							ValueFrom struct {
								SecretKeyRef struct {
									Name string `yaml:"name"`
									Key  string `yaml:"key"`
								} `yaml:"secretKeyRef"`
							} `yaml:"valueFrom"`
						} `yaml:"env"`
						ReadinessProbe struct {
							HTTPGet struct {
								Path string `yaml:"path"`
							} `yaml:"httpGet"`
						} `yaml:"readinessProbe"`
						LivenessProbe struct {
							HTTPGet struct {
								Path string `yaml:"path"`
							} `yaml:"httpGet"`
						} `yaml:"livenessProbe"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	remarshal(t, docs["Deployment"], &dep)
	if dep.Spec.Replicas != 3 {
		t.Errorf("replicas = %d, want 3", dep.Spec.Replicas)
	}
	if len(dep.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(dep.Spec.Template.Spec.Containers))
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if p := c.ReadinessProbe.HTTPGet.Path; p != "/readyz" {
		t.Errorf("readiness probe on %q, want /readyz", p)
	}
	if p := c.LivenessProbe.HTTPGet.Path; p != "/healthz" {
		t.Errorf("liveness probe on %q, want /healthz", p)
	}
	var secret struct {
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		StringData map[string]string `yaml:"stringData"`
	}
	remarshal(t, docs["Secret"], &secret)
	found := false
	for _, e := range c.Env {
		if e.Name == "VERSA_DATABASE_URL" {
			found = true
			ref := e.ValueFrom.SecretKeyRef
			if ref.Name != secret.Metadata.Name || secret.StringData[ref.Key] == "" {
				t.Errorf("VERSA_DATABASE_URL from secret %s key %s, which secret.yaml does not define", ref.Name, ref.Key)
			}
		}
	}
	if !found {
		t.Error("no VERSA_DATABASE_URL in the container env")
	}
	for k, v := range dep.Spec.Selector.MatchLabels {
		if dep.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("selector %s=%s does not match the pod labels", k, v)
		}
	}
	var svc struct {
		Spec struct {
			Selector map[string]string `yaml:"selector"`
		} `yaml:"spec"`
	}
	remarshal(t, docs["Service"], &svc)
	if len(svc.Spec.Selector) == 0 {
		t.Error("service selects nothing")
	}
	for k, v := range svc.Spec.Selector {
		if dep.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("service selector %s=%s does not match the pod labels", k, v)
		}
	}
}

func remarshal(t *testing.T, in map[string]any, out any) {
	t.Helper()
	if in == nil {
		t.Fatalf("manifest missing")
	}
	b, err := yaml.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
}
