package io.kubeaccel.nvml.fake;

import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.Utilization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One simulated GPU of a {@link FakeInventory}: everything the fake NVML reports about it.
 *
 * @param uuid {@code GPU-} followed by 8-4-4-4-12 hex digits
 * @param name the product name, e.g. {@code NVIDIA A100-SXM4-40GB}
 * @param minor the N of {@code /dev/nvidiaN}
 * @param pciBusId {@code 00000000:07:00.0} (the short {@code 0000:07:00.0} form is accepted too)
 * @param memoryMiB framebuffer size; {@code usedMiB} of it is reported used
 * @param numaNode the NUMA node written to the fake sysfs, -1 for none
 * @param pcieSwitch GPUs with the same non-null switch name are {@code SINGLE} apart
 * @param board GPUs with the same non-null board name are {@code INTERNAL} (one card)
 * @param mig whether MIG is supported and, if so, enabled
 * @param nvswitchLinks NVLinks to an NVSwitch, numbered after the links to peer GPUs
 * @param computeMode the compute mode at the first {@code nvmlInit} (never {@code EXCLUSIVE_THREAD})
 * @param utilization what {@code nvmlDeviceGetUtilizationRates} reports
 * @param temperatureC what {@code nvmlDeviceGetTemperature} reports, 0..200
 * @param powerMilliwatts what {@code nvmlDeviceGetPowerUsage} reports
 * @param processes compute processes on the whole GPU (none when MIG is enabled: they run on MIG devices)
 * @param migDevices the MIG devices, by slot; only with MIG enabled, at most {@link #MAX_MIG_DEVICES}
 */
public record FakeGpu(
    String uuid,
    String name,
    int minor,
    String pciBusId,
    int pciDeviceId,
    int pciSubSystemId,
    long memoryMiB,
    long usedMiB,
    int numaNode,
    String pcieSwitch,
    String board,
    ComputeCapability computeCapability,
    Mig mig,
    int nvswitchLinks,
    ComputeMode computeMode,
    Utilization utilization,
    int temperatureC,
    int powerMilliwatts,
    List<FakeProcess> processes,
    List<FakeMigDevice> migDevices) {

  /** What {@code nvmlDeviceGetMaxMigDeviceCount} reports for a GPU in MIG mode. */
  public static final int MAX_MIG_DEVICES = 7;
  /** The default temperature: an idle A100's. */
  public static final int IDLE_TEMPERATURE_C = 32;
  /** The default power draw: an idle A100's. */
  public static final int IDLE_POWER_MILLIWATTS = 55_000;

  private static final Pattern UUID_FORMAT = Pattern.compile(
      "GPU-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern BUS_ID_FORMAT =
      Pattern.compile("([0-9a-fA-F]{1,8}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");

  /** MIG as {@code nvmlDeviceGetMigMode} reports it. */
  public enum Mig {
    /** The call returns NOT_SUPPORTED (pre-Ampere and non-MIG products). */
    NOT_SUPPORTED,
    /** Current and pending mode disabled. */
    DISABLED,
    /** Current and pending mode enabled. */
    ENABLED
  }

  public FakeGpu {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(computeCapability, "computeCapability");
    Objects.requireNonNull(mig, "mig");
    Objects.requireNonNull(computeMode, "computeMode");
    Objects.requireNonNull(utilization, "utilization");
    processes = List.copyOf(processes);
    migDevices = List.copyOf(migDevices);
    if (uuid == null || !UUID_FORMAT.matcher(uuid).matches()) {
      throw new IllegalArgumentException(
          "uuid must be GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: " + uuid);
    }
    Matcher busId = pciBusId == null ? null : BUS_ID_FORMAT.matcher(pciBusId);
    if (busId == null || !busId.matches() || Integer.parseInt(busId.group(3), 16) > 0x1F) {
      throw new IllegalArgumentException(
          "pciBusId must look like 00000000:07:00.0 (device <= 1f): " + pciBusId);
    }
    if (minor < 0 || memoryMiB < 0 || usedMiB < 0 || usedMiB > memoryMiB || numaNode < -1) {
      throw new IllegalArgumentException(
          "negative minor/memory/NUMA node, or usedMiB > memoryMiB: " + uuid);
    }
    if (nvswitchLinks < 0 || nvswitchLinks > FakeInventory.MAX_NVLINKS) {
      throw new IllegalArgumentException(
          "nvswitchLinks must be 0.." + FakeInventory.MAX_NVLINKS + ": " + uuid);
    }
    FakeGpuChecks.runTimeValues(
        uuid, computeMode, utilization, temperatureC, powerMilliwatts, processes);
    FakeGpuChecks.migDevices(uuid, name, memoryMiB, mig, processes, migDevices);
  }

  /** The constructor before compute mode, utilisation, temperature, power, processes and MIG devices: idle defaults. */
  public FakeGpu(
      String uuid,
      String name,
      int minor,
      String pciBusId,
      int pciDeviceId,
      int pciSubSystemId,
      long memoryMiB,
      long usedMiB,
      int numaNode,
      String pcieSwitch,
      String board,
      ComputeCapability computeCapability,
      Mig mig,
      int nvswitchLinks) {
    this(
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
        ComputeMode.DEFAULT,
        new Utilization(0, 0),
        IDLE_TEMPERATURE_C,
        IDLE_POWER_MILLIWATTS,
        List.of(),
        List.of());
  }

  /**
   * A GPU of {@code model} with defaults: a UUID derived from {@code uuidSeed} and {@code index}, minor = index, bus
   * {@code 0x10 + index}, nothing used, NUMA node 0, no switch or board, MIG disabled where supported, no NVSwitch;
   * idle: compute mode DEFAULT, 0% utilisation, {@value #IDLE_TEMPERATURE_C} C, {@value #IDLE_POWER_MILLIWATTS} mW, no
   * processes.
   */
  public static FakeGpu of(FakeGpuModel model, String uuidSeed, int index) {
    return new FakeGpu(
        deterministicUuid(uuidSeed, index),
        model.productName(),
        index,
        String.format("00000000:%02X:00.0", 0x10 + index),
        model.pciDeviceId(),
        model.pciSubSystemId(),
        model.memoryMiB(),
        0,
        0,
        null,
        null,
        model.computeCapability(),
        model.migCapable() ? Mig.DISABLED : Mig.NOT_SUPPORTED,
        0);
  }

  /** {@code GPU-} plus a name-based UUID of {@code seed} and {@code index}: stable across runs, 40 characters. */
  public static String deterministicUuid(String seed, int index) {
    byte[] name = ("kubeaccel-fake-nvml/" + seed + "/" + index).getBytes(StandardCharsets.UTF_8);
    return "GPU-" + UUID.nameUUIDFromBytes(name);
  }

  /** The bus id as Linux names the device under {@code /sys/bus/pci/devices}, e.g. {@code 0000:07:00.0}. */
  public String sysfsAddress() {
    Matcher m = BUS_ID_FORMAT.matcher(pciBusId);
    if (!m.matches()) {
      throw new IllegalStateException(pciBusId);
    }
    return String.format(
        Locale.ROOT,
        "%04x:%02x:%02x.%x",
        Long.parseLong(m.group(1), 16),
        Integer.parseInt(m.group(2), 16),
        Integer.parseInt(m.group(3), 16),
        Integer.parseInt(m.group(4)));
  }

  public FakeGpu withUuid(String uuid) {
    return with(g -> g.uuid = uuid);
  }

  public FakeGpu withMinor(int minor) {
    return with(g -> g.minor = minor);
  }

  public FakeGpu withPciBusId(String pciBusId) {
    return with(g -> g.pciBusId = pciBusId);
  }

  public FakeGpu withMemory(long memoryMiB, long usedMiB) {
    return with(g -> {
      g.memoryMiB = memoryMiB;
      g.usedMiB = usedMiB;
    });
  }

  public FakeGpu withNumaNode(int numaNode) {
    return with(g -> g.numaNode = numaNode);
  }

  public FakeGpu withPcieSwitch(String pcieSwitch) {
    return with(g -> g.pcieSwitch = pcieSwitch);
  }

  public FakeGpu withBoard(String board) {
    return with(g -> g.board = board);
  }

  /** MIG supported or not, enabled or not; a GPU leaving MIG mode loses its MIG devices. */
  public FakeGpu withMig(Mig mig) {
    return with(g -> {
      g.mig = mig;
      g.migDevices = mig == Mig.ENABLED ? g.migDevices : List.of();
    });
  }

  public FakeGpu withNvswitchLinks(int nvswitchLinks) {
    return with(g -> g.nvswitchLinks = nvswitchLinks);
  }

  public FakeGpu withComputeMode(ComputeMode computeMode) {
    return with(g -> g.computeMode = computeMode);
  }

  public FakeGpu withUtilization(int gpuPercent, int memoryPercent) {
    return with(g -> g.utilization = new Utilization(gpuPercent, memoryPercent));
  }

  public FakeGpu withTemperatureC(int temperatureC) {
    return with(g -> g.temperatureC = temperatureC);
  }

  public FakeGpu withPowerMilliwatts(int powerMilliwatts) {
    return with(g -> g.powerMilliwatts = powerMilliwatts);
  }

  /** The compute processes on the whole GPU (a GPU in MIG mode has them on its MIG devices). */
  public FakeGpu withProcesses(FakeProcess... processes) {
    return with(g -> g.processes = List.of(processes));
  }

  /** MIG enabled, with these MIG devices in slots 0, 1, ... */
  public FakeGpu withMigDevices(List<FakeMigDevice> migDevices) {
    return with(g -> {
      g.mig = Mig.ENABLED;
      g.migDevices = migDevices;
    });
  }

  /**
   * MIG enabled, with one MIG device per profile in slots 0, 1, ..., each with the values {@link FakeMigDevice#of}
   * derives (deterministic uuids, A100-style GPU instance ids).
   */
  public FakeGpu withMigProfiles(String... profiles) {
    List<FakeMigDevice> devices = new ArrayList<>();
    for (String profile : Arrays.asList(profiles)) {
      devices.add(FakeMigDevice.of(this, devices.size(), profile, devices));
    }
    return withMigDevices(devices);
  }

  private FakeGpu with(Consumer<FakeGpuParts> change) {
    FakeGpuParts parts = new FakeGpuParts(this);
    change.accept(parts);
    return parts.build();
  }
}
