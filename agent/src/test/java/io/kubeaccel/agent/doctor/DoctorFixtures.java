package io.kubeaccel.agent.doctor;

import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.NvmlReturn;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/** A node in a temporary directory for doctor's checks: fake NVML, a host root with dev/, kubelet dirs, configs. */
final class DoctorFixtures {

  private DoctorFixtures() {}

  /** Every host path under {@code root}: {@code host/dev}, {@code kubelet/...}, {@code etc/...}, {@code usr/bin}. */
  static HostPaths paths(Path root) {
    Path deviceDir = root.resolve("kubelet/device-plugins");
    return new HostPaths(
        root.resolve("host"),
        root.resolve("host/proc"),
        deviceDir,
        HostPaths.podResourcesSocketFor(deviceDir),
        root.resolve("etc/containerd/config.toml"),
        root.resolve("etc/docker/daemon.json"),
        root.resolve("usr/bin/nvidia-ctk"));
  }

  /** The simulated node's NVML, with its own copy of the fake library under {@code root/nvml}. */
  static NvmlProbe nvml(Path root, FakeInventory inventory) {
    FakeNode node = FakeNode.create(root.resolve("nvml"), inventory);
    return NvmlProbe.of(node.libraryPath(), node.sysfsRoot());
  }

  /** A fake NVML whose nvmlInit fails with {@code code}. */
  static NvmlProbe failingInit(Path root, NvmlReturn code) {
    return nvml(
        root,
        FakeInventory.fourGpusTwoNumaNvlinkPairs().toBuilder()
            .failure(
                new FakeInventory.Failure("nvmlInit_v2", FakeInventory.Failure.ANY_GPU, code, 0))
            .build());
  }

  /** A context with no API access needed (the client is never made unless a Kubernetes check asks). */
  static DoctorContext context(DoctorMode mode, NvmlProbe nvml, HostPaths paths) {
    return new DoctorContext(
        Optional.ofNullable(mode),
        paths,
        nvml,
        KubeAccess.fromKubeconfig(
            Optional.of(Path.of("/nonexistent/kubeconfig")), "gpu-node-1", "test"));
  }

  /** A Pascal card (compute capability 6.0): no MPS. */
  static FakeGpu teslaP100(int index) {
    return new FakeGpu(
        FakeGpu.deterministicUuid("pascal", index),
        "Tesla P100-PCIE-16GB",
        index,
        String.format("00000000:%02X:00.0", 0x30 + index),
        0x15F810DE,
        0x118F10DE,
        16280,
        0,
        0,
        null,
        null,
        new ComputeCapability(6, 0),
        FakeGpu.Mig.NOT_SUPPORTED,
        0);
  }

  /** Creates the host's {@code dev/<name>} entries (plain files stand in for device nodes). */
  static void devNodes(HostPaths paths, String... names) throws IOException {
    Files.createDirectories(paths.devRoot().resolve("dev"));
    for (String name : names) {
      Files.createFile(paths.devNode(name));
    }
  }

  /** A unix socket file someone listens on; close the channel to leave a stale socket file behind. */
  static ServerSocketChannel listen(Path socket) {
    try {
      Files.createDirectories(socket.getParent());
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An executable shell script at {@code path}. */
  static Path script(Path path, String body) throws IOException {
    Files.createDirectories(path.getParent());
    Files.writeString(path, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    return path;
  }

  /** Writes {@code text} to {@code file}, creating its directory. */
  static Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }
}
