package io.kubeaccel.agent.doctor;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The node modes, spelled as the {@code nvidia-device-enable} label values. */
public enum DoctorMode {
  PGPU("pgpu"),
  VGPU("vgpu"),
  MPS("mps");

  /** The node label that selects the mode's DaemonSet. */
  public static final String LABEL = "nvidia-device-enable";

  private final String label;

  DoctorMode(String label) {
    this.label = label;
  }

  /** The label value, e.g. {@code vgpu}. */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }

  /** Every label value, comma-separated, for messages. */
  public static String choices() {
    return Arrays.stream(values()).map(DoctorMode::label).collect(Collectors.joining(", "));
  }

  /**
   * The mode with label value {@code value} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the value and the choices when there is none
   */
  public static DoctorMode parse(String value) {
    for (DoctorMode mode : values()) {
      if (mode.label.equals(value.toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown mode \"" + value + "\"; choose one of: " + choices());
  }
}
