package io.kubeaccel.pgpu.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A closed vocabulary with the spelling flags, environment variables and config files use. */
public interface WireEnum {

  /** The spelling on the wire, e.g. {@code volume-mounts}. */
  String wireName();

  /**
   * The constant of {@code type} spelled {@code value}.
   *
   * @throws IllegalArgumentException saying what was given and listing the allowed spellings
   */
  static <E extends Enum<E> & WireEnum> E parse(Class<E> type, String value) {
    for (E constant : type.getEnumConstants()) {
      if (constant.wireName().equals(value)) {
        return constant;
      }
    }
    throw new IllegalArgumentException("\"" + value + "\" is not one of: " + allowed(type));
  }

  /** The allowed spellings, comma-separated. */
  static <E extends Enum<E> & WireEnum> String allowed(Class<E> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(WireEnum::wireName)
        .collect(Collectors.joining(", "));
  }
}
