#!/bin/sh
# Lays out the kubeaccel image's runtime tree under DIR/opt/kubeaccel, as the Dockerfile's build stage does (DIR=/):
#   jre/            a jlink'd Java runtime of the modules the CLI needs, with its default CDS archive
#   kubeaccel.jar   the CLI, agent/target/kubeaccel.jar as `mvn package` built it
#   bin/kubeaccel   the entrypoint, deploy/image/kubeaccel
#   kubeaccel.jsa   an AppCDS archive recorded from a pGPU agent run (`kubeaccel bench --record-archive`)
# A class-data archive names the jar by its path: the tree must run where it was built, which is why the build stage
# builds it at / and the runtime stage copies /opt/kubeaccel unchanged. Needs JDK 17's jlink (JAVA_HOME, else PATH).
#
# usage: deploy/image/build-rootfs.sh DIR
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR   (writes DIR/opt/kubeaccel)" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
jar="$repo/agent/target/kubeaccel.jar"
home="${1%/}/opt/kubeaccel"
# The entrypoint gets this path written into it, unquoted: plain characters only.
case "$home" in
  *[!A-Za-z0-9/._-]*)
    echo "$0: $1: use a directory whose path has only letters, digits and / . _ -" >&2
    exit 2
    ;;
esac
jlink="${JAVA_HOME:+$JAVA_HOME/bin/}jlink"

# The modules every role needs, each role run on this runtime (simulate in every mode, the agents against a kubelet,
# the extender with TLS and an API server, doctor, config files): `jdeps --print-module-deps` also lists java.desktop
# and jdk.jfr, which only optional code paths (JNA's AWT helpers, SnakeYAML's bean support, Netty's JFR events) use,
# and the CLI takes none of them; java.sql stays because fabric8's Jackson module names java.sql.Date.
# Added beyond jdeps: jdk.crypto.ec (TLS with EC keys and ECDHE, a provider jdeps cannot see).
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.unsupported

if [ ! -f "$jar" ]; then
  echo "$jar is missing: run mvn -B -DskipTests package first" >&2
  exit 1
fi

rm -rf "$home"
mkdir -p "$home/bin"
"$jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --generate-cds-archive --output "$home/jre"
cp "$jar" "$home/kubeaccel.jar"
sed "s#^home=/opt/kubeaccel\$#home=$home#" "$repo/deploy/image/kubeaccel" >"$home/bin/kubeaccel"
chmod 755 "$home/bin/kubeaccel"

# Record the archive from a node agent as its DaemonSet runs it (own process, node name, Kubernetes client, metrics),
# started by bench with the entrypoint's agent options on this runtime and jar, so the archive matches how the agents
# start. Every role shares it: the agents' own code, gRPC, Netty, protobuf, fabric8 and Jackson are common to them.
PATH="$home/jre/bin:$PATH" JAVA_OPTS="-Xmx256m" \
  "$home/bin/kubeaccel" bench --record-archive "$home/kubeaccel.jsa" >"$home/.training.log" 2>&1 || {
  cat "$home/.training.log" >&2
  exit 1
}
rm -f "$home/.training.log"
