package io.kubeaccel.nvml.fake;

import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.Utilization;
import io.kubeaccel.nvml.fake.FakeGpu.Mig;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The rules a {@link FakeGpu}'s run-time values and MIG devices follow (what the fake library would refuse). */
final class FakeGpuChecks {

  static void runTimeValues(
      String uuid,
      ComputeMode computeMode,
      Utilization utilization,
      int temperatureC,
      int powerMilliwatts,
      List<FakeProcess> processes) {
    if (computeMode == ComputeMode.EXCLUSIVE_THREAD) {
      throw new IllegalArgumentException("no driver sets EXCLUSIVE_THREAD any more: " + uuid);
    }
    if (utilization.gpu() < 0
        || utilization.gpu() > 100
        || utilization.memory() < 0
        || utilization.memory() > 100) {
      throw new IllegalArgumentException("utilisation must be 0..100 percent: " + uuid);
    }
    if (temperatureC < 0
        || temperatureC > 200
        || powerMilliwatts < 0
        || powerMilliwatts > 100_000_000) {
      throw new IllegalArgumentException("temperature must be 0..200 C, power 0..100 kW: " + uuid);
    }
    if (processes.stream().map(FakeProcess::pid).distinct().count() != processes.size()) {
      throw new IllegalArgumentException("a pid is listed twice on " + uuid);
    }
  }

  static void migDevices(
      String uuid,
      String name,
      long memoryMiB,
      Mig mig,
      List<FakeProcess> processes,
      List<FakeMigDevice> migDevices) {
    if (mig == Mig.ENABLED && !processes.isEmpty()) {
      throw new IllegalArgumentException(
          "a GPU in MIG mode runs processes on its MIG devices, not on the GPU: " + uuid);
    }
    if (!migDevices.isEmpty() && mig != Mig.ENABLED) {
      throw new IllegalArgumentException("only a GPU with MIG enabled has MIG devices: " + uuid);
    }
    if (migDevices.size() > FakeGpu.MAX_MIG_DEVICES) {
      throw new IllegalArgumentException(
          "at most " + FakeGpu.MAX_MIG_DEVICES + " MIG devices: " + uuid);
    }
    Set<String> instances = new HashSet<>();
    Set<String> uuids = new HashSet<>();
    for (FakeMigDevice device : migDevices) {
      if (!instances.add(device.gpuInstanceId() + "/" + device.computeInstanceId())
          || !uuids.add(device.uuid().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "MIG devices of " + uuid + " share a uuid or instance ids: " + device.uuid());
      }
      if (device.memoryMiB() > memoryMiB || (name + " MIG " + device.profile()).length() > 95) {
        throw new IllegalArgumentException(
            "MIG device " + device.uuid() + " has more memory than its GPU, or too long a name");
      }
    }
  }

  private FakeGpuChecks() {}
}
