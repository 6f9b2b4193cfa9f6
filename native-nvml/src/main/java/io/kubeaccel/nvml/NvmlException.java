package io.kubeaccel.nvml;

/**
 * An NVML call returned something other than {@code NVML_SUCCESS}. Carries the typed return code, the function that
 * failed and NVML's own description of the code ({@code nvmlErrorString}).
 */
public class NvmlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final NvmlReturn code;
  private final String function;

  public NvmlException(NvmlReturn code, String function, String message) {
    super(function + ": " + message + " (" + code + ")");
    this.code = code;
    this.function = function;
  }

  /** The NVML return code. */
  public NvmlReturn code() {
    return code;
  }

  /** The NVML function that failed, e.g. {@code nvmlDeviceGetMemoryInfo}. */
  public String function() {
    return function;
  }
}
