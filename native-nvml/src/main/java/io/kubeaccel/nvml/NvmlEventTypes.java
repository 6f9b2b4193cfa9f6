package io.kubeaccel.nvml;

/** NVML event type bits ({@code nvmlEventType*} in nvml.h). */
public final class NvmlEventTypes {
  public static final long SINGLE_BIT_ECC_ERROR = 0x0000000000000001L;
  public static final long DOUBLE_BIT_ECC_ERROR = 0x0000000000000002L;
  public static final long PSTATE = 0x0000000000000004L;
  public static final long XID_CRITICAL_ERROR = 0x0000000000000008L;
  public static final long CLOCK = 0x0000000000000010L;
  public static final long POWER_SOURCE_CHANGE = 0x0000000000000080L;
  public static final long MIG_CONFIG_CHANGE = 0x0000000000000100L;

  private NvmlEventTypes() {}
}
