package io.kubeaccel.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.util.Arrays;
import java.util.List;

/**
 * The two NVML calls that fill a caller's array: ask for the size, allocate, ask again; NVML says INSUFFICIENT_SIZE
 * (with the new size) when processes started in between, and then the binding asks once more.
 */
final class JnaProcessLists {
  static final String RUNNING = "nvmlDeviceGetComputeRunningProcesses_v3";
  static final String UTILIZATION = "nvmlDeviceGetProcessUtilization";
  /** Extra room when re-asking for a list, for processes that start in between. */
  private static final int HEADROOM = 8;
  /** How often a list is re-asked before NVML's INSUFFICIENT_SIZE is passed on. */
  private static final int ATTEMPTS = 5;

  static List<ProcessInfo> running(JnaNvml owner, Pointer device) {
    NvmlLibrary library = owner.library();
    IntByReference count = new IntByReference(0);
    int returnCode = library.nvmlDeviceGetComputeRunningProcesses_v3(device, count, null);
    for (int attempt = 0;
        returnCode == NvmlReturn.INSUFFICIENT_SIZE.value() && attempt < ATTEMPTS;
        attempt++) {
      int room = count.getValue() + HEADROOM;
      NvmlStructs.ProcessInfoStruct[] infos =
          (NvmlStructs.ProcessInfoStruct[]) new NvmlStructs.ProcessInfoStruct().toArray(room);
      count.setValue(room);
      returnCode = library.nvmlDeviceGetComputeRunningProcesses_v3(device, count, infos);
      if (returnCode == NvmlReturn.SUCCESS.value()) {
        return Arrays.stream(infos, 0, count.getValue())
            .map(NvmlStructs.ProcessInfoStruct::toProcessInfo)
            .toList();
      }
    }
    owner.check(returnCode, RUNNING);
    return List.of(); // success on the size query: no processes
  }

  static List<ProcessUtilizationSample> utilization(
      JnaNvml owner, Pointer device, long lastSeenTimeStamp) {
    NvmlLibrary library = owner.library();
    IntByReference count = new IntByReference(0);
    int returnCode =
        library.nvmlDeviceGetProcessUtilization(device, null, count, lastSeenTimeStamp);
    for (int attempt = 0;
        returnCode == NvmlReturn.INSUFFICIENT_SIZE.value() && attempt < ATTEMPTS;
        attempt++) {
      int room = count.getValue() + HEADROOM;
      NvmlStructs.ProcessUtilizationSampleStruct[] samples =
          (NvmlStructs.ProcessUtilizationSampleStruct[])
              new NvmlStructs.ProcessUtilizationSampleStruct().toArray(room);
      count.setValue(room);
      returnCode =
          library.nvmlDeviceGetProcessUtilization(device, samples, count, lastSeenTimeStamp);
      if (returnCode == NvmlReturn.SUCCESS.value()) {
        return Arrays.stream(samples, 0, count.getValue())
            .map(NvmlStructs.ProcessUtilizationSampleStruct::toSample)
            .toList();
      }
    }
    if (returnCode == NvmlReturn.NOT_FOUND.value()) {
      return List.of(); // no sample newer than lastSeenTimeStamp
    }
    owner.check(returnCode, UTILIZATION);
    return List.of(); // success on the size query: no samples
  }

  private JnaProcessLists() {}
}
