package io.kubeaccel.nvml;

import java.nio.file.Path;
import java.util.List;

/**
 * Where to look for libnvidia-ml.so.1: extra directories searched before the system's library path.
 *
 * <p>Production passes the driver root's library directories (e.g. {@code /usr/lib/x86_64-linux-gnu} under a mounted
 * driver root); tests and {@code simulate} pass the directory holding the fake library. The library is loaded the
 * same way in every case.
 *
 * @param directories searched first, in order
 * @param searchSystemPath whether the system's library path (ldconfig cache, default dirs) is searched afterwards
 */
public record NvmlLibraryPath(List<Path> directories, boolean searchSystemPath) {

  public NvmlLibraryPath {
    directories = List.copyOf(directories);
  }

  /** The system library path only. */
  public static NvmlLibraryPath system() {
    return new NvmlLibraryPath(List.of(), true);
  }

  /** {@code directory} first, then the system library path. */
  public static NvmlLibraryPath preferring(Path directory) {
    return new NvmlLibraryPath(List.of(directory), true);
  }

  /** Only {@code directory}: nothing from the system is loaded, e.g. to make sure tests use the fake library. */
  public static NvmlLibraryPath only(Path directory) {
    return new NvmlLibraryPath(List.of(directory), false);
  }
}
