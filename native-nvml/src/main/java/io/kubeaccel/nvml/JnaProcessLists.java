package io.kubeaccel.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The NVML calls that fill a caller's array: ask for the size, allocate, ask again; NVML says INSUFFICIENT_SIZE (with
 * the new size) when processes started in between, and then the binding asks once more.
 *
 * <p>Compute processes come from the newest {@code nvmlDeviceGetComputeRunningProcesses} the driver has: {@code _v3}
 * (R510 and later), else {@code _v2} (R470), else the unversioned one (older drivers, no MIG instance ids). A version
 * is skipped when its symbol is missing (JNA's {@link UnsatisfiedLinkError}) or NVML answers FUNCTION_NOT_FOUND; the
 * one that answers is remembered per {@link JnaNvml}.
 */
final class JnaProcessLists {
  static final String RUNNING = "nvmlDeviceGetComputeRunningProcesses_v3";
  static final String RUNNING_V2 = "nvmlDeviceGetComputeRunningProcesses_v2";
  static final String RUNNING_V1 = "nvmlDeviceGetComputeRunningProcesses";
  static final String UTILIZATION = "nvmlDeviceGetProcessUtilization";
  /** Extra room when re-asking for a list, for processes that start in between. */
  private static final int HEADROOM = 8;
  /** How often a list is re-asked before NVML's INSUFFICIENT_SIZE is passed on. */
  private static final int ATTEMPTS = 5;

  /** The versions of nvmlDeviceGetComputeRunningProcesses, newest (preferred) first. */
  enum RunningVersion {
    V3(RUNNING) {
      @Override
      Listed<ProcessInfo> list(NvmlLibrary library, Pointer device) {
        return fillV2Layout((infos, count) ->
            library.nvmlDeviceGetComputeRunningProcesses_v3(device, count, infos));
      }
    },
    V2(RUNNING_V2) {
      @Override
      Listed<ProcessInfo> list(NvmlLibrary library, Pointer device) {
        return fillV2Layout((infos, count) ->
            library.nvmlDeviceGetComputeRunningProcesses_v2(device, count, infos));
      }
    },
    V1(RUNNING_V1) {
      @Override
      Listed<ProcessInfo> list(NvmlLibrary library, Pointer device) {
        return fill(
            NvmlStructs.ProcessInfoV1Struct::new,
            (infos, count) -> library.nvmlDeviceGetComputeRunningProcesses(device, count, infos),
            NvmlStructs.ProcessInfoV1Struct::toProcessInfo);
      }
    };

    private final String symbol;

    RunningVersion(String symbol) {
      this.symbol = symbol;
    }

    String symbol() {
      return symbol;
    }

    /** Throws {@link UnsatisfiedLinkError} when the library lacks the symbol. */
    abstract Listed<ProcessInfo> list(NvmlLibrary library, Pointer device);

    /** {@code known} (when set) first, then the others, newest first. */
    static List<RunningVersion> tryOrder(RunningVersion known) {
      List<RunningVersion> order = new ArrayList<>(List.of(values()));
      if (known != null) {
        order.remove(known);
        order.add(0, known);
      }
      return order;
    }
  }

  /** What a list call ended with: its last return code and, on SUCCESS, the entries (none after the size query). */
  record Listed<T>(int returnCode, List<T> items) {}

  /** One NVML list call: {@code array} null asks only for the size; {@code count} in is the room in it. */
  @FunctionalInterface
  private interface ListCall<S extends Structure> {
    int call(S[] array, IntByReference count);
  }

  /** NVML's sizing protocol around {@code call}, with arrays of {@code struct} from {@code Structure.toArray}. */
  @SuppressWarnings("unchecked")
  private static <S extends Structure, T> Listed<T> fill(
      Supplier<S> struct, ListCall<S> call, Function<S, T> convert) {
    IntByReference count = new IntByReference(0);
    int returnCode = call.call(null, count);
    for (int attempt = 0;
        returnCode == NvmlReturn.INSUFFICIENT_SIZE.value() && attempt < ATTEMPTS;
        attempt++) {
      int room = count.getValue() + HEADROOM;
      S[] array = (S[]) struct.get().toArray(room); // contiguous, as C expects
      count.setValue(room);
      returnCode = call.call(array, count);
      if (returnCode == NvmlReturn.SUCCESS.value()) {
        return new Listed<>(
            returnCode, Arrays.stream(array, 0, count.getValue()).map(convert).toList());
      }
    }
    return new Listed<>(returnCode, List.of()); // success on the size query: none
  }

  /** {@code _v3} and {@code _v2} fill the same 24-byte {@code nvmlProcessInfo_t}. */
  private static Listed<ProcessInfo> fillV2Layout(ListCall<NvmlStructs.ProcessInfoStruct> call) {
    return fill(
        NvmlStructs.ProcessInfoStruct::new, call, NvmlStructs.ProcessInfoStruct::toProcessInfo);
  }

  static List<ProcessInfo> running(JnaNvml owner, Pointer device) {
    NvmlLibrary library = owner.library();
    RunningVersion known = owner.runningVersion();
    Map<RunningVersion, String> unavailable = new EnumMap<>(RunningVersion.class);
    for (RunningVersion version : RunningVersion.tryOrder(known)) {
      Listed<ProcessInfo> listed;
      try {
        listed = version.list(library, device);
      } catch (UnsatisfiedLinkError missing) {
        unavailable.put(version, "not in the library");
        continue;
      }
      if (listed.returnCode() == NvmlReturn.FUNCTION_NOT_FOUND.value()) {
        unavailable.put(version, "FUNCTION_NOT_FOUND");
        continue;
      }
      if (version != known) {
        owner.runningVersion(version); // any other answer means the driver has this version
      }
      owner.check(listed.returnCode(), version.symbol());
      return listed.items();
    }
    List<String> tried = new ArrayList<>();
    unavailable.forEach((version, why) -> tried.add(version.symbol() + " (" + why + ")"));
    throw owner.exception(
        NvmlReturn.FUNCTION_NOT_FOUND.value(),
        RUNNING_V1,
        "the driver lists compute processes with none of " + String.join(", ", tried));
  }

  static List<ProcessUtilizationSample> utilization(
      JnaNvml owner, Pointer device, long lastSeenTimeStamp) {
    NvmlLibrary library = owner.library();
    Listed<ProcessUtilizationSample> listed = fill(
        NvmlStructs.ProcessUtilizationSampleStruct::new,
        (samples, count) ->
            library.nvmlDeviceGetProcessUtilization(device, samples, count, lastSeenTimeStamp),
        NvmlStructs.ProcessUtilizationSampleStruct::toSample);
    if (listed.returnCode() == NvmlReturn.NOT_FOUND.value()) {
      return List.of(); // no sample newer than lastSeenTimeStamp
    }
    owner.check(listed.returnCode(), UTILIZATION);
    return listed.items();
  }

  private JnaProcessLists() {}
}
