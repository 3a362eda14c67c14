// Package deploy holds the deployment files (compose.yaml, nginx.conf, k8s/)
// and the tests that check they parse and say what the README promises. It
// has no code of its own.
package deploy
