# syntax=docker/dockerfile:1
#
# kubeaccel: one image, every role (SPEC section 1) as a subcommand of one CLI: the node agents pgpu, vgpu and mps
# (DaemonSets), the scheduler extender (a Deployment), simulate, simulate-node, bench and doctor.
#
#   docker build -t kubeaccel:0.1.0-SNAPSHOT .
#   docker run --rm kubeaccel:0.1.0-SNAPSHOT simulate
#
# Build stage: the Maven build CI runs (.ci/run runs `mvn -B verify` on these same sources, tests included; the image
# skips them), then deploy/image/build-rootfs.sh lays out /opt/kubeaccel: a jlink'd Java runtime, the jar, the
# entrypoint and an AppCDS archive. Runtime stage: that tree on a small base, nothing else.
#
# Measured with `deploy/image/build-rootfs.sh /tmp/rootfs` on this tree (Debian 12's OpenJDK 17 instead of Temurin,
# 2 CPUs), then, with /tmp/rootfs/opt/kubeaccel/jre/bin first on PATH, `KUBEACCEL_JVM_DEFAULTS=none
# /tmp/rootfs/opt/kubeaccel/bin/kubeaccel bench --no-appcds` with the entrypoint's agent options and the image's
# archive for the agent (README, Performance): the pgpu agent in its own
# JVM on a simulated 4-GPU node, metrics on, node name and Kubernetes client on (as the DaemonSet runs it), bench as
# the kubelet and the API server:
#   start -> registered with the kubelet: 307-356 ms with the image's AppCDS archive
#   resident memory at rest: 88 MiB; after 10,000 Allocate calls: 93 MiB
#   /opt/kubeaccel: 126 MiB = runtime 60 MiB (jlink --compress=2) + kubeaccel.jar 32 MiB + kubeaccel.jsa 34 MiB;
#   the base, ubuntu:24.04, adds about 78 MiB.

# Exact tags, no digests: rebuilds pick up the base images' security fixes.
FROM maven:3.9.9-eclipse-temurin-17 AS build
# gcc: native-nvml's pom compiles the fake libnvidia-ml.so.1 (C) that simulate and simulate-node load.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml ./
COPY proto/ proto/
COPY native-nvml/ native-nvml/
COPY plugin-core/ plugin-core/
COPY testkit/ testkit/
COPY pgpu-plugin/ pgpu-plugin/
COPY vgpu-plugin/ vgpu-plugin/
COPY mps-plugin/ mps-plugin/
COPY scheduler-extender/ scheduler-extender/
COPY agent/ agent/
COPY benchmarks/ benchmarks/
COPY deploy-tests/ deploy-tests/
COPY deploy/image/ deploy/image/
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests package
# At / because an AppCDS archive names the jar by its path: the tree is copied unchanged to the same place below.
RUN deploy/image/build-rootfs.sh /

# The same distribution as the build stage's (Ubuntu 24.04): the fake NVML library is compiled there against glibc
# 2.39 and needs a glibc at least as new (Debian 12 has 2.36). Not distroless: the entrypoint, and the fake MPS
# control program that simulate-node writes, are shell scripts.
FROM ubuntu:24.04
ARG VERSION=0.1.0-SNAPSHOT
ARG REVISION=unknown
LABEL org.opencontainers.image.title="kubeaccel" \
      org.opencontainers.image.description="Kubernetes GPU node agents (whole cards, vGPU slices, MPS shares), scheduler extender, simulator and node doctor" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/ubuntu:24.04"
ENV PATH=/opt/kubeaccel/jre/bin:$PATH
COPY --from=build /opt/kubeaccel /opt/kubeaccel
# The AppCDS archive names the jar by path, size and modification time: a copy that changed any of them (a build that
# rewrites timestamps, say) would be ignored at every start, silently (the entrypoint turns CDS logging off), yet
# still cost its memory. -Xshare:on makes that fail the build instead.
RUN ["/opt/kubeaccel/jre/bin/java", "-XX:+UseSerialGC", "-Xshare:on", "-XX:SharedArchiveFile=/opt/kubeaccel/kubeaccel.jsa", "-jar", "/opt/kubeaccel/kubeaccel.jar", "--version"]
# Non-root by default, as the extender runs; the agent DaemonSets set runAsUser 0: the kubelet's device-plugin
# directory is root's.
USER 65532:65532
ENTRYPOINT ["/opt/kubeaccel/bin/kubeaccel"]
CMD ["--help"]
