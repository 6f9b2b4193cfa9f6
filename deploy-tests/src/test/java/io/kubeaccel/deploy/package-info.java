/** Tests that keep {@code deploy/} (manifests, Helm chart, Dockerfile) in step with the code. */
package io.kubeaccel.deploy;
