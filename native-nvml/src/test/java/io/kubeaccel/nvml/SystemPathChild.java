package io.kubeaccel.nvml;

/**
 * Opens NVML from the system library path, as an agent without {@code --nvml-library-dir} does, and says how many
 * devices it saw and how many "process reaper" threads (the JDK's, started with a child process) exist. Run by {@link
 * NvmlLibraryLoadingTest} with the fake library's directory in {@code LD_LIBRARY_PATH}.
 */
public final class SystemPathChild {

  public static void main(String[] args) {
    try (Nvml nvml = Nvml.open(NvmlLibraryPath.system())) {
      System.out.println("devices " + nvml.deviceCount());
    }
    long reapers = Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals("process reaper"))
        .count();
    System.out.println("process reaper threads " + reapers);
  }

  private SystemPathChild() {}
}
