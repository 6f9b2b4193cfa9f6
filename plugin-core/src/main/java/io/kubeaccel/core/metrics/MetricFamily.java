package io.kubeaccel.core.metrics;

import java.util.List;

/**
 * Every metric family a node agent exports: the single list the collectors, the README table and the dashboard test
 * read. Names carry their unit; {@link #name} is the name as the text format shows it (counters with {@code _total},
 * info metrics with {@code _info}).
 */
enum MetricFamily {
  // Per card, read from the inventory at scrape time (no NVML call).
  GPU_INFO(
      Kind.INFO,
      "kubeaccel_gpu_info",
      "Static facts of a card: driver and CUDA version, compute capability, MIG mode.",
      Labels.CARD_INFO),
  GPU_HEALTHY(
      Kind.GAUGE,
      "kubeaccel_gpu_healthy",
      "1 while the card is Healthy for the kubelet, 0 while Unhealthy.",
      Labels.CARD),
  GPU_MEMORY_TOTAL(
      Kind.GAUGE,
      "kubeaccel_gpu_memory_total_bytes",
      "Framebuffer memory of the card.",
      Labels.CARD),
  GPU_XID_ERRORS(
      Kind.COUNTER,
      "kubeaccel_gpu_xid_errors_total",
      "XID critical errors NVML reported, every event, also on a card that is Unhealthy already (ignored XIDs are"
          + " not counted).",
      Labels.XID),
  GPU_XID_IGNORED(
      Kind.COUNTER,
      "kubeaccel_gpu_xid_ignored_total",
      "XIDs NVML reported that the health policy ignores (an application's fault such as 13, 31 or 43; the card stays"
          + " Healthy).",
      Labels.XID),

  // Per card, from the last NVML sample.
  GPU_UTILIZATION(
      Kind.GAUGE,
      "kubeaccel_gpu_utilization_percent",
      "Percent of the last sample period during which kernels ran (absent in MIG mode).",
      Labels.CARD),
  GPU_MEMORY_COPY_UTILIZATION(
      Kind.GAUGE,
      "kubeaccel_gpu_memory_copy_utilization_percent",
      "Percent of the last sample period during which device memory was read or written (absent in MIG mode).",
      Labels.CARD),
  GPU_MEMORY_USED(
      Kind.GAUGE, "kubeaccel_gpu_memory_used_bytes", "Framebuffer memory in use.", Labels.CARD),
  GPU_TEMPERATURE(
      Kind.GAUGE, "kubeaccel_gpu_temperature_celsius", "GPU core temperature.", Labels.CARD),
  GPU_POWER(Kind.GAUGE, "kubeaccel_gpu_power_watts", "Power draw of the board.", Labels.CARD),
  GPU_PROCESSES(
      Kind.GAUGE,
      "kubeaccel_gpu_compute_processes",
      "Processes with a CUDA context on the card.",
      Labels.CARD),
  GPU_ALLOCATED(
      Kind.GAUGE,
      "kubeaccel_gpu_allocated",
      "1 when a container holds the card or a share of it, else 0 (absent while the holders are unknown).",
      Labels.CARD),

  // Per container, from the last NVML sample and the holders.
  CONTAINER_UTILIZATION(
      Kind.GAUGE,
      "kubeaccel_container_gpu_utilization_percent",
      "The container's processes' SM utilisation on the card, summed (absent in MIG mode).",
      Labels.CONTAINER),
  CONTAINER_MEMORY_USED(
      Kind.GAUGE,
      "kubeaccel_container_gpu_memory_used_bytes",
      "Device memory used by the container's processes on the card.",
      Labels.CONTAINER),
  CONTAINER_ALLOCATED(
      Kind.GAUGE,
      "kubeaccel_container_gpu_allocated",
      "1 for every card (or share of one) the container holds.",
      Labels.HOLDER),

  // Allocate calls, counted on the kubelet's request path.
  ALLOCATIONS(
      Kind.COUNTER,
      "kubeaccel_allocations_total",
      "Allocate calls answered successfully.",
      Labels.RESOURCE),
  REJECTIONS(
      Kind.COUNTER,
      "kubeaccel_allocation_rejections_total",
      "Kubelet requests refused as invalid (unknown, duplicate, unhealthy or too many devices).",
      Labels.RESOURCE),
  ALLOCATE_DURATION(
      Kind.HISTOGRAM,
      "kubeaccel_allocate_duration_seconds",
      "Time to handle a successful Allocate call.",
      Labels.RESOURCE),

  // The agent itself.
  AGENT_UP(Kind.GAUGE, "kubeaccel_agent_up", "1 while the agent runs.", List.of()),
  BUILD_INFO(
      Kind.INFO,
      "kubeaccel_build_info",
      "The agent's version and mode.",
      List.of("version", "mode")),
  NVML_UP(
      Kind.GAUGE,
      "kubeaccel_nvml_up",
      "1 when NVML answered at the last sample, else 0.",
      List.of()),
  LAST_SAMPLE(
      Kind.GAUGE,
      "kubeaccel_metrics_last_sample_timestamp_seconds",
      "When the last NVML sample was taken (Unix time).",
      List.of()),
  SAMPLE_DURATION(
      Kind.GAUGE,
      "kubeaccel_metrics_sample_duration_seconds",
      "How long the last NVML sample took.",
      List.of());

  /** How a family is exposed. */
  enum Kind {
    GAUGE,
    COUNTER,
    HISTOGRAM,
    INFO
  }

  /** The label sets families share. */
  private static final class Labels {
    static final List<String> CARD = List.of("uuid", "index", "model", "mode");
    static final List<String> CARD_INFO = List.of(
        "uuid",
        "index",
        "model",
        "mode",
        "driver_version",
        "cuda_version",
        "compute_capability",
        "mig_mode");
    static final List<String> XID = List.of("uuid", "xid");
    static final List<String> CONTAINER =
        List.of("namespace", "pod", "container", "pod_uid", "uuid");
    static final List<String> HOLDER = List.of("namespace", "pod", "container", "uuid");
    static final List<String> RESOURCE = List.of("resource");
  }

  final Kind kind;
  final String name;
  final String help;
  final List<String> labels;

  MetricFamily(Kind kind, String name, String help, List<String> labels) {
    this.kind = kind;
    this.name = name;
    this.help = help;
    this.labels = labels;
  }

  /** The name client_java registers: without the {@code _total} / {@code _info} its writers add. */
  String registeredName() {
    return switch (kind) {
      case COUNTER -> name.substring(0, name.length() - "_total".length());
      case INFO -> name.substring(0, name.length() - "_info".length());
      case GAUGE, HISTOGRAM -> name;
    };
  }

  /** Every series name this family shows in the text format. */
  List<String> sampleNames() {
    return kind == Kind.HISTOGRAM
        ? List.of(name + "_bucket", name + "_sum", name + "_count")
        : List.of(name);
  }
}
