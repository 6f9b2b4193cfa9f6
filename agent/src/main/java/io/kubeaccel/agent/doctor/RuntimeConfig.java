package io.kubeaccel.agent.doctor;

import java.nio.file.Path;

/**
 * What a container runtime's configuration says about NVIDIA's runtime.
 *
 * @param runtime {@code containerd} or {@code docker}
 * @param file the main configuration file
 * @param exists whether {@code file} exists (all else is empty when not)
 * @param nvidiaDefinedIn the file defining the {@code nvidia} runtime (the main file or one it imports), or null
 * @param nvidiaBinary the program the {@code nvidia} runtime runs, empty when it names none
 * @param defaultRuntime the default runtime's name, empty when the file leaves the runtime's own default
 */
record RuntimeConfig(
    String runtime,
    Path file,
    boolean exists,
    Path nvidiaDefinedIn,
    String nvidiaBinary,
    String defaultRuntime) {

  /** The binary the {@code nvidia} runtime must run. */
  static final String NVIDIA_RUNTIME_BINARY = "nvidia-container-runtime";

  static RuntimeConfig absent(String runtime, Path file) {
    return new RuntimeConfig(runtime, file, false, null, "", "");
  }

  boolean hasNvidiaRuntime() {
    return nvidiaDefinedIn != null;
  }

  boolean nvidiaBinaryOk() {
    return nvidiaBinary.endsWith(NVIDIA_RUNTIME_BINARY);
  }

  boolean nvidiaIsDefault() {
    return defaultRuntime.equals("nvidia");
  }

  /** A file that cannot be read as its runtime would read it, with the line where it goes wrong (0 if none). */
  static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Path file;
    private final int line;

    MalformedException(Path file, int line, String message) {
      super(message);
      this.file = file;
      this.line = line;
    }

    Path file() {
      return file;
    }

    int line() {
      return line;
    }

    /** {@code /etc/containerd/config.toml:12: expected '=' ...}. */
    String where() {
      return file + (line > 0 ? ":" + line : "") + ": " + getMessage();
    }
  }
}
