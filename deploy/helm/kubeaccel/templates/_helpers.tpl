{{/*
Shared pieces of the kubeaccel chart. The names of DaemonSets, Services and cf-crl ConfigMaps are contracts
(SPEC §1, §6) and fixed here, not derived from the release name: one release per cluster.
*/}}

{{- define "kubeaccel.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Labels that select a component's pods; arg: (dict "root" $ "component" "pgpu"). Selectors are immutable. */}}
{{- define "kubeaccel.selectorLabels" -}}
app.kubernetes.io/name: kubeaccel
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of every object; arg as for kubeaccel.selectorLabels. */}}
{{- define "kubeaccel.labels" -}}
{{ include "kubeaccel.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: kubeaccel
{{- end -}}

{{/* The node agents' service account (shared by the three modes). */}}
{{- define "kubeaccel.agentServiceAccount" -}}
kubeaccel-agent
{{- end -}}

{{- define "kubeaccel.extenderServiceAccount" -}}
kubeaccel-extender
{{- end -}}

{{/* Whether an extender is on; arg: (dict "root" $ "mode" "vgpu"). null follows the mode's own toggle. */}}
{{- define "kubeaccel.extenderEnabled" -}}
{{- $explicit := (get .root.Values.extender .mode).enabled -}}
{{- if kindIs "bool" $explicit -}}
{{- ternary "true" "" $explicit -}}
{{- else -}}
{{- ternary "true" "" (get .root.Values .mode).enabled -}}
{{- end -}}
{{- end -}}

{{/*
One node agent's DaemonSet; arg: (dict "root" $ "mode" "pgpu|vgpu|mps" "name" "<DaemonSet name>").
Host paths are mounted at the same path in the container unless noted, so the agent's options name host paths.
*/}}
{{- define "kubeaccel.agentDaemonSet" -}}
{{- $root := .root -}}
{{- $mode := .mode -}}
{{- $v := get $root.Values $mode -}}
{{- $agent := $root.Values.agent -}}
{{- $sim := $root.Values.simulate.enabled -}}
{{- $labels := dict "root" $root "component" $mode -}}
{{- $podResourcesDir := dir $agent.podResourcesSocket -}}
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "kubeaccel.labels" $labels | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "kubeaccel.selectorLabels" $labels | nindent 6 }}
  updateStrategy:
    # One node at a time: a restarting agent keeps its grants (checkpoint) and the kubelet keeps running containers.
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
  template:
    metadata:
      labels:
        {{- include "kubeaccel.selectorLabels" $labels | nindent 8 }}
      {{- $annotations := dict }}
      {{- if and (eq $mode "pgpu") $v.config }}
      {{- $_ := set $annotations "checksum/pgpu-config" ($v.config | sha256sum) }}
      {{- end }}
      {{- with merge $annotations $agent.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "kubeaccel.agentServiceAccount" . }}
      priorityClassName: {{ $agent.priorityClassName }}
      {{- if and $root.Values.runtimeClassName (not $sim) }}
      runtimeClassName: {{ $root.Values.runtimeClassName }}
      {{- end }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      enableServiceLinks: false
      {{- if eq $mode "mps" }}
      # The MPS control daemon must see its clients' PIDs, which live in the host's PID namespace (as NVIDIA's
      # mps-control-daemon runs).
      hostPID: true
      {{- end }}
      nodeSelector:
        {{ $root.Values.nodeLabel.key }}: {{ $v.nodeLabelValue | quote }}
      {{- with $agent.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if $sim }}
      initContainers:
        # Writes the simulated node (fake libnvidia-ml.so.1 with its inventory under nvml/, sysfs under nvml/sys,
        # /dev and /proc under host/, an MPS control program under bin/) for the agent to read instead of the host's.
        - name: simulate-node
          image: {{ include "kubeaccel.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
            - simulate-node
            - --preset={{ $root.Values.simulate.preset }}
            - --dir=/simulated
          securityContext:
            {{- include "kubeaccel.agentSecurityContext" $mode | nindent 12 }}
          resources:
            {{- toYaml ($v.resources | default $agent.resources) | nindent 12 }}
          volumeMounts:
            - name: simulated
              mountPath: /simulated
            - name: tmp
              mountPath: /tmp
      {{- end }}
      containers:
        - name: {{ $mode }}
          image: {{ include "kubeaccel.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
            - {{ $mode }}
            - --device-plugin-dir={{ $agent.devicePluginDir }}
            - --pod-resources-socket={{ $agent.podResourcesSocket }}
            {{- if $sim }}
            - --driver-root=/
            - --nvml-library-dir=/simulated/nvml
            - --sys-root=/simulated/nvml/sys
            - --dev-root=/simulated/host
            - --proc-root=/simulated/host/proc
            {{- else }}
            - --driver-root={{ include "kubeaccel.inContainer" $agent.driverRoot }}
            {{- range $agent.nvmlLibraryDirs }}
            - --nvml-library-dir={{ include "kubeaccel.inContainer" . }}
            {{- end }}
            - --sys-root={{ ternary "/sys" (include "kubeaccel.inContainer" $agent.sysRoot) (eq (clean $agent.sysRoot) "/sys") }}
            - --dev-root={{ include "kubeaccel.inContainer" $agent.devRoot }}
            - --proc-root=/host/proc
            {{- end }}
            {{- if $agent.metrics.enabled }}
            - --metrics-address=:{{ $agent.metrics.port }}
            {{- else }}
            - --metrics-address=off
            {{- end }}
            - --metrics-interval={{ $agent.metrics.interval }}
            - --log-format={{ $agent.logFormat }}
            - --log-level={{ $agent.logLevel }}
            {{- if eq $mode "pgpu" }}
            {{- with include "kubeaccel.pgpuArgs" $root | trim }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- else }}
            - --state-dir={{ $v.stateDir }}
            - --placement={{ $v.placement }}
            - --fail-on-init-error={{ $v.failOnInitError }}
            {{- end }}
            {{- if eq $mode "vgpu" }}
            - --core-oversubscription={{ $v.coreOversubscription }}
            - --memory-oversubscription={{ $v.memoryOversubscription }}
            - --hook-path={{ $v.hookPath }}
            {{- end }}
            {{- if eq $mode "mps" }}
            - --mps-root={{ $v.mpsRoot }}
            {{- if $sim }}
            - --mps-control=/simulated/bin/nvidia-cuda-mps-control
            {{- else }}
            - --mps-control={{ $v.mpsControl }}
            {{- end }}
            {{- end }}
          env:
            # --node-name: the agent's pods, Node labels, the kubeaccel.io/gpus annotation and Events.
            - name: NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
            {{- if not $sim }}
            # Read by the NVIDIA container runtime: every GPU's device nodes and the driver's NVML
            {{- if eq $mode "mps" }}
            # and, with `compute`, nvidia-cuda-mps-control and nvidia-cuda-mps-server.
            {{- else }}
            # (capability `utility`).
            {{- end }}
            - name: NVIDIA_VISIBLE_DEVICES
              value: all
            - name: NVIDIA_DRIVER_CAPABILITIES
              value: {{ ternary "compute,utility" "utility" (eq $mode "mps") }}
            {{- end }}
            {{- with $agent.health.disableHealthchecks }}
            - name: DP_DISABLE_HEALTHCHECKS
              value: {{ . | quote }}
            {{- end }}
            {{- with $agent.health.enableHealthchecks }}
            - name: DP_ENABLE_HEALTHCHECKS
              value: {{ . | quote }}
            {{- end }}
            - name: HEALTH_RECOVERY_QUIET_PERIOD
              value: {{ $agent.health.recoveryQuietPeriod | quote }}
            {{- with $agent.javaOpts }}
            - name: JAVA_OPTS
              value: {{ . | quote }}
            {{- end }}
            {{- if eq $agent.jvmDefaults "none" }}
            - name: KUBEACCEL_JVM_DEFAULTS
              value: none
            {{- end }}
          {{- if $agent.metrics.enabled }}
          ports:
            # The name deploy/monitoring's PodMonitor and scrape job select.
            - name: metrics
              containerPort: {{ $agent.metrics.port }}
              protocol: TCP
          livenessProbe:
            httpGet:
              path: /healthz
              port: metrics
            initialDelaySeconds: 10
            periodSeconds: 30
            timeoutSeconds: 5
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: 10
            timeoutSeconds: 5
          {{- end }}
          securityContext:
            {{- include "kubeaccel.agentSecurityContext" $mode | nindent 12 }}
          resources:
            {{- toYaml ($v.resources | default $agent.resources) | nindent 12 }}
          volumeMounts:
            # The agent creates its sockets next to the kubelet's kubelet.sock.
            - name: device-plugins
              mountPath: {{ $agent.devicePluginDir }}
            # The PodResources socket: connecting to a unix socket needs no write access to the mount.
            - name: pod-resources
              mountPath: {{ $podResourcesDir }}
              readOnly: true
            {{- if not $sim }}
            # Host processes' /proc/<pid>/cgroup (per-container metrics; NVML reports host PIDs) and the MIG
            # capability minors (driver/nvidia-caps/mig-minors).
            - name: host-proc
              mountPath: /host/proc
              readOnly: true
            # The host's driver, device nodes, sysfs or NVML directories, where the container toolkit does not put
            # them: under /host, never over the image's own files. HostToContainer: a driver container that mounts
            # its root there after the agent started (or again after an upgrade) is seen without a restart.
            {{- range $i, $dir := include "kubeaccel.hostDirs" $agent | fromJsonArray }}
            - name: host-dir-{{ $i }}
              mountPath: /host{{ $dir }}
              readOnly: true
              mountPropagation: HostToContainer
            {{- end }}
            {{- end }}
            # The root filesystem is read-only; the JVM and JNA unpack native code here.
            - name: tmp
              mountPath: /tmp
            {{- if $sim }}
            - name: simulated
              mountPath: /simulated
            {{- end }}
            {{- if and (eq $mode "pgpu") $v.config }}
            - name: pgpu-config
              mountPath: /etc/kubeaccel/pgpu
              readOnly: true
            {{- end }}
            {{- if ne $mode "pgpu" }}
            # The checkpoint of grants ({{ $mode }}/checkpoint.json).
            - name: state
              mountPath: {{ $v.stateDir }}
            {{- end }}
            {{- if eq $mode "vgpu" }}
            # Allocate hands <hook>/libvgpu.so, <hook>/ld.so.preload and <hook>/containers/<pod>_<container> to the
            # containers by host path, and the agent makes and removes those cache directories.
            - name: vgpu-hook
              mountPath: {{ $v.hookPath }}
            {{- end }}
            {{- if eq $mode "mps" }}
            # pipe/ and log/ of the MPS daemon, handed to the client containers by host path.
            - name: mps-root
              mountPath: {{ $v.mpsRoot }}
            # The MPS daemon and server share memory with their clients through /dev/shm: the same host directory
            # every MPS container gets as its /dev/shm.
            - name: mps-shm
              mountPath: /dev/shm
            {{- end }}
      volumes:
        - name: device-plugins
          hostPath:
            path: {{ $agent.devicePluginDir }}
            type: Directory
        - name: pod-resources
          hostPath:
            path: {{ $podResourcesDir }}
            type: DirectoryOrCreate
        {{- if not $sim }}
        - name: host-proc
          hostPath:
            path: /proc
            type: Directory
        {{- range $i, $dir := include "kubeaccel.hostDirs" $agent | fromJsonArray }}
        - name: host-dir-{{ $i }}
          hostPath:
            path: {{ $dir }}
            type: Directory
        {{- end }}
        {{- end }}
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- if $sim }}
        - name: simulated
          emptyDir:
            sizeLimit: 64Mi
        {{- end }}
        {{- if and (eq $mode "pgpu") $v.config }}
        - name: pgpu-config
          configMap:
            name: kubeaccel-pgpu-config
        {{- end }}
        {{- if ne $mode "pgpu" }}
        - name: state
          hostPath:
            path: {{ $v.stateDir }}
            type: DirectoryOrCreate
        {{- end }}
        {{- if eq $mode "vgpu" }}
        - name: vgpu-hook
          hostPath:
            path: {{ $v.hookPath }}
            type: DirectoryOrCreate
        {{- end }}
        {{- if eq $mode "mps" }}
        - name: mps-root
          hostPath:
            path: {{ $v.mpsRoot }}
            type: DirectoryOrCreate
        - name: mps-shm
          hostPath:
            path: {{ $v.mpsRoot }}/shm
            type: DirectoryOrCreate
        {{- end }}
{{- end -}}

{{/*
The host directories an agent reads NVML, device nodes or sysfs from when they are not where the NVIDIA container
toolkit and the runtime put them (driverRoot and devRoot other than /, sysRoot other than /sys, nvmlLibraryDirs),
as a JSON list without repeats or directories under another one of the list: each is mounted read-only at
/host<dir>. / itself is never mounted: as a root it means "the toolkit's", elsewhere it is refused.
*/}}
{{- define "kubeaccel.hostDirs" -}}
{{- $dirs := list -}}
{{- if ne (clean .driverRoot) "/" }}{{ $dirs = append $dirs (clean .driverRoot) }}{{ end -}}
{{- if ne (clean .devRoot) "/" }}{{ $dirs = append $dirs (clean .devRoot) }}{{ end -}}
{{- if ne (clean .sysRoot) "/sys" }}{{ $dirs = append $dirs (clean .sysRoot) }}{{ end -}}
{{- range .nvmlLibraryDirs }}{{ $dirs = append $dirs (clean .) }}{{ end -}}
{{- $kept := list -}}
{{- range $dir := $dirs | uniq | sortAlpha -}}
{{- if eq $dir "/" }}{{ fail "agent.sysRoot and agent.nvmlLibraryDirs cannot be /: name the directory itself" }}{{ end -}}
{{- if or (eq $dir "/proc") (hasPrefix "/proc/" $dir) }}{{ fail (printf "agent: %s is under /proc, which the agents have at /host/proc already" $dir) }}{{ end -}}
{{- $covered := false -}}
{{- range $kept }}{{ if hasPrefix (printf "%s/" .) $dir }}{{ $covered = true }}{{ end }}{{ end -}}
{{- if not $covered }}{{ $kept = append $kept $dir }}{{ end -}}
{{- end -}}
{{- toJson $kept -}}
{{- end -}}

{{/*
Where a host path the agent reads is in its container: / stays / (the toolkit's), anything else is under /host.
*/}}
{{- define "kubeaccel.inContainer" -}}
{{- $dir := clean . -}}
{{- if eq $dir "/" }}/{{ else }}/host{{ $dir }}{{ end -}}
{{- end -}}

{{/*
pgpu's options that NVIDIA's config file can also set: rendered only when set, so that a value left null lets the
file (pgpu.config) decide. Precedence in the agent: flag > env > file > default.
*/}}
{{- define "kubeaccel.pgpuArgs" -}}
{{- $v := .Values.pgpu -}}
{{- if $v.config }}
- --config-file=/etc/kubeaccel/pgpu/config.yaml
{{- end }}
{{- with $v.migStrategy }}
- --mig-strategy={{ . }}
{{- end }}
{{- if kindIs "bool" $v.failOnInitError }}
- --fail-on-init-error={{ $v.failOnInitError }}
{{- end }}
{{- if kindIs "bool" $v.passDeviceSpecs }}
- --pass-device-specs={{ $v.passDeviceSpecs }}
{{- end }}
{{- with $v.deviceListStrategy }}
- --device-list-strategy={{ join "," . }}
{{- end }}
{{- with $v.deviceIdStrategy }}
- --device-id-strategy={{ . }}
{{- end }}
{{- with $v.cdiAnnotationPrefix }}
- --cdi-annotation-prefix={{ . }}
{{- end }}
{{- with $v.sharedDevicesAllocationPolicy }}
- --shared-devices-allocation-policy={{ . }}
{{- end }}
{{- end -}}

{{/* A node agent's container securityContext; arg: the mode. */}}
{{- define "kubeaccel.agentSecurityContext" -}}
{{- if eq . "pgpu" -}}
# uid 0 only because the kubelet's device-plugin directory is root-owned 0755: the agent creates its socket there
# and connects to kubelet.sock as their owner. Every capability is dropped (CAP_DAC_OVERRIDE too), so root here is
# just a file owner; device nodes and NVML come from the NVIDIA runtime, not from privilege.
{{- else if eq . "vgpu" -}}
# As pgpu: uid 0 for the root-owned kubelet directories and the root-owned host directories it writes (the state
# dir and the hook path), no capability: it only reads NVML; HAMi-core enforces limits inside the workloads.
{{- else -}}
# As pgpu, plus CAP_SYS_ADMIN: setting EXCLUSIVE_PROCESS compute mode through NVML (nvmlDeviceSetComputeMode) needs
# it, and the MPS control daemon the agent starts runs with it. Not privileged: no other capability, no device
# outside those the NVIDIA runtime grants. hostPID is set on the pod.
{{- end }}
runAsUser: 0
runAsGroup: 0
runAsNonRoot: false
privileged: false
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
  {{- if eq . "mps" }}
  add: ["SYS_ADMIN"]
  {{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
One scheduler extender: Deployment and Service; arg: (dict "root" $ "family" "vgpu|mps" "name" "<service>"
"resource" "<resource it manages>").
*/}}
{{- define "kubeaccel.extender" -}}
{{- $root := .root -}}
{{- $e := $root.Values.extender -}}
{{- $tls := $e.tls -}}
{{- $labels := dict "root" $root "component" "extender" -}}
{{- $scheme := ternary "HTTPS" "HTTP" $tls.enabled -}}
{{- $portName := ternary "https" "http" $tls.enabled -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "kubeaccel.labels" $labels | nindent 4 }}
    kubeaccel.io/extender: {{ .family }}
spec:
  # One replica: grants are serialised in-process; a second replica would not see them until the pods' annotations
  # come back. Recreate keeps it at one during updates too.
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels:
      {{- include "kubeaccel.selectorLabels" $labels | nindent 6 }}
      kubeaccel.io/extender: {{ .family }}
  template:
    metadata:
      labels:
        {{- include "kubeaccel.selectorLabels" $labels | nindent 8 }}
        kubeaccel.io/extender: {{ .family }}
      {{- with $e.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "kubeaccel.extenderServiceAccount" . }}
      priorityClassName: {{ $e.priorityClassName }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      enableServiceLinks: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        # Group owner of the mounted Secret files (mode 0440).
        fsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      {{- with $e.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $e.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $e.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: extender
          image: {{ include "kubeaccel.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
            - extender
            - --port=3456
            - --assign-at={{ $e.assignAt }}
            - --node-policy={{ $e.nodePolicy }}
            - --card-policy={{ $e.cardPolicy }}
            - --assignment-ttl={{ $e.assignmentTtl }}
            - --request-timeout={{ $e.requestTimeout }}
            - --max-body-bytes={{ int64 $e.maxBodyBytes }}
            - --threads={{ int64 $e.threads }}
            - --log-format={{ $e.logFormat }}
            - --log-level={{ $e.logLevel }}
            {{- if $tls.enabled }}
            - --tls-cert-file=/etc/kubeaccel/tls/tls.crt
            - --tls-key-file=/etc/kubeaccel/tls/tls.key
            {{- if $tls.clientCaSecret }}
            - --tls-client-ca-file=/etc/kubeaccel/client-ca/ca.crt
            {{- end }}
            {{- end }}
          {{- if or $e.javaOpts (eq $e.jvmDefaults "none") }}
          env:
            {{- with $e.javaOpts }}
            # Appended after the image's JVM options for the extender, so an option given here wins.
            - name: JAVA_OPTS
              value: {{ . | quote }}
            {{- end }}
            {{- if eq $e.jvmDefaults "none" }}
            - name: KUBEACCEL_JVM_DEFAULTS
              value: none
            {{- end }}
          {{- end }}
          ports:
            - name: {{ $portName }}
              containerPort: 3456
              protocol: TCP
          # /healthz and /readyz need no client certificate even with --tls-client-ca-file: the kubelet has none.
          livenessProbe:
            httpGet:
              path: /healthz
              port: {{ $portName }}
              scheme: {{ $scheme }}
            initialDelaySeconds: 10
            periodSeconds: 20
            timeoutSeconds: 5
          # Ready once the node and pod informers have synced.
          readinessProbe:
            httpGet:
              path: /readyz
              port: {{ $portName }}
              scheme: {{ $scheme }}
            periodSeconds: 10
            timeoutSeconds: 5
          securityContext:
            allowPrivilegeEscalation: false
            privileged: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          resources:
            {{- toYaml $e.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $tls.enabled }}
            - name: tls
              mountPath: /etc/kubeaccel/tls
              readOnly: true
            {{- if $tls.clientCaSecret }}
            - name: client-ca
              mountPath: /etc/kubeaccel/client-ca
              readOnly: true
            {{- end }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- if $tls.enabled }}
        - name: tls
          secret:
            secretName: {{ $tls.secretName }}
            defaultMode: 0440
        {{- if $tls.clientCaSecret }}
        - name: client-ca
          secret:
            secretName: {{ $tls.clientCaSecret }}
            defaultMode: 0440
        {{- end }}
        {{- end }}
---
# kube-scheduler reaches it as {{ ternary "https" "http" $tls.enabled }}://{{ .name }}.{{ $root.Release.Namespace }}.svc/scheduler ({{ .resource }}).
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "kubeaccel.labels" $labels | nindent 4 }}
    kubeaccel.io/extender: {{ .family }}
spec:
  type: ClusterIP
  selector:
    {{- include "kubeaccel.selectorLabels" $labels | nindent 4 }}
    kubeaccel.io/extender: {{ .family }}
  ports:
    - name: {{ $portName }}
      port: {{ ternary 443 80 $tls.enabled }}
      targetPort: 3456
      protocol: TCP
{{- end -}}

{{/*
One CustomResourceLimitation ConfigMap (SPEC §6), named and labelled as the reference product's
cf-crl-gpu-manager-vcuda-core: cf-crl-<group>-<resource name without its domain>.
Arg: (dict "root" $ "component" c "group" g "key" k "default" d "en" en "zh" zh).
*/}}
{{- define "kubeaccel.crl" -}}
{{- $keyName := regexReplaceAll "[^a-z0-9-]" (lower (last (splitList "/" .key))) "-" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: cf-crl-{{ .group }}-{{ $keyName }}
  namespace: kube-public
  labels:
    {{- include "kubeaccel.labels" (dict "root" .root "component" .component) | nindent 4 }}
    features.alauda.io/type: CustomResourceLimitation
    features.alauda.io/group: {{ .group }}
    features.alauda.io/enabled: "true"
data:
  key: {{ .key | quote }}
  dataType: integer
  defaultValue: {{ .default | quote }}
  descriptionZh: {{ .zh | quote }}
  descriptionEn: {{ .en | quote }}
  group: {{ .group | quote }}
  # Extended resources are set as limits; Kubernetes copies limits into requests.
  limits: optional
  requests: disabled
{{- end -}}
