package io.kubeaccel.nvml.fake;

import java.util.List;
import java.util.Locale;

/** Writes a {@link FakeInventory} in the JSON format the fake library parses (documented in the README). */
final class InventoryJson {

  static String write(FakeInventory inventory) {
    StringBuilder json = new StringBuilder(4096);
    json.append("{\n  \"driverVersion\": ").append(quote(inventory.driverVersion()));
    json.append(",\n  \"cudaDriverVersion\": ").append(inventory.cudaDriverVersion());
    json.append(",\n  \"gpus\": [");
    List<FakeGpu> gpus = inventory.gpus();
    for (int i = 0; i < gpus.size(); i++) {
      json.append(i == 0 ? "\n" : ",\n").append("    ");
      writeGpu(json, gpus.get(i));
    }
    json.append(gpus.isEmpty() ? "]" : "\n  ]");
    json.append(",\n  \"nvlinkMatrix\": ").append(matrix(inventory.nvlinkMatrix()));
    json.append(",\n  \"topologyMatrix\": ").append(matrix(inventory.topologyMatrix()));
    json.append(",\n  \"events\": [");
    List<FakeInventory.XidEvent> events = inventory.events();
    for (int i = 0; i < events.size(); i++) {
      FakeInventory.XidEvent e = events.get(i);
      json.append(i == 0 ? "" : ", ")
          .append(String.format(
              Locale.ROOT,
              "{\"afterMs\": %d, \"gpu\": %d, \"xid\": %d}",
              e.afterMs(),
              e.gpu(),
              e.xid()));
    }
    json.append("],\n  \"failures\": [");
    List<FakeInventory.Failure> failures = inventory.failures();
    for (int i = 0; i < failures.size(); i++) {
      FakeInventory.Failure f = failures.get(i);
      json.append(i == 0 ? "" : ", ").append("{\"function\": ").append(quote(f.function()));
      if (f.gpu() != FakeInventory.Failure.ANY_GPU) {
        json.append(", \"gpu\": ").append(f.gpu());
      }
      json.append(", \"code\": ")
          .append(quote(f.code().name()))
          .append(", \"afterCalls\": ")
          .append(f.afterCalls());
      json.append('}');
    }
    return json.append("]\n}\n").toString();
  }

  private static void writeGpu(StringBuilder json, FakeGpu gpu) {
    json.append("{\"uuid\": ")
        .append(quote(gpu.uuid()))
        .append(", \"name\": ")
        .append(quote(gpu.name()))
        .append(", \"minor\": ")
        .append(gpu.minor())
        .append(", \"pciBusId\": ")
        .append(quote(gpu.pciBusId()))
        .append(", \"pciDeviceId\": ")
        .append(quote(String.format("0x%08X", gpu.pciDeviceId())))
        .append(", \"pciSubSystemId\": ")
        .append(quote(String.format("0x%08X", gpu.pciSubSystemId())))
        .append(", \"memoryMiB\": ")
        .append(gpu.memoryMiB())
        .append(", \"usedMiB\": ")
        .append(gpu.usedMiB())
        .append(", \"numaNode\": ")
        .append(gpu.numaNode())
        .append(", \"pcieSwitch\": ")
        .append(quote(gpu.pcieSwitch()))
        .append(", \"board\": ")
        .append(quote(gpu.board()))
        .append(", \"computeCapability\": ")
        .append(quote(gpu.computeCapability().toString()))
        .append(", \"migMode\": ")
        .append(
            switch (gpu.mig()) {
              case NOT_SUPPORTED -> "null";
              case DISABLED -> "false";
              case ENABLED -> "true";
            })
        .append(", \"nvswitchLinks\": ")
        .append(gpu.nvswitchLinks())
        .append(",\n     \"computeMode\": ")
        .append(quote(gpu.computeMode().name()))
        .append(", \"utilization\": {\"gpu\": ")
        .append(gpu.utilization().gpu())
        .append(", \"memory\": ")
        .append(gpu.utilization().memory())
        .append("}, \"temperatureC\": ")
        .append(gpu.temperatureC())
        .append(", \"powerW\": ")
        .append(watts(gpu.powerMilliwatts()));
    if (!gpu.processes().isEmpty()) {
      json.append(",\n     \"processes\": ");
      writeProcesses(json, gpu.processes());
    }
    if (!gpu.migDevices().isEmpty()) {
      json.append(",\n     \"migDevices\": [");
      for (int i = 0; i < gpu.migDevices().size(); i++) {
        json.append(i == 0 ? "\n       " : ",\n       ");
        writeMigDevice(json, gpu.migDevices().get(i));
      }
      json.append("]");
    }
    json.append('}');
  }

  private static void writeMigDevice(StringBuilder json, FakeMigDevice mig) {
    json.append("{\"uuid\": ")
        .append(quote(mig.uuid()))
        .append(", \"profile\": ")
        .append(quote(mig.profile()))
        .append(", \"gpuInstanceId\": ")
        .append(mig.gpuInstanceId())
        .append(", \"computeInstanceId\": ")
        .append(mig.computeInstanceId())
        .append(", \"memoryMiB\": ")
        .append(mig.memoryMiB())
        .append(", \"usedMiB\": ")
        .append(mig.usedMiB())
        .append(",\n        \"multiprocessorCount\": ")
        .append(mig.multiprocessorCount())
        .append(", \"gpuInstanceSliceCount\": ")
        .append(mig.gpuInstanceSliceCount())
        .append(", \"computeInstanceSliceCount\": ")
        .append(mig.computeInstanceSliceCount())
        .append(", \"sharedCopyEngineCount\": ")
        .append(mig.sharedCopyEngineCount())
        .append(", \"sharedDecoderCount\": ")
        .append(mig.sharedDecoderCount())
        .append(", \"sharedEncoderCount\": ")
        .append(mig.sharedEncoderCount())
        .append(", \"sharedJpegCount\": ")
        .append(mig.sharedJpegCount())
        .append(", \"sharedOfaCount\": ")
        .append(mig.sharedOfaCount());
    if (!mig.processes().isEmpty()) {
      json.append(",\n        \"processes\": ");
      writeProcesses(json, mig.processes());
    }
    json.append('}');
  }

  private static void writeProcesses(StringBuilder json, List<FakeProcess> processes) {
    json.append('[');
    for (int i = 0; i < processes.size(); i++) {
      FakeProcess p = processes.get(i);
      json.append(i == 0 ? "" : ", ")
          .append(String.format(
              Locale.ROOT,
              "{\"pid\": %d, \"usedMiB\": %d, \"smUtil\": %d, \"memUtil\": %d, \"encUtil\": %d,"
                  + " \"decUtil\": %d}",
              p.pid(),
              p.usedMiB(),
              p.smUtil(),
              p.memUtil(),
              p.encUtil(),
              p.decUtil()));
    }
    json.append(']');
  }

  /** Milliwatts as a JSON number of watts: whole watts without a fraction. */
  static String watts(int milliwatts) {
    return milliwatts % 1000 == 0
        ? Integer.toString(milliwatts / 1000)
        : String.format(Locale.ROOT, "%.3f", milliwatts / 1000.0);
  }

  private static String matrix(List<List<Integer>> matrix) {
    if (matrix.isEmpty()) {
      return "null";
    }
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < matrix.size(); i++) {
      json.append(i == 0 ? "" : ",\n    ").append(matrix.get(i).toString().replace(" ", ""));
    }
    return json.append(']').toString();
  }

  /** A JSON string literal, or {@code null}; escapes quotes, backslashes and control characters. */
  static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }

  private InventoryJson() {}
}
