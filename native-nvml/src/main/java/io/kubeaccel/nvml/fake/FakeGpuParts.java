package io.kubeaccel.nvml.fake;

import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.Utilization;
import io.kubeaccel.nvml.fake.FakeGpu.Mig;
import java.util.List;

/** A mutable copy of a {@link FakeGpu}, so that each of its with-methods names only what it changes. */
final class FakeGpuParts {
  String uuid;
  String name;
  int minor;
  String pciBusId;
  int pciDeviceId;
  int pciSubSystemId;
  long memoryMiB;
  long usedMiB;
  int numaNode;
  String pcieSwitch;
  String board;
  ComputeCapability computeCapability;
  Mig mig;
  int nvswitchLinks;
  ComputeMode computeMode;
  Utilization utilization;
  int temperatureC;
  int powerMilliwatts;
  List<FakeProcess> processes;
  List<FakeMigDevice> migDevices;

  FakeGpuParts(FakeGpu gpu) {
    uuid = gpu.uuid();
    name = gpu.name();
    minor = gpu.minor();
    pciBusId = gpu.pciBusId();
    pciDeviceId = gpu.pciDeviceId();
    pciSubSystemId = gpu.pciSubSystemId();
    memoryMiB = gpu.memoryMiB();
    usedMiB = gpu.usedMiB();
    numaNode = gpu.numaNode();
    pcieSwitch = gpu.pcieSwitch();
    board = gpu.board();
    computeCapability = gpu.computeCapability();
    mig = gpu.mig();
    nvswitchLinks = gpu.nvswitchLinks();
    computeMode = gpu.computeMode();
    utilization = gpu.utilization();
    temperatureC = gpu.temperatureC();
    powerMilliwatts = gpu.powerMilliwatts();
    processes = gpu.processes();
    migDevices = gpu.migDevices();
  }

  FakeGpu build() {
    return new FakeGpu(
        uuid,
        name,
        minor,
        pciBusId,
        pciDeviceId,
        pciSubSystemId,
        memoryMiB,
        usedMiB,
        numaNode,
        pcieSwitch,
        board,
        computeCapability,
        mig,
        nvswitchLinks,
        computeMode,
        utilization,
        temperatureC,
        powerMilliwatts,
        processes,
        migDevices);
  }
}
