package io.kubeaccel.nvml;

/** What sits at the far end of an NVLink ({@code nvmlIntNvLinkDeviceType_t}). */
public enum NvLinkDeviceType {
  GPU(0),
  IBMNPU(1),
  SWITCH(2),
  UNKNOWN(0xFF);

  private final int nvmlValue;

  NvLinkDeviceType(int nvmlValue) {
    this.nvmlValue = nvmlValue;
  }

  public int nvmlValue() {
    return nvmlValue;
  }

  /** The type for NVML's numeric value; anything undefined is {@link #UNKNOWN}. */
  public static NvLinkDeviceType fromNvml(int value) {
    for (NvLinkDeviceType type : values()) {
      if (type.nvmlValue == value) {
        return type;
      }
    }
    return UNKNOWN;
  }
}
