package io.kubeaccel.nvml;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads libnvidia-ml: the given directories first (by absolute file path, so nothing else can be picked up
 * by accident), then, if allowed, the system library path.
 */
final class NvmlLibraryLoader {
  private static final List<String> FILE_NAMES = List.of("libnvidia-ml.so.1", "libnvidia-ml.so");
  // "nvidia-ml" lets JNA search jna.library.path and the default dirs for libnvidia-ml.so; the
  // second name asks dlopen (ldconfig cache, LD_LIBRARY_PATH) for the versioned file drivers
  // actually ship.
  private static final List<String> SYSTEM_NAMES = List.of("nvidia-ml", "libnvidia-ml.so.1");
  private static final String HINT =
      "Is the NVIDIA driver installed and loaded on this node? In a container: was it started with the NVIDIA"
          + " container runtime (runtimeClassName nvidia / nvidia-container-toolkit), or is the host's driver root"
          + " mounted and its library directory passed to kubeaccel?";

  /** A loaded library and where it came from ({@code name} as given to JNA). */
  record Loaded(NvmlLibrary library, String name, String source) {

    /**
     * Why the last nvmlInit failed, if the library can say: only kubeaccel's fake exports this (file, line and
     * problem of a bad inventory); the real NVML does not, and then this is empty.
     */
    String initFailureDetail() {
      try {
        Function detail = NativeLibrary.getInstance(name).getFunction("kubeaccelFakeNvmlLastError");
        String text = detail.invokeString(new Object[0], false);
        return text == null ? "" : text;
      } catch (UnsatisfiedLinkError e) {
        return "";
      }
    }
  }

  /** JNA's property for its default library directories; JNA runs {@code ldconfig -p} to fill it when unset. */
  static final String PLATFORM_PATH_PROPERTY = "jna.platform.library.path";

  static Loaded load(NvmlLibraryPath path) {
    setPlatformPathUnlessGiven();
    List<String> tried = new ArrayList<>();
    for (Path directory : path.directories()) {
      for (String fileName : FILE_NAMES) {
        Path file = directory.resolve(fileName).toAbsolutePath();
        if (!Files.exists(file)) {
          // Checked first: JNA given a missing absolute path goes on to look elsewhere, even on the
          // classpath.
          tried.add(file + " (absent)");
          continue;
        }
        try {
          return new Loaded(
              Native.load(file.toString(), NvmlLibrary.class), file.toString(), file.toString());
        } catch (UnsatisfiedLinkError e) {
          tried.add(file + " (" + firstLine(e.getMessage()) + ")");
        }
      }
    }
    if (path.searchSystemPath()) {
      for (String name : SYSTEM_NAMES) {
        try {
          return new Loaded(
              Native.load(name, NvmlLibrary.class), name, name + " from the system library path");
        } catch (UnsatisfiedLinkError e) {
          tried.add(name + " on the system library path (" + firstLine(e.getMessage()) + ")");
        }
      }
    }
    String searched = tried.isEmpty()
        ? "nowhere (no directories given and system path disabled)"
        : String.join("; ", tried);
    throw new NvmlException(
        NvmlReturn.LIBRARY_NOT_FOUND,
        "load",
        "cannot load libnvidia-ml.so.1; tried " + searched + ". " + HINT);
  }

  /**
   * Gives JNA its default library directories before it first looks for a library, so that it does not find them by
   * running {@code /sbin/ldconfig -p}: a child process at every start (a fork of the JVM, a reaper thread, ~70
   * classes) whose answer adds nothing here, since the versioned {@code libnvidia-ml.so.1} is loaded through dlopen,
   * which reads the same ldconfig cache itself. The directories are those JNA would list first: the multiarch
   * directory, {@code lib64}, {@code lib}, under {@code /usr} and {@code /}. A value set on the command line wins. The
   * property is process-wide, as it is when JNA sets it itself.
   */
  static void setPlatformPathUnlessGiven() {
    if (System.getProperty(PLATFORM_PATH_PROPERTY) != null) {
      return;
    }
    String multiarch = switch (System.getProperty("os.arch", "")) {
      case "amd64", "x86_64" -> "x86_64-linux-gnu";
      case "aarch64" -> "aarch64-linux-gnu";
      case "ppc64le" -> "powerpc64le-linux-gnu";
      default -> null;
    };
    List<String> candidates = new ArrayList<>();
    if (multiarch != null) {
      candidates.add("/usr/lib/" + multiarch);
      candidates.add("/lib/" + multiarch);
    }
    candidates.addAll(List.of("/usr/lib64", "/lib64", "/usr/lib", "/lib"));
    List<String> present = new ArrayList<>();
    for (String directory : candidates) {
      if (Files.isDirectory(Path.of(directory))) {
        present.add(directory);
      }
    }
    System.setProperty(PLATFORM_PATH_PROPERTY, String.join(java.io.File.pathSeparator, present));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "not loadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private NvmlLibraryLoader() {}
}
